/**
 * The node rules of the support policy on a frozen clock: a cluster whose nodes are all deallocated through the
 * Compute API is out of support at once and stopped by the platform on day 30 (not on day 29), with the stop in the
 * activity log; a cluster that gets its VMs back before then is not stopped; a cluster whose VMs are all powered off
 * (no Ready node, no running VM) has the same 30-day deadline. IaaS calls through the real @azure/arm-compute.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ComputeManagementClient } from "@azure/arm-compute";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { computeClient, listNodes } from "./support/nodes.js";
import {
  activityLog,
  clusterClient,
  clusterId,
  createCluster,
  POLL,
  settle,
  supportability,
} from "./support/policy.js";

const START = "2026-11-27T08:00:00.000Z";
const DAY = 86_400_000;

describe("node rules of the support policy", () => {
  let server: Aksemu;
  let compute: ComputeManagementClient;
  const ids: Record<string, string> = {};

  const scaleSetOf = async (name: string): Promise<string> => {
    for await (const s of compute.virtualMachineScaleSets.list(`MC_rg-nodepolicy_${name}_westeurope`)) return s.name!;
    throw new Error("no scale set");
  };
  const power = async (name: string): Promise<string | undefined> =>
    (await clusterClient(server).managedClusters.get("rg-nodepolicy", name)).powerState?.code;

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", START] });
    compute = computeClient(server);
    await server.resources().resourceGroups.createOrUpdate("rg-nodepolicy", { location: "westeurope" });
    for (const name of ["dealloc", "recovers", "poweroff"]) {
      await createCluster(server, "rg-nodepolicy", name, {
        agentPoolProfiles: [{ name: "system", count: 2, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
      });
      ids[name] = clusterId(server.subscriptionId, "rg-nodepolicy", name);
    }
  });
  after(async () => {
    await server.dispose();
  });

  it("deallocating every node through Compute: out of support at once, stopped by the platform on day 30", async () => {
    const rgOf = (name: string): string => `MC_rg-nodepolicy_${name}_westeurope`;
    // "dealloc" and "recovers": every instance deallocated with one scale-set call; "poweroff": every VM powered off.
    await settle(
      server,
      compute.virtualMachineScaleSets.beginDeallocate(rgOf("dealloc"), await scaleSetOf("dealloc"), POLL),
    );
    await settle(
      server,
      compute.virtualMachineScaleSets.beginDeallocate(rgOf("recovers"), await scaleSetOf("recovers"), POLL),
    );
    const set = await scaleSetOf("poweroff");
    for await (const vm of compute.virtualMachineScaleSetVMs.list(rgOf("poweroff"), set)) {
      await settle(
        server,
        compute.virtualMachineScaleSetVMs.beginPowerOff(rgOf("poweroff"), set, vm.instanceId!, POLL),
      );
    }
    const view = await compute.virtualMachineScaleSets.getInstanceView(rgOf("dealloc"), await scaleSetOf("dealloc"));
    assert.deepEqual(view.virtualMachine?.statusesSummary?.find((s) => s.code === "PowerState/deallocated")?.count, 2);

    const v = await supportability(server, ids.dealloc!);
    assert.equal(v.status, "OutOfSupport");
    const finding = v.findings.find((f) => f.rule === "nodes-deallocated-through-iaas");
    assert.ok(finding, JSON.stringify(v.findings));
    assert.equal(finding.policySection, "Nodos detenidos, no asignados y sin preparar");
    assert.ok(finding.deadline !== undefined);
    const deadline = Date.parse(finding.deadline);
    assert.equal(deadline - Date.parse(finding.since), 30 * DAY);
    const stop = v.upcoming.find((u) => u.rule === "nodes-deallocated-through-iaas");
    assert.equal(stop?.action, "stop");
    assert.equal(stop?.at, finding.deadline);
    assert.ok(v.findings.some((f) => f.rule === "node-iaas-changes" && /deallocate of all instances/.test(f.message)));

    const off = await supportability(server, ids.poweroff!);
    const noReady = off.findings.find((f) => f.rule === "no-ready-nodes");
    assert.ok(noReady, JSON.stringify(off.findings));
    assert.ok(off.upcoming.some((u) => u.rule === "no-ready-nodes" && u.action === "stop"));

    // Ten days later the "recovers" cluster gets its VMs back through Compute: its deadline goes away.
    await server.advance("P10D");
    await settle(
      server,
      compute.virtualMachineScaleSets.beginStart(rgOf("recovers"), await scaleSetOf("recovers"), POLL),
    );
    const recovered = await supportability(server, ids.recovers!);
    assert.ok(!recovered.upcoming.some((u) => u.action === "stop"), JSON.stringify(recovered.upcoming));
    assert.ok(!recovered.findings.some((f) => f.rule === "nodes-deallocated-through-iaas"));
    assert.equal(
      recovered.status,
      "OutOfSupport",
      "the IaaS change itself stays until an AKS operation resets the pool",
    );

    // Day 29: nothing has happened yet.
    const now = Date.parse((await server.now()).toISOString());
    await server.advance(`PT${Math.floor((deadline - DAY - now) / 1000)}S`);
    assert.equal(await power("dealloc"), "Running");
    assert.equal(await power("poweroff"), "Running");
    // Day 30 (plus a minute): the platform stops it.
    await server.advance("P1DT1M");
    assert.equal(await power("dealloc"), "Stopped");
    assert.equal(await power("recovers"), "Running");
    // The powered-off cluster's VMs went off a few minutes later: its day 30 comes a few minutes later.
    assert.equal(await power("poweroff"), "Running");
    const offDeadline = Date.parse(noReady.deadline!);
    await server.advance(`PT${Math.ceil((offDeadline - Date.parse((await server.now()).toISOString())) / 1000) + 60}S`);
    assert.equal(await power("poweroff"), "Stopped");

    const stopped = await supportability(server, ids.dealloc!);
    assert.ok(!stopped.findings.some((f) => f.rule === "nodes-deallocated-through-iaas"));
    assert.ok(
      stopped.findings.some((f) => f.rule === "stopped-cluster-retention"),
      "then the 12-month rule applies",
    );

    const log = await activityLog(server, server.subscriptionId, START, (await server.now()).toISOString());
    const stops = log.filter(
      (e) =>
        e.resourceId.toLowerCase() === ids.dealloc!.toLowerCase() &&
        e.operationName.value.toLowerCase() === "microsoft.containerservice/managedclusters/stop/action",
    );
    assert.ok(stops.length > 0, "the platform stop is in the activity log");
    assert.ok(stops.every((e) => e.caller === "AKS platform"));
    assert.ok(stops.some((e) => /deallocated through IaaS APIs/.test(e.description + JSON.stringify(e.properties))));

    // Starting it again works as usual, and AKS puts its nodes back to running.
    await settle(server, clusterClient(server).managedClusters.beginStart("rg-nodepolicy", "dealloc", POLL));
    assert.ok((await listNodes(server, ids.dealloc!)).every((n) => n.powerState === "running"));
    assert.equal((await supportability(server, ids.dealloc!)).status, "Supported");
  });
});
