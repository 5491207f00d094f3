/**
 * The real az CLI (Debian's azure-cli 2.45) through `aksemu az` on the operations beyond clusters and pools:
 * `az aks nodepool snapshot create/show/list/delete` and `az aks nodepool add --snapshot-id`,
 * and `az aks command invoke`. Asserts on what az prints. (`az aks maintenanceconfiguration` is not in az 2.45's core
 * commands; its traffic is replayed by the conformance run.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { AzCli, azSuiteOptions, requireAz } from "./support/az-cli.js";

interface Pool {
  id: string;
  name: string;
  orchestratorVersion: string;
  currentOrchestratorVersion?: string;
  nodeImageVersion: string;
  osSku?: string;
  creationData?: { sourceResourceId: string } | null;
}

interface Snapshot {
  id: string;
  name: string;
  kubernetesVersion: string;
  nodeImageVersion: string;
  osSku: string;
  osType: string;
  vmSize: string;
  creationData: { sourceResourceId: string };
}

describe("the real az CLI: node pool snapshots and command invoke", azSuiteOptions(), () => {
  let server: Aksemu;
  let az: AzCli;
  const rg = "rg-azops";

  before(async () => {
    requireAz();
    server = await startAksemu();
    az = new AzCli(server);
    await az.json(["group", "create", "-n", rg, "-l", "eastus"]);
    await az.json(["aks", "create", "-g", rg, "-n", "ops", "--generate-ssh-keys", "--node-count", "1"]);
  });
  after(async () => {
    if (az !== undefined) {
      process.stdout.write(`# ${az.summary()}\n`);
      az.dispose();
    }
    await server?.dispose();
  });

  it("az aks nodepool snapshot create / show / list, and a node pool from the snapshot", async () => {
    const pool = await az.json<Pool>(["aks", "nodepool", "show", "-g", rg, "--cluster-name", "ops", "-n", "nodepool1"]); // prettier-ignore
    const snap = await az.json<Snapshot>(["aks", "nodepool", "snapshot", "create", "-g", rg, "-n", "snap1", "--nodepool-id", pool.id]); // prettier-ignore
    assert.equal(snap.name, "snap1");
    assert.equal(snap.kubernetesVersion, pool.currentOrchestratorVersion);
    assert.equal(snap.nodeImageVersion, pool.nodeImageVersion);
    assert.equal(snap.osType, "Linux");
    assert.equal(snap.creationData.sourceResourceId.toLowerCase(), pool.id.toLowerCase());

    const shown = await az.json<Snapshot>(["aks", "nodepool", "snapshot", "show", "-g", rg, "-n", "snap1"]);
    assert.equal(shown.id, snap.id);
    const listed = await az.json<Snapshot[]>(["aks", "nodepool", "snapshot", "list", "-g", rg]);
    assert.deepEqual(
      listed.map((s) => s.name),
      ["snap1"],
    );
    const table = await az.ok(["aks", "nodepool", "snapshot", "list", "-g", rg, "-o", "table"]);
    assert.match(table, /snap1/);

    const added = await az.json<Pool>(["aks", "nodepool", "add", "-g", rg, "--cluster-name", "ops", "-n", "fromsnap", "--node-count", "1", "--snapshot-id", snap.id]); // prettier-ignore
    assert.equal(added.nodeImageVersion, snap.nodeImageVersion);
    assert.equal(added.creationData?.sourceResourceId.toLowerCase(), snap.id.toLowerCase());

    await az.ok(["aks", "nodepool", "snapshot", "delete", "-g", rg, "-n", "snap1", "--yes"]);
    assert.deepEqual(await az.json<Snapshot[]>(["aks", "nodepool", "snapshot", "list", "-g", rg]), []);
  });

  it("az aks command invoke: the command is accepted, and the output says it did not run", async () => {
    const r = await az.run(["aks", "command", "invoke", "-g", rg, "-n", "ops", "--command", "kubectl get pods -A"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /command started at .*finished at .*with exitcode=0/);
    assert.match(r.stdout, /kubectl get pods -A/);
    assert.match(r.stdout, /not executed/);
  });
});
