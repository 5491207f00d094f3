/**
 * Scale sets and nodes follow the life of a cluster driven by the real @azure/arm-containerservice: pool scale, pool
 * stop and start, cluster stop and start (VMs deallocated by AKS, not a support issue), a Kubernetes upgrade (new nodes
 * with the new kubelet), a customer's restart through @azure/arm-compute (cures a stopped kubelet, and is an IaaS
 * change), pool and cluster deletion (scale sets gone).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { ContainerServiceClient, ManagedCluster } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { computeClient, listNodes, type NodeView } from "./support/nodes.js";
import { clusterClient, supportability, type Supportability } from "./support/policy.js";

const POLL = { updateIntervalInMs: 20 };
const RG = "rg-life-nodes";
const NODE_RG = "MC_rg-life-nodes_life_westeurope";

describe("scale sets and nodes through a cluster's life", () => {
  let server: Aksemu;
  let aks: ContainerServiceClient;
  let compute: ComputeManagementClient;
  let clusterId: string;

  const nodes = (): Promise<NodeView[]> => listNodes(server, clusterId);
  const poolNodes = async (pool: string): Promise<NodeView[]> => (await nodes()).filter((n) => n.pool === pool);
  const capacity = async (pool: string): Promise<number | undefined> => {
    for await (const s of compute.virtualMachineScaleSets.list(NODE_RG)) {
      if (s.tags?.["aks-managed-poolName"] === pool) return s.sku?.capacity;
    }
    return undefined;
  };
  const verdict = (): Promise<Supportability> => supportability(server, clusterId);

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    aks = clusterClient(server);
    compute = computeClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "westeurope" });
    const cluster: ManagedCluster = {
      location: "westeurope",
      identity: { type: "SystemAssigned" },
      dnsPrefix: "life",
      agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    };
    clusterId = (await aks.managedClusters.beginCreateOrUpdateAndWait(RG, "life", cluster, POLL)).id!;
    await aks.agentPools.beginCreateOrUpdateAndWait(RG, "life", "user1", { count: 2, mode: "User" }, POLL);
    await server.advance("PT2M");
  });
  after(async () => {
    await server.dispose();
  });

  it("scales, stops and starts a user pool's scale set with the pool", async () => {
    await aks.agentPools.beginCreateOrUpdateAndWait(RG, "life", "user1", { count: 3 }, POLL);
    assert.equal(await capacity("user1"), 3);
    const three = await poolNodes("user1");
    assert.deepEqual(
      three.map((n) => n.name.slice(-6)),
      ["000000", "000001", "000002"],
    );

    await aks.agentPools.beginCreateOrUpdateAndWait(RG, "life", "user1", { powerState: { code: "Stopped" } }, POLL);
    assert.equal(await capacity("user1"), 0, "a stopped user pool has count 0, as AKS shows");
    assert.equal((await poolNodes("user1")).length, 0);

    await aks.agentPools.beginCreateOrUpdateAndWait(RG, "life", "user1", { powerState: { code: "Running" } }, POLL);
    const back = await poolNodes("user1");
    assert.equal(back.length, 3);
    assert.ok(
      back.every((n) => !three.some((t) => t.name === n.name)),
      "new VMs, new names",
    );
    assert.equal((await verdict()).status, "Supported");
  });

  it("deallocates every VM when the cluster stops, without making it unsupported, and starts them again", async () => {
    await aks.managedClusters.beginStopAndWait(RG, "life", POLL);
    const stopped = await nodes();
    assert.ok(stopped.length > 0);
    assert.ok(stopped.every((n) => n.powerState === "deallocated" && n.powerChange?.via === "platform"));
    const v = await verdict();
    assert.ok(!v.findings.some((f) => f.rule.startsWith("node") || f.rule === "no-ready-nodes"), JSON.stringify(v));

    await aks.managedClusters.beginStartAndWait(RG, "life", POLL);
    assert.ok((await nodes()).every((n) => n.powerState === "running"));
    await server.advance("PT2M");
    assert.ok((await nodes()).every((n) => n.ready));
  });

  it("replaces the nodes with new ones running the new kubelet on a Kubernetes upgrade", async () => {
    const profile = await aks.managedClusters.getUpgradeProfile(RG, "life");
    const current = profile.controlPlaneProfile.kubernetesVersion;
    const [major, minor] = current.split(".").map(Number) as [number, number];
    const next = (profile.controlPlaneProfile.upgrades ?? [])
      .map((u) => u.kubernetesVersion!)
      .filter((v) => v.startsWith(`${major}.${minor + 1}.`))
      .pop();
    assert.ok(next, "an upgrade to the next minor is offered");
    const before = await nodes();
    const cluster = await aks.managedClusters.get(RG, "life");
    await aks.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "life",
      {
        ...cluster,
        kubernetesVersion: next,
        agentPoolProfiles: cluster.agentPoolProfiles!.map((p) => ({ ...p, orchestratorVersion: next })),
      },
      POLL,
    );
    const after = await nodes();
    assert.equal(after.length, before.length);
    assert.ok(after.every((n) => n.kubeletVersion === `v${next}`));
    assert.ok(after.every((n) => !before.some((b) => b.name === n.name)));
    const set = [];
    for await (const s of compute.virtualMachineScaleSets.list(NODE_RG)) set.push(s.tags?.["aks-managed-orchestrator"]);
    assert.ok(set.every((t) => t === `Kubernetes:${next}`));
  });

  it("lets a customer restart a VM through Compute: it cures a stopped kubelet, and counts as an IaaS change", async () => {
    await server.advance("PT2M");
    const node = (await poolNodes("user1"))[0]!;
    const f = await server.fetch("/_emulator/faults", {
      method: "POST",
      auth: false,
      body: { cluster: clusterId, node: node.name, fault: "KubeletStopped" },
    });
    assert.equal(f.status, 201);
    const vmss = node.name.slice(0, -6);
    const instanceId = String(parseInt(node.name.slice(-6), 36));
    await compute.virtualMachineScaleSetVMs.restart(NODE_RG, vmss, instanceId, POLL);
    const fault = await server.fetch(`/_emulator/faults/${(f.body as { id: string }).id}`, { auth: false });
    assert.match((fault.body as { curedBy: string }).curedBy, /^reboot by /);
    const v = await verdict();
    assert.equal(v.status, "OutOfSupport");
    assert.ok(v.findings.some((x) => x.rule === "node-iaas-changes"));
  });

  it("removes a deleted pool's scale set, and everything with the cluster", async () => {
    await aks.agentPools.beginDeleteAndWait(RG, "life", "user1", POLL);
    assert.equal(await capacity("user1"), undefined);
    assert.ok((await nodes()).every((n) => n.pool === "system"));
    await aks.managedClusters.beginDeleteAndWait(RG, "life", POLL);
    assert.equal((await server.fetch(`/_emulator/nodes${clusterId}`, { auth: false })).status, 404);
    assert.equal((await server.resources().resourceGroups.checkExistence(NODE_RG)).body, false);
    const faults = await server.fetch("/_emulator/faults", { auth: false });
    assert.deepEqual((faults.body as { value: unknown[] }).value, []);
  });

  it("removes a deleted cluster's scale sets even from a node resource group a customer took out of its hands", async () => {
    const cluster: ManagedCluster = {
      location: "westeurope",
      identity: { type: "SystemAssigned" },
      dnsPrefix: "kept",
      agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    };
    await aks.managedClusters.beginCreateOrUpdateAndWait(RG, "kept", cluster, POLL);
    const nodeRg = "MC_rg-life-nodes_kept_westeurope";
    // A PUT of the group without managedBy: AKS no longer deletes the group with the cluster.
    await server.resources().resourceGroups.createOrUpdate(nodeRg, { location: "westeurope" });
    const made = [];
    for await (const s of compute.virtualMachineScaleSets.list(nodeRg)) made.push(s.name);
    assert.equal(made.length, 1);
    await aks.managedClusters.beginDeleteAndWait(RG, "kept", POLL);
    assert.equal((await server.resources().resourceGroups.checkExistence(nodeRg)).body, true);
    const left = [];
    for await (const s of compute.virtualMachineScaleSets.list(nodeRg)) left.push(s.name);
    assert.deepEqual(left, [], "the cluster's scale sets went with it");
  });
});
