/**
 * `az aks ...` (Debian's azure-cli 2.45) against aksemu through `aksemu az`: one chained cluster lifecycle, run
 * sequentially, asserting on what az prints (`-o json` unless the table is the point), and the failures a user meets
 * (missing cluster, version not offered, skipped minor, scaling a stopped cluster).
 *
 * Versions are read from `az aks get-versions` rather than hard-coded, so the suite follows the catalog as the
 * calendar moves.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Aksemu } from "./support/aksemu.js";
import { azSuiteOptions, cmd, startAzServer, stopAzServer, type AzCli } from "./support/az-cli.js";

interface Orchestrator {
  orchestratorVersion: string;
  default?: boolean | null;
  isPreview?: boolean | null;
  upgrades?: { orchestratorVersion: string; isPreview?: boolean | null }[] | null;
}

interface Pool {
  name: string;
  count: number;
  vmSize: string;
  orchestratorVersion: string;
  currentOrchestratorVersion?: string;
  nodeImageVersion?: string;
  mode?: string;
  provisioningState: string;
  powerState?: { code: string };
}

interface Cluster {
  id: string;
  name: string;
  location: string;
  kubernetesVersion: string;
  currentKubernetesVersion?: string;
  provisioningState: string;
  powerState: { code: string };
  fqdn: string;
  dnsPrefix: string;
  nodeResourceGroup: string;
  tags?: Record<string, string> | null;
  agentPoolProfiles: Pool[];
  linuxProfile?: { adminUsername: string; ssh: { publicKeys: { keyData: string }[] } };
  servicePrincipalProfile: { clientId: string };
  identity?: { type: string };
}

const minorOf = (v: string): number => Number(v.split(".")[1]);

describe("the real az CLI: az aks, one cluster lifecycle", azSuiteOptions(), () => {
  let server: Aksemu;
  let az: AzCli;
  let orchestrators: Orchestrator[] = [];
  let defaultVersion = "";
  /** A version with an upgrade to the next minor, and that upgrade. */
  let fromVersion = "";
  let toVersion = "";
  const rg = "rg-aks";

  before(async () => {
    ({ server, az } = await startAzServer());
    await az.json(cmd`group create -n ${rg} -l eastus`);
  });
  after(() => stopAzServer(server, az));

  it("az aks get-versions: JSON and table", async () => {
    const versions = await az.json<{ orchestrators: Orchestrator[] }>(cmd`aks get-versions -l eastus`);
    orchestrators = versions.orchestrators;
    assert.ok(orchestrators.length >= 3, "several versions are offered");
    const defaults = orchestrators.filter((o) => o.default === true);
    assert.equal(defaults.length, 1, "exactly one default version");
    defaultVersion = defaults[0]!.orchestratorVersion;
    const ga = orchestrators.filter((o) => o.isPreview !== true);
    const candidate = ga.find((o) =>
      (o.upgrades ?? []).some(
        (u) => u.isPreview !== true && minorOf(u.orchestratorVersion) === minorOf(o.orchestratorVersion) + 1,
      ),
    );
    assert.ok(candidate !== undefined, `a version can be upgraded to the next minor: ${JSON.stringify(orchestrators)}`);
    fromVersion = candidate.orchestratorVersion;
    toVersion = candidate
      .upgrades!.filter((u) => minorOf(u.orchestratorVersion) === minorOf(fromVersion) + 1)
      .map((u) => u.orchestratorVersion)
      .sort((a, b) => Number(b.split(".")[2]) - Number(a.split(".")[2]))[0]!;

    const table = await az.ok(cmd`aks get-versions -l eastus -o table`);
    assert.match(table, /KubernetesVersion\s+Upgrades/);
    assert.ok(table.includes(fromVersion) && table.includes(defaultVersion));
  });

  it("az aks create with default flags and --generate-ssh-keys", async () => {
    const c = await az.json<Cluster>(cmd`aks create -g ${rg} -n c0 --generate-ssh-keys`);
    assert.equal(c.provisioningState, "Succeeded");
    assert.equal(c.powerState.code, "Running");
    assert.equal(c.kubernetesVersion, defaultVersion);
    assert.equal(c.location, "eastus");
    assert.equal(c.nodeResourceGroup, `MC_${rg}_c0_eastus`);
    assert.equal(c.servicePrincipalProfile.clientId, "msi");
    assert.equal(c.identity?.type, "SystemAssigned");
    assert.equal(c.agentPoolProfiles.length, 1);
    const pool = c.agentPoolProfiles[0]!;
    assert.equal(pool.name, "nodepool1");
    assert.equal(pool.count, 3);
    assert.equal(pool.mode, "System");
    assert.equal(pool.orchestratorVersion, defaultVersion);
    assert.ok(pool.nodeImageVersion !== undefined && pool.nodeImageVersion !== "");
    assert.ok(c.fqdn.startsWith(c.dnsPrefix));
    // The key az generated in $HOME/.ssh is the one the cluster holds.
    const publicKey = join(az.home, ".ssh", "id_rsa.pub");
    assert.ok(existsSync(publicKey));
    assert.equal(c.linuxProfile?.ssh.publicKeys[0]?.keyData.trim(), readFileSync(publicKey, "utf8").trim());
  });

  it("az aks create with --kubernetes-version, --node-count, --node-vm-size and --tags", async () => {
    const c = await az.json<Cluster>(
      cmd`aks create -g ${rg} -n c1 --generate-ssh-keys --kubernetes-version ${fromVersion} --node-count 2 --node-vm-size Standard_D4s_v3 --tags env=test team=aks`,
    );
    assert.equal(c.provisioningState, "Succeeded");
    assert.equal(c.kubernetesVersion, fromVersion);
    assert.deepEqual(c.tags, { env: "test", team: "aks" });
    assert.equal(c.agentPoolProfiles[0]!.count, 2);
    assert.equal(c.agentPoolProfiles[0]!.vmSize, "Standard_D4s_v3");
    assert.equal(c.agentPoolProfiles[0]!.orchestratorVersion, fromVersion);
  });

  it("az aks show and az aks list -o table", async () => {
    const c = await az.json<Cluster>(cmd`aks show -g ${rg} -n c1`);
    assert.equal(
      c.id,
      `/subscriptions/${server.subscriptionId}/resourcegroups/${rg}/providers/Microsoft.ContainerService/managedClusters/c1`,
    );
    assert.equal(c.name, "c1");
    const table = await az.ok(cmd`aks list -o table`);
    const lines = table.trim().split("\n");
    assert.match(lines[0]!, /^Name\s+Location\s+ResourceGroup\s+KubernetesVersion\s+.*ProvisioningState\s+Fqdn/);
    assert.equal(lines.length, 4, table);
    assert.match(table, new RegExp(`^c1\\s+eastus\\s+${rg}\\s+${fromVersion.replace(/\./g, "\\.")}\\s`, "m"));
    assert.match(table, /^c0\s+eastus\s+/m);
  });

  it("az aks scale", async () => {
    const c = await az.json<Cluster>(cmd`aks scale -g ${rg} -n c1 --node-count 3`);
    assert.equal(c.agentPoolProfiles[0]!.count, 3);
    assert.equal(c.provisioningState, "Succeeded");
  });

  it("az aks get-upgrades", async () => {
    const p = await az.json<{
      controlPlaneProfile: { kubernetesVersion: string; upgrades: { kubernetesVersion: string }[] | null };
      agentPoolProfiles: { kubernetesVersion: string }[];
    }>(cmd`aks get-upgrades -g ${rg} -n c1`);
    assert.equal(p.controlPlaneProfile.kubernetesVersion, fromVersion);
    assert.ok((p.controlPlaneProfile.upgrades ?? []).some((u) => u.kubernetesVersion === toVersion));
    assert.ok(
      (p.controlPlaneProfile.upgrades ?? []).every((u) => minorOf(u.kubernetesVersion) <= minorOf(fromVersion) + 1),
      "no upgrade skips a minor",
    );
  });

  it("refuses an upgrade that skips a minor", async () => {
    const skip = orchestrators.map((o) => o.orchestratorVersion).find((v) => minorOf(v) === minorOf(fromVersion) + 2);
    assert.ok(skip !== undefined, "a version two minors up is offered");
    const r = await az.run(cmd`aks upgrade -g ${rg} -n c1 --kubernetes-version ${skip} --yes`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /OperationNotAllowed/);
    assert.match(
      r.stderr,
      new RegExp(
        `Upgrading Kubernetes version ${fromVersion.replace(/\./g, "\\.")} to ${skip.replace(/\./g, "\\.")} is not allowed`,
      ),
    );
  });

  it("az aks upgrade --kubernetes-version --yes", async () => {
    const c = await az.json<Cluster>(cmd`aks upgrade -g ${rg} -n c1 --kubernetes-version ${toVersion} --yes`);
    assert.equal(c.provisioningState, "Succeeded");
    assert.equal(c.kubernetesVersion, toVersion);
    assert.ok(c.agentPoolProfiles.every((p) => p.orchestratorVersion === toVersion));
  });

  it("az aks upgrade --node-image-only --yes", async () => {
    const r = await az.run(cmd`aks upgrade -g ${rg} -n c1 --node-image-only --yes -o json`);
    assert.equal(r.code, 0, r.stderr);
    const c = await az.json<Cluster>(cmd`aks show -g ${rg} -n c1`);
    assert.equal(c.provisioningState, "Succeeded");
    assert.ok(
      c.agentPoolProfiles.every((p) => p.provisioningState === "Succeeded" && p.nodeImageVersion !== undefined),
    );
  });

  it("az aks nodepool add/list/show/scale/get-upgrades/upgrade --node-image-only/delete", async () => {
    const added = await az.json<Pool>(cmd`aks nodepool add -g ${rg} --cluster-name c1 -n np2 --node-count 1`);
    assert.equal(added.name, "np2");
    assert.equal(added.count, 1);
    assert.equal(added.mode, "User");
    assert.equal(added.orchestratorVersion, toVersion);
    assert.equal(added.provisioningState, "Succeeded");

    const list = await az.json<Pool[]>(cmd`aks nodepool list -g ${rg} --cluster-name c1`);
    assert.deepEqual(list.map((p) => p.name).sort(), ["nodepool1", "np2"]);

    const shown = await az.json<Pool>(cmd`aks nodepool show -g ${rg} --cluster-name c1 -n np2`);
    assert.equal(shown.count, 1);

    const scaled = await az.json<Pool>(cmd`aks nodepool scale -g ${rg} --cluster-name c1 -n np2 --node-count 2`);
    assert.equal(scaled.count, 2);

    const upgrades = await az.json<{ kubernetesVersion: string; latestNodeImageVersion?: string }>(
      cmd`aks nodepool get-upgrades -g ${rg} --cluster-name c1 --nodepool-name np2`,
    );
    assert.equal(upgrades.kubernetesVersion, toVersion);
    assert.ok(upgrades.latestNodeImageVersion !== undefined);

    const imaged = await az.run(cmd`aks nodepool upgrade -g ${rg} --cluster-name c1 -n np2 --node-image-only -o json`);
    assert.equal(imaged.code, 0, imaged.stderr);
    const afterImage = await az.json<Pool>(cmd`aks nodepool show -g ${rg} --cluster-name c1 -n np2`);
    assert.equal(afterImage.nodeImageVersion, upgrades.latestNodeImageVersion);

    const deleted = await az.run(cmd`aks nodepool delete -g ${rg} --cluster-name c1 -n np2`);
    assert.equal(deleted.code, 0, deleted.stderr);
    const remaining = await az.json<Pool[]>(cmd`aks nodepool list -g ${rg} --cluster-name c1`);
    assert.deepEqual(
      remaining.map((p) => p.name),
      ["nodepool1"],
    );
  });

  it("az aks get-credentials --file writes a kubeconfig kubectl reads", async () => {
    const file = join(az.home, "kubeconfig-c1");
    const r = await az.run(cmd`aks get-credentials -g ${rg} -n c1 --file ${file}`);
    assert.equal(r.code, 0, r.stderr);
    const view = spawnSync("kubectl", ["config", "view", "--kubeconfig", file, "-o", "json"], { encoding: "utf8" });
    assert.equal(view.status, 0, view.stderr);
    const config = JSON.parse(view.stdout) as {
      "current-context": string;
      clusters: { name: string; cluster: { server: string } }[];
      contexts: { name: string; context: { cluster: string; user: string } }[];
    };
    const c = await az.json<Cluster>(cmd`aks show -g ${rg} -n c1`);
    assert.equal(config["current-context"], "c1");
    assert.equal(config.clusters[0]!.name, "c1");
    assert.equal(config.clusters[0]!.cluster.server, `https://${c.fqdn}:443`);
    assert.equal(config.contexts[0]!.context.cluster, "c1");
  });

  it("az aks stop; scale refused while stopped; az aks start", async () => {
    const stop = await az.run(cmd`aks stop -g ${rg} -n c1`);
    assert.equal(stop.code, 0, stop.stderr);
    const stopped = await az.json<Cluster>(cmd`aks show -g ${rg} -n c1`);
    assert.equal(stopped.powerState.code, "Stopped");

    const scale = await az.run(cmd`aks scale -g ${rg} -n c1 --node-count 4`);
    assert.notEqual(scale.code, 0);
    assert.match(scale.stderr, /stopped|Stopped/);

    const start = await az.run(cmd`aks start -g ${rg} -n c1`);
    assert.equal(start.code, 0, start.stderr);
    const running = await az.json<Cluster>(cmd`aks show -g ${rg} -n c1`);
    assert.equal(running.powerState.code, "Running");
    assert.equal(running.agentPoolProfiles[0]!.count, 3, "the stopped cluster kept its size");
  });

  it("az aks show of a missing cluster exits 3", async () => {
    const r = await az.run(cmd`aks show -g ${rg} -n nope`);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /ResourceNotFound/);
    assert.match(
      r.stderr,
      /The Resource 'Microsoft\.ContainerService\/managedClusters\/nope' under resource group 'rg-aks' was not found/,
    );
  });

  it("refuses a create with a version that is not offered", async () => {
    const r = await az.run(cmd`aks create -g ${rg} -n old --generate-ssh-keys --kubernetes-version 1.20.7`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /K8sVersionNotSupported|AgentPoolK8sVersionNotSupported/);
    assert.match(r.stderr, /az aks get-versions/);
    const missing = await az.run(cmd`aks show -g ${rg} -n old`);
    assert.equal(missing.code, 3, "nothing was created");
  });

  it("az aks delete --yes", async () => {
    const r = await az.run(cmd`aks delete -g ${rg} -n c0 --yes`);
    assert.equal(r.code, 0, r.stderr);
    const gone = await az.run(cmd`aks show -g ${rg} -n c0`);
    assert.equal(gone.code, 3);
    const left = await az.json<Cluster[]>(cmd`aks list -g ${rg}`);
    assert.deepEqual(
      left.map((c) => c.name),
      ["c1"],
    );
  });
});
