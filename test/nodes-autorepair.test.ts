/**
 * Node faults and node auto-repair on a frozen clock (fact sheet §4.3): each fault of the ladder is cured at its step
 * (reboot, reimage, redeploy) with AKS's events, the incurable one is given up after 3 rounds, the repair actions run
 * as `aks-remediator` and are in the activity log; a removed fault ends the repair; a node that never became Ready is
 * left alone. Clusters through the real @azure/arm-containerservice, nodes and faults through plain HTTPS.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { injectFault, listNodes, type Fault, type NodeView } from "./support/nodes.js";
import { activityLog, clusterClient, clusterId, createCluster, POLL } from "./support/policy.js";

const START = "2026-11-27T08:00:00.000Z";

describe("node faults and node auto-repair", () => {
  let server: Aksemu;
  let id: string;

  const nodes = (): Promise<NodeView[]> => listNodes(server, id);
  const node = async (name: string): Promise<NodeView> => (await nodes()).find((n) => n.name === name)!;
  const inject = (name: string, fault: string): Promise<Fault> => injectFault(server, id, name, fault);
  const fault = async (faultId: string): Promise<Fault> => {
    const r = await server.fetch(`/_emulator/faults/${faultId}`, { auth: false });
    assert.equal(r.status, 200, r.text);
    return r.body as Fault;
  };
  const reasons = (n: NodeView): string[] => n.events.map((e) => e.reason);

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", START] });
    await server.resources().resourceGroups.createOrUpdate("rg-repair", { location: "westeurope" });
    await createCluster(server, "rg-repair", "repair", {
      agentPoolProfiles: [{ name: "system", count: 6, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    });
    id = clusterId(server.subscriptionId, "rg-repair", "repair");
  });
  after(async () => {
    await server.dispose();
  });

  it("refuses unknown faults and unknown nodes with a message that says what to send", async () => {
    const names = (await nodes()).map((n) => n.name);
    const bad = await server.fetch("/_emulator/faults", {
      method: "POST",
      auth: false,
      body: { cluster: id, node: names[0], fault: "Meteor" },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /KubeletStopped, OSDiskCorrupted, HostFailure, Unrecoverable, NoHeartbeat/);
    const missing = await server.fetch("/_emulator/faults", {
      method: "POST",
      auth: false,
      body: { cluster: id, node: "nope", fault: "KubeletStopped" },
    });
    assert.equal(missing.status, 404);
    const shape = await server.fetch("/_emulator/faults", { method: "POST", auth: false, body: { node: "x" } });
    assert.equal(shape.status, 400);
  });

  it("leaves a node that never registered Ready to itself", async () => {
    // A pool whose node is a second old: its kubelet has not registered yet.
    const poller = await clusterClient(server).agentPools.beginCreateOrUpdate(
      "rg-repair",
      "repair",
      "fresh",
      { count: 1, vmSize: "Standard_D2s_v5", mode: "User" },
      POLL,
    );
    await server.advance("PT1S");
    await poller.pollUntilDone();
    const fresh = (await nodes()).find((n) => n.name.startsWith("aks-fresh-"))!;
    assert.equal(fresh.ready, false, "a brand-new node is still booting");
    const f = await inject(fresh.name, "KubeletStopped");
    assert.equal((await node(fresh.name)).autoRepair.status, "Skipped");
    await server.advance("PT30M");
    assert.deepEqual(reasons(await node(fresh.name)), []);
    const r = await server.fetch(`/_emulator/faults/${f.id}`, { method: "DELETE", auth: false });
    assert.equal(r.status, 200);
    assert.ok(
      (await nodes()).every((n) => n.ready),
      "every node Ready once the fault is gone",
    );
  });

  it("cures each fault of the ladder at its step with AKS's events, and gives up on the incurable one after 3 rounds", async () => {
    const list = await nodes();
    const [kubelet, heartbeat, disk, host, lost, spare] = list.map((n) => n.name) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const faults = {
      kubelet: await inject(kubelet, "KubeletStopped"),
      heartbeat: await inject(heartbeat, "NoHeartbeat"),
      disk: await inject(disk, "OSDiskCorrupted"),
      host: await inject(host, "HostFailure"),
      lost: await inject(lost, "Unrecoverable"),
    };
    let k = await node(kubelet);
    assert.equal(k.conditions[0]!.status, "False");
    assert.equal(k.health.kubelet, "Stopped");
    assert.ok(k.taints.some((t) => t.key === "node.kubernetes.io/not-ready"));
    const h = await node(heartbeat);
    assert.equal(h.conditions[0]!.status, "Unknown");
    assert.equal(h.conditions[0]!.reason, "NodeStatusUnknown");
    assert.ok(h.taints.some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute"));
    assert.equal(k.autoRepair.status, "Detecting");

    // Nothing happens inside the 10-minute detection window.
    await server.advance("PT9M");
    assert.deepEqual(reasons(await node(kubelet)), []);
    await server.advance("PT1M");
    for (const name of [kubelet, heartbeat, disk, host, lost]) {
      const n = await node(name);
      assert.deepEqual(reasons(n), ["NodeRebootStart"], name);
      assert.equal(n.events[0]!.source, "aks-auto-repair");
      assert.equal(
        n.events[0]!.message,
        "Node auto-repair is initiating a reboot action due to NotReady status persisting for more than five minutes.",
      );
      assert.equal(n.autoRepair.status, "Rebooting");
    }

    // Then an hour: every repair has ended one way or the other (AKS: "can take up to 1 hour").
    await server.advance("PT50M");
    k = await node(kubelet);
    assert.deepEqual(reasons(k), ["NodeRebootStart", "NodeRebootEnd"]);
    assert.equal(k.ready, true);
    assert.equal(k.autoRepair.status, "Idle");
    assert.deepEqual(reasons(await node(heartbeat)), ["NodeRebootStart", "NodeRebootEnd"]);
    assert.equal((await fault(faults.kubelet.id)).curedBy, "reboot by aks-remediator");
    assert.equal((await fault(faults.heartbeat.id)).status, "Cured");

    const d = await node(disk);
    assert.deepEqual(reasons(d), ["NodeRebootStart", "NodeRebootEnd", "NodeReimageStart", "NodeReimageEnd"]);
    assert.equal(d.ready, true);
    assert.equal((await fault(faults.disk.id)).curedBy, "reimage by aks-remediator");

    const hf = await node(host);
    assert.deepEqual(reasons(hf), [
      "NodeRebootStart",
      "NodeRebootError",
      "NodeReimageStart",
      "NodeReimageError",
      "NodeRedeployStart",
      "NodeRedeployEnd",
    ]);
    const error = hf.events.find((e) => e.reason === "NodeRebootError")!;
    assert.equal(error.type, "Warning");
    assert.match(
      error.message,
      /^Node auto-repair reboot action failed due to an operation failure\. See error details here: \w+/,
    );
    assert.equal(hf.ready, true);
    assert.equal((await fault(faults.host.id)).curedBy, "redeploy by aks-remediator");

    const u = await node(lost);
    const round = [
      "NodeRebootStart",
      "NodeRebootEnd",
      "NodeReimageStart",
      "NodeReimageEnd",
      "NodeRedeployStart",
      "NodeRedeployEnd",
    ];
    assert.deepEqual(reasons(u), [...round, ...round, ...round]);
    assert.equal(u.autoRepair.status, "GaveUp");
    assert.equal(u.autoRepair.round, 3);
    assert.equal(u.ready, false);
    assert.equal((await fault(faults.lost.id)).status, "Active");
    // Nothing more happens to it.
    await server.advance("PT3H");
    assert.equal((await node(lost)).events.length, 18);
    assert.equal((await node(spare)).events.length, 0);

    // The repair actions are operations of aks-remediator, in the activity log.
    const log = await activityLog(server, server.subscriptionId, START, (await server.now()).toISOString());
    const repairs = log.filter((e) => e.caller === "aks-remediator");
    const ops = new Set(repairs.map((e) => e.operationName.value));
    assert.ok(ops.has("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/restart/action"));
    assert.ok(ops.has("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/reimage/action"));
    assert.ok(ops.has("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/redeploy/action"));
    assert.ok(
      repairs.some((e) => e.status.value === "Failed" && e.resourceId.toLowerCase().endsWith("/virtualmachines/3")),
    );
  });

  it("stands down when the fault is removed before the repair acts", async () => {
    const name = (await nodes())[5]!.name;
    const f = await inject(name, "OSDiskCorrupted");
    await server.advance("PT10M");
    assert.deepEqual(reasons(await node(name)), ["NodeRebootStart"]);
    const r = await server.fetch(`/_emulator/faults/${f.id}`, { method: "DELETE", auth: false });
    assert.equal(r.status, 200);
    assert.equal((r.body as Fault).status, "Removed");
    const n = await node(name);
    assert.equal(n.ready, true);
    assert.equal(n.autoRepair.status, "Idle");
    await server.advance("PT1H");
    assert.deepEqual(reasons(await node(name)), ["NodeRebootStart"]);
    assert.equal((await server.fetch(`/_emulator/faults/${f.id}`, { auth: false })).status, 404);
  });
});
