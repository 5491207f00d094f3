/**
 * The full life of a managed cluster driven by the real @azure/arm-containerservice (api-version 2026-06-01) and its
 * pollers: create with a system pool, add / scale / stop / start user pools, upgrade Kubernetes and node images,
 * stop / start the cluster, fetch kubeconfigs, rotate certificates, delete. Responses are checked against the spec
 * (2025-10-01 for the SDK's api-version) with plain HTTPS reads.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerServiceClient, type ManagedCluster } from "@azure/arm-containerservice";
import { parse as parseYaml } from "yaml";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC_2025 = specFile("containerservice/2025-10-01/managedClusters.json");
const POLL = { updateIntervalInMs: 20 };

function newCluster(overrides: Partial<ManagedCluster> = {}): ManagedCluster {
  return {
    location: "westeurope",
    identity: { type: "SystemAssigned" },
    dnsPrefix: "life",
    agentPoolProfiles: [{ name: "system", count: 2, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    ...overrides,
  };
}

describe("managed clusters through @azure/arm-containerservice", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const base = (name: string): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/rg-life/providers/Microsoft.ContainerService/managedClusters/${name}`;

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate("rg-life", { location: "westeurope" });
  });
  after(async () => {
    await server.dispose();
  });

  it("creates a cluster with AKS's defaults, and the node resource group managed by it", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait("rg-life", "life", newCluster(), POLL);
    assert.equal(created.provisioningState, "Succeeded");
    assert.equal(created.powerState?.code, "Running");
    assert.match(created.currentKubernetesVersion ?? "", /^1\.\d+\.\d+$/);
    assert.equal(created.kubernetesVersion, created.currentKubernetesVersion);
    assert.equal(created.nodeResourceGroup, "MC_rg-life_life_westeurope");
    assert.match(created.fqdn ?? "", /^life-[a-z0-9]{8}\.hcp\.westeurope\.azmk8s\.io$/);
    assert.match(created.azurePortalFqdn ?? "", /^life-[a-z0-9]{8}\.portal\.hcp\.westeurope\.azmk8s\.io$/);
    assert.equal(created.servicePrincipalProfile?.clientId, "msi");
    assert.ok(created.identityProfile?.kubeletidentity?.clientId);
    assert.ok(created.identity?.principalId);
    assert.equal(created.identity?.tenantId, server.tenantId);
    assert.deepEqual(created.sku, { name: "Base", tier: "Free" });
    assert.equal(created.supportPlan, "KubernetesOfficial");
    assert.equal(created.maxAgentPools, 100);
    assert.equal(created.autoUpgradeProfile?.nodeOSUpgradeChannel, "NodeImage");
    // No network plugin named, Kubernetes 1.30 or later: Azure CNI Overlay (AKS's default since late 2024).
    assert.equal(created.networkProfile?.networkPlugin, "azure");
    assert.equal(created.networkProfile?.networkPluginMode, "overlay");
    assert.equal(created.networkProfile?.podCidr, "10.244.0.0/16");
    assert.equal(created.networkProfile?.dnsServiceIP, "10.0.0.10");
    assert.match(created.resourceUID ?? "", /^[0-9a-f]{24}$/);
    const pool = created.agentPoolProfiles![0]!;
    assert.equal(pool.osDiskSizeGB, 128);
    assert.equal(pool.osDiskType, "Managed");
    assert.equal(pool.maxPods, 250);
    assert.equal(pool.osSKU, "Ubuntu");
    assert.equal(pool.orchestratorVersion, created.currentKubernetesVersion);
    assert.equal(pool.currentOrchestratorVersion, created.currentKubernetesVersion);
    assert.match(pool.nodeImageVersion ?? "", /^AKSUbuntu-\d{4}gen2containerd-\d{6}\.\d{2}\.\d+$/);
    assert.equal(pool.provisioningState, "Succeeded");

    const group = await server.resources().resourceGroups.get("MC_rg-life_life_westeurope");
    assert.equal(group.managedBy?.toLowerCase(), created.id!.toLowerCase());

    const raw = await server.fetch(`${base("life")}?api-version=2026-06-01`);
    assert.equal(raw.status, 200);
    assert.match(String((raw.body as { id: string }).id), /\/resourcegroups\/rg-life\//);
    assertMatchesSpec(SPEC_2025, "ManagedClusters_Get", 200, raw.body);
  });

  it("adds, scales, stops and starts a user pool", async () => {
    const added = await client.agentPools.beginCreateOrUpdateAndWait(
      "rg-life",
      "life",
      "user1",
      { count: 3, vmSize: "Standard_D4s_v5", nodeLabels: { team: "apps" }, nodeTaints: ["sku=gpu:NoSchedule"] },
      POLL,
    );
    assert.equal(added.mode, "User");
    assert.equal(added.count, 3);
    assert.equal(added.provisioningState, "Succeeded");
    assert.deepEqual(added.nodeLabels, { team: "apps" });

    const scaled = await client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "user1", { ...added, count: 5 }, POLL); // prettier-ignore
    assert.equal(scaled.count, 5);

    const stopped = await client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "user1", { powerState: { code: "Stopped" } }, POLL); // prettier-ignore
    assert.equal(stopped.powerState?.code, "Stopped");
    assert.equal(stopped.count, 0);
    assert.equal(stopped.provisioningState, "Succeeded");

    const started = await client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "user1", { powerState: { code: "Running" } }, POLL); // prettier-ignore
    assert.equal(started.powerState?.code, "Running");
    assert.equal(started.count, 5);

    const names: string[] = [];
    for await (const p of client.agentPools.list("rg-life", "life")) names.push(p.name!);
    assert.deepEqual(names.sort(), ["system", "user1"]);
    const raw = await server.fetch(`${base("life")}/agentPools?api-version=2026-06-01`);
    assertMatchesSpec(SPEC_2025, "AgentPools_List", 200, raw.body);
    const one = await server.fetch(`${base("life")}/agentPools/user1?api-version=2026-06-01`);
    assertMatchesSpec(SPEC_2025, "AgentPools_Get", 200, one.body);
  });

  it("refuses a second write while an operation runs, naming it", async () => {
    const poller = await client.agentPools.beginCreateOrUpdate("rg-life", "life", "user1", { count: 4 }, POLL);
    const second = await server.fetch(`${base("life")}/stop?api-version=2026-06-01`, { method: "POST" });
    assert.equal(second.status, 409);
    const error = (second.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "OperationNotAllowed");
    assert.match(error.message, /Another operation \(Scaling\) is in progress on agent pool \(user1\)/);
    await poller.pollUntilDone();
  });

  it("upgrades Kubernetes one minor at a time, and node images", async () => {
    const profile = await client.managedClusters.getUpgradeProfile("rg-life", "life");
    const current = profile.controlPlaneProfile.kubernetesVersion;
    const upgrades = (profile.controlPlaneProfile.upgrades ?? []).map((u) => u.kubernetesVersion!);
    const rawProfile = await server.fetch(`${base("life")}/upgradeProfiles/default?api-version=2026-06-01`);
    assertMatchesSpec(SPEC_2025, "ManagedClusters_GetUpgradeProfile", 200, rawProfile.body);
    const [major, minor] = current.split(".").map(Number) as [number, number];
    const nextMinor = upgrades.filter((v) => v.startsWith(`${major}.${minor + 1}.`)).pop();
    assert.ok(nextMinor, `an upgrade to 1.${minor + 1} is offered (${upgrades.join(", ")})`);
    assert.ok(!upgrades.some((v) => v.startsWith(`${major}.${minor + 2}.`)), "no minor is skipped");

    // Skipping a minor: refused with the available upgrades listed.
    const cluster = await client.managedClusters.get("rg-life", "life");
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait("rg-life", "life", { ...cluster, kubernetesVersion: `${major}.${minor + 2}` }, POLL), // prettier-ignore
      (e: { code?: string; message?: string; statusCode?: number }) => {
        assert.ok(e.code === "OperationNotAllowed" || e.code === "K8sVersionNotSupported", e.code);
        assert.equal(e.statusCode, 400);
        return true;
      },
    );

    // A full upgrade, as az aks upgrade sends it: the cluster with every pool's orchestratorVersion.
    const upgraded = await client.managedClusters.beginCreateOrUpdateAndWait(
      "rg-life",
      "life",
      {
        ...cluster,
        kubernetesVersion: nextMinor,
        agentPoolProfiles: cluster.agentPoolProfiles!.map((p) => ({ ...p, orchestratorVersion: nextMinor })),
      },
      POLL,
    );
    assert.equal(upgraded.currentKubernetesVersion, nextMinor);
    for (const p of upgraded.agentPoolProfiles!) assert.equal(p.currentOrchestratorVersion, nextMinor);

    // A pool newer than the control plane is refused.
    await assert.rejects(
      client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "newer", { count: 1, orchestratorVersion: `${major}.${minor + 2}` }, POLL), // prettier-ignore
      (e: { code?: string }) => ["NodePoolMcVersionIncompatible", "AgentPoolK8sVersionNotSupported"].includes(e.code ?? ""), // prettier-ignore
    );

    // Node images: two weeks later a newer image is out; upgradeNodeImageVersion moves the pool to it.
    const before = (await client.agentPools.get("rg-life", "life", "user1")).nodeImageVersion;
    await server.advance("P14D");
    const poolProfile = await client.agentPools.getUpgradeProfile("rg-life", "life", "user1");
    assert.match(poolProfile.latestNodeImageVersion ?? "", /^AKSUbuntu-/);
    assert.notEqual(poolProfile.latestNodeImageVersion, before);
    const rawPoolProfile = await server.fetch(`${base("life")}/agentPools/user1/upgradeProfiles/default?api-version=2026-06-01`); // prettier-ignore
    assertMatchesSpec(SPEC_2025, "AgentPools_GetUpgradeProfile", 200, rawPoolProfile.body);
    await client.agentPools.beginUpgradeNodeImageVersionAndWait("rg-life", "life", "user1", POLL);
    const imaged = await client.agentPools.get("rg-life", "life", "user1");
    assert.equal(imaged.nodeImageVersion, poolProfile.latestNodeImageVersion);
    assert.equal(imaged.provisioningState, "Succeeded");

    const available = await client.agentPools.getAvailableAgentPoolVersions("rg-life", "life");
    assert.ok((available.agentPoolVersions ?? []).some((v) => v.kubernetesVersion === nextMinor && v.default === true));
    const rawAvailable = await server.fetch(`${base("life")}/availableAgentPoolVersions?api-version=2026-06-01`);
    assertMatchesSpec(SPEC_2025, "AgentPools_GetAvailableAgentPoolVersions", 200, rawAvailable.body);
  });

  it("hands out kubeconfigs that kubectl reads, different per cluster, changed by certificate rotation", async () => {
    const creds = await client.managedClusters.listClusterUserCredentials("rg-life", "life");
    assert.equal(creds.kubeconfigs?.[0]?.name, "clusterUser");
    const yaml = Buffer.from(creds.kubeconfigs![0]!.value!).toString("utf8");
    const config = parseYaml(yaml) as { clusters: { cluster: { server: string } }[]; users: { user: { token: string } }[] }; // prettier-ignore
    const cluster = await client.managedClusters.get("rg-life", "life");
    assert.equal(config.clusters[0]!.cluster.server, `https://${cluster.fqdn!}:443`);

    const dir = mkdtempSync(join(tmpdir(), "aksemu-kube-"));
    try {
      writeFileSync(join(dir, "config"), yaml);
      const view = execFileSync("kubectl", ["config", "view", "--kubeconfig", join(dir, "config"), "-o", "json"], { encoding: "utf8" }); // prettier-ignore
      const parsed = JSON.parse(view) as { clusters: { name: string; cluster: { server: string } }[]; "current-context": string }; // prettier-ignore
      assert.equal(parsed.clusters[0]!.cluster.server, `https://${cluster.fqdn!}:443`);
      assert.equal(parsed["current-context"], "life");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const admin = await client.managedClusters.listClusterAdminCredentials("rg-life", "life");
    assert.equal(admin.kubeconfigs?.[0]?.name, "clusterAdmin");

    await client.managedClusters.beginRotateClusterCertificatesAndWait("rg-life", "life", POLL);
    const after = await client.managedClusters.listClusterUserCredentials("rg-life", "life");
    const rotated = parseYaml(Buffer.from(after.kubeconfigs![0]!.value!).toString("utf8")) as typeof config;
    assert.notEqual(rotated.users[0]!.user.token, config.users[0]!.user.token);
  });

  it("stops and starts the cluster, keeping pool counts; a stopped cluster takes only start and delete", async () => {
    await client.managedClusters.beginStopAndWait("rg-life", "life", POLL);
    const stopped = await client.managedClusters.get("rg-life", "life");
    assert.equal(stopped.powerState?.code, "Stopped");
    assert.equal(stopped.provisioningState, "Succeeded");
    const system = stopped.agentPoolProfiles!.find((p) => p.name === "system")!;
    assert.equal(system.powerState?.code, "Stopped");
    assert.equal(system.count, 2);

    await assert.rejects(
      client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "user1", { count: 2 }, POLL),
      (e: { code?: string; statusCode?: number }) => e.code === "OperationNotAllowed" && e.statusCode === 409,
    );
    await assert.rejects(
      client.managedClusters.beginStopAndWait("rg-life", "life", POLL),
      (e: { code?: string; message?: string }) =>
        e.code === "OperationNotAllowed" && /not currently running, stopping cannot be performed/.test(e.message ?? ""),
    );

    await client.managedClusters.beginStartAndWait("rg-life", "life", POLL);
    const started = await client.managedClusters.get("rg-life", "life");
    assert.equal(started.powerState?.code, "Running");
    assert.ok(started.agentPoolProfiles!.every((p) => p.powerState?.code === "Running"));
  });

  it("shows eTags on clusters and pools, and honours If-Match / If-None-Match with them", async () => {
    const cluster = await client.managedClusters.get("rg-life", "life");
    const clusterTag = cluster.eTag!;
    assert.match(clusterTag, /^[0-9a-f-]{36}$/);
    const pool = await client.agentPools.get("rg-life", "life", "system");
    assert.match(pool.eTag ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(cluster.agentPoolProfiles!.find((p) => p.name === "system")?.eTag, pool.eTag);
    const raw = await server.fetch(`${base("life")}?api-version=2026-06-01`);
    assertMatchesSpec(SPEC_2025, "ManagedClusters_Get", 200, raw.body);

    // A write that names a stale eTag is refused before anything changes; the current one lets it through.
    const stale = "00000000-0000-0000-0000-000000000000";
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait("rg-life", "life", { ...cluster, tags: { step: "stale" } }, { ...POLL, ifMatch: stale }), // prettier-ignore
      (e: { statusCode?: number; code?: string }) => e.statusCode === 412 && e.code === "PreconditionFailed",
    );
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait("rg-life", "life", cluster, { ...POLL, ifNoneMatch: "*" }),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 412 && e.code === "PreconditionFailed",
    );
    const updated = await client.managedClusters.beginCreateOrUpdateAndWait("rg-life", "life", { ...cluster, tags: { step: "current" } }, { ...POLL, ifMatch: clusterTag }); // prettier-ignore
    assert.deepEqual(updated.tags, { step: "current" });
    assert.notEqual(updated.eTag, clusterTag, "an update changes the cluster's eTag");

    // A pool write checks the pool's own eTag.
    await assert.rejects(
      client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "system", { ...pool, count: 3 }, { ...POLL, ifMatch: stale }), // prettier-ignore
      (e: { statusCode?: number; code?: string }) => e.statusCode === 412 && e.code === "PreconditionFailed",
    );
    const current = await client.agentPools.get("rg-life", "life", "system");
    const scaled = await client.agentPools.beginCreateOrUpdateAndWait("rg-life", "life", "system", { ...current, count: 3 }, { ...POLL, ifMatch: current.eTag! }); // prettier-ignore
    assert.equal(scaled.count, 3);
    assert.notEqual(scaled.eTag, current.eTag, "a pool write changes the pool's eTag");
    // ... and only the pool's: the cluster's eTag is the one it had, and still lets a write through.
    const afterPool = await client.managedClusters.get("rg-life", "life");
    assert.equal(afterPool.eTag, updated.eTag);
    assert.equal(afterPool.agentPoolProfiles!.find((p) => p.name === "system")?.eTag, scaled.eTag);
    await client.managedClusters.beginCreateOrUpdateAndWait("rg-life", "life", { ...afterPool, tags: { step: "after-pool" } }, { ...POLL, ifMatch: updated.eTag! }); // prettier-ignore

    // The field came with api-version 2024-09-01: older ones do not show it.
    const old = (await server.fetch(`${base("life")}?api-version=2024-08-01`)).body as Record<string, unknown> & {
      properties: { agentPoolProfiles: Record<string, unknown>[] };
    };
    assert.equal(old.eTag, undefined);
    assert.ok(old.properties.agentPoolProfiles.every((p) => p.eTag === undefined));
  });

  it("keeps the last system pool, lists and updates tags, and deletes everything", async () => {
    await assert.rejects(
      client.agentPools.beginDeleteAndWait("rg-life", "life", "system", POLL),
      (e: { code?: string }) => e.code === "OperationNotAllowed",
    );
    await client.agentPools.beginDeleteAndWait("rg-life", "life", "user1", POLL);
    await assert.rejects(client.agentPools.get("rg-life", "life", "user1"), (e: { statusCode?: number }) => e.statusCode === 404); // prettier-ignore

    const tagged = await client.managedClusters.beginUpdateTagsAndWait("rg-life", "life", { tags: { env: "test" } }, POLL); // prettier-ignore
    assert.deepEqual(tagged.tags, { env: "test" });

    const all: string[] = [];
    for await (const c of client.managedClusters.list()) all.push(c.name!);
    assert.deepEqual(all, ["life"]);
    const inGroup: string[] = [];
    for await (const c of client.managedClusters.listByResourceGroup("rg-life")) inGroup.push(c.name!);
    assert.deepEqual(inGroup, ["life"]);
    const rawList = await server.fetch(`/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/managedClusters?api-version=2026-06-01`); // prettier-ignore
    assertMatchesSpec(SPEC_2025, "ManagedClusters_List", 200, rawList.body);

    await client.managedClusters.beginDeleteAndWait("rg-life", "life", POLL);
    // Right after the delete AKS itself answers (NotFound); once ARM has forgotten the cluster, ARM does.
    await assert.rejects(client.managedClusters.get("rg-life", "life"), (e: { statusCode?: number; code?: string }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "NotFound");
      return true;
    });
    await server.advance("PT1M");
    await assert.rejects(client.managedClusters.get("rg-life", "life"), (e: { statusCode?: number; code?: string }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "ResourceNotFound");
      return true;
    });
    assert.equal((await server.resources().resourceGroups.checkExistence("MC_rg-life_life_westeurope")).body, false);
  });
});
