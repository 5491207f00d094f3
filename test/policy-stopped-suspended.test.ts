/**
 * Support policy, «Nodos detenidos, no asignados y sin preparar» and «Cobertura de soporte de AKS»: stopped clusters
 * are kept 12 months then deleted with their node resource group; clusters of a suspended subscription are stopped
 * at once and deleted after 90 days unless it is re-enabled; a deleted subscription's clusters go at once; etcd
 * backups every 30 minutes while the control plane runs. Real clients: @azure/arm-containerservice and
 * @azure/arm-resources; the supportability view and the activity log through fetch. The clock is frozen and moved.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ResourceManagementClient } from "@azure/arm-resources";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import {
  activityLog,
  clusterClient,
  clusterId,
  createCluster,
  POLL,
  setClock,
  setSubscriptionState,
  settle,
  supportability,
} from "./support/policy.js";

const T0 = "2026-11-27T00:00:00.000Z";
const PLATFORM = "AKS platform";
const HALF_HOUR = 30 * 60_000;

function addMonths(iso: string, months: number): Date {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

async function exists(server: Aksemu, subscriptionId: string, rg: string, name: string): Promise<boolean> {
  try {
    await clusterClient(server, subscriptionId).managedClusters.get(rg, name);
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

describe("policy: stopped clusters, suspended and deleted subscriptions, etcd backups", () => {
  let server: Aksemu;
  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", T0] });
  });
  after(async () => {
    assert.doesNotMatch(server.output.stderr, /failed|Error/);
    await server.dispose();
  });

  it("keeps a stopped cluster 12 months, then the platform deletes it and its node resource group", async () => {
    const sub = server.subscriptionId;
    await server.resources().resourceGroups.createOrUpdate("rg-stop", { location: "westeurope" });
    const kept = await createCluster(server, "rg-stop", "keep", { kubernetesVersion: "1.37" });
    await createCluster(server, "rg-stop", "restart", { kubernetesVersion: "1.37" });
    const keepId = clusterId(sub, "rg-stop", "keep");

    // etcd: backups on a 30-minute grid from the control plane's start, while it runs.
    const first = await supportability(server, keepId);
    assert.equal(first.status, "Supported");
    assert.ok(first.lastEtcdBackup !== null);
    const runningSince = Date.parse(first.lastEtcdBackup!);
    await server.advance("PT1H10M");
    assert.equal(Date.parse((await supportability(server, keepId)).lastEtcdBackup!), runningSince + 2 * HALF_HOUR);

    const client = clusterClient(server);
    await settle(server, client.managedClusters.beginStop("rg-stop", "keep", POLL));
    await settle(server, client.managedClusters.beginStop("rg-stop", "restart", POLL));
    const stopped = await supportability(server, keepId);
    assert.equal(stopped.powerState, "Stopped");
    const finding = stopped.findings.find((f) => f.rule === "stopped-cluster-retention");
    assert.ok(finding, JSON.stringify(stopped.findings));
    assert.equal(finding.policySection, "Nodos detenidos, no asignados y sin preparar");
    const deadline = addMonths(finding.since, 12).toISOString();
    assert.equal(finding.deadline, deadline);
    assert.match(finding.consequence ?? "", /node resource group/);
    assert.deepEqual(
      stopped.upcoming.filter((u) => u.action === "delete").map((u) => [u.at, u.rule]),
      [[deadline, "stopped-cluster-retention"]],
    );
    // No backups while stopped: the last one stays where it was.
    const backupAtStop = stopped.lastEtcdBackup;
    assert.ok(Date.parse(backupAtStop!) <= Date.parse(finding.since));
    await server.advance("P2D");
    assert.equal((await supportability(server, keepId)).lastEtcdBackup, backupAtStop);

    // Starting before the deadline ends the rule for that cluster.
    await setClock(server, addMonths(T0, 6).toISOString());
    await settle(server, client.managedClusters.beginStart("rg-stop", "restart", POLL));

    await setClock(server, new Date(Date.parse(deadline) - 86_400_000).toISOString());
    assert.equal(await exists(server, sub, "rg-stop", "keep"), true, "still there at 12 months minus a day");

    await setClock(server, new Date(Date.parse(deadline) + 60_000).toISOString());
    assert.equal(await exists(server, sub, "rg-stop", "keep"), false, "gone after 12 months");
    assert.equal(await exists(server, sub, "rg-stop", "restart"), true, "the restarted cluster stays");
    assert.equal((await server.resources().resourceGroups.checkExistence(kept.nodeResourceGroup!)).body, false);

    const events = await activityLog(server, sub, T0, "2030-01-01T00:00:00Z", ` and resourceUri eq '${keepId}'`);
    const deletes = events.filter((e) => e.operationName.value === "Microsoft.ContainerService/managedClusters/delete");
    assert.deepEqual(deletes.map((e) => e.status.value).sort(), ["Started", "Succeeded"]);
    assert.ok(deletes.every((e) => e.caller === PLATFORM));
    assert.match(deletes[0]!.description, /12 months/);
    assert.equal(deletes.find((e) => e.status.value === "Started")!.eventTimestamp, deadline);
    // The user's own stop is logged with the user as caller.
    const stops = events.filter((e) => e.operationName.value === "Microsoft.ContainerService/managedClusters/stop/action"); // prettier-ignore
    assert.equal(stops.length, 2);
    assert.ok(stops.every((e) => e.caller !== PLATFORM));
  });

  it("stops a suspended subscription's clusters at once, refuses writes, and deletes the clusters after 90 days", async () => {
    const sub = randomUUID();
    assert.equal(await setSubscriptionState(server, sub, "Enabled"), 201);
    const resources = new ResourceManagementClient(server.credential(), sub, { endpoint: server.url });
    await resources.resourceGroups.createOrUpdate("rg-susp", { location: "westeurope" });
    const a = await createCluster(server, "rg-susp", "a", {}, sub);
    await createCluster(server, "rg-susp", "b", {}, sub);
    const client = clusterClient(server, sub);

    const suspendedAt = (await server.now()).toISOString();
    await setSubscriptionState(server, sub, "Disabled");
    // Stopped at once by the platform: the stop operations started with the state change.
    const stopping = await client.managedClusters.get("rg-susp", "a");
    assert.equal(stopping.provisioningState, "Stopping");
    await server.advance("PT10M");
    for (const name of ["a", "b"]) {
      assert.equal((await client.managedClusters.get("rg-susp", name)).powerState?.code, "Stopped");
    }
    const log = await activityLog(server, sub, suspendedAt, "2030-01-01T00:00:00Z");
    const platformStops = log.filter(
      (e) =>
        e.operationName.value === "Microsoft.ContainerService/managedClusters/stop/action" && e.caller === PLATFORM,
    );
    assert.equal(platformStops.filter((e) => e.status.value === "Started").length, 2);
    assert.ok(platformStops.every((e) => /suspended/i.test(e.description)));

    // Read-only: writes are refused as ARM refuses them, reads work.
    await assert.rejects(resources.resourceGroups.createOrUpdate("rg-new", { location: "westeurope" }), (e: { code?: string; statusCode?: number }) => {
      assert.equal(e.statusCode, 409);
      assert.equal(e.code, "ReadOnlyDisabledSubscription");
      return true;
    }); // prettier-ignore
    await assert.rejects(client.managedClusters.beginStart("rg-susp", "a", POLL), (e: { code?: string }) => {
      assert.equal(e.code, "ReadOnlyDisabledSubscription");
      return true;
    });

    const view = await supportability(server, clusterId(sub, "rg-susp", "a"));
    const deadline = new Date(Date.parse(suspendedAt) + 90 * 86_400_000).toISOString();
    const finding = view.findings.find((f) => f.rule === "suspended-subscription");
    assert.equal(finding?.deadline, deadline);
    assert.ok(
      view.upcoming.some((u) => u.action === "delete" && u.at === deadline && u.rule === "suspended-subscription"),
    );

    await setClock(server, new Date(Date.parse(deadline) - 86_400_000).toISOString());
    assert.equal(await exists(server, sub, "rg-susp", "a"), true);
    await setClock(server, new Date(Date.parse(deadline) + 60_000).toISOString());
    assert.equal(await exists(server, sub, "rg-susp", "a"), false);
    assert.equal(await exists(server, sub, "rg-susp", "b"), false);
    assert.equal((await resources.resourceGroups.checkExistence(a.nodeResourceGroup!)).body, false);
    const deletes = (await activityLog(server, sub, deadline, "2030-01-01T00:00:00Z")).filter(
      (e) =>
        e.operationName.value === "Microsoft.ContainerService/managedClusters/delete" && e.status.value === "Succeeded",
    );
    assert.equal(deletes.length, 2);
    assert.ok(deletes.every((e) => e.caller === PLATFORM && /90 days/.test(e.description)));
  });

  it("keeps the clusters of a subscription re-enabled within 90 days; a deleted subscription's clusters go at once", async () => {
    const sub = randomUUID();
    await setSubscriptionState(server, sub, "Enabled");
    const resources = new ResourceManagementClient(server.credential(), sub, { endpoint: server.url });
    await resources.resourceGroups.createOrUpdate("rg-back", { location: "westeurope" });
    await createCluster(server, "rg-back", "back", {}, sub);
    await setSubscriptionState(server, sub, "Disabled");
    await server.advance("P30D");
    await setSubscriptionState(server, sub, "Enabled");
    const view = await supportability(server, clusterId(sub, "rg-back", "back"));
    assert.ok(!view.findings.some((f) => f.rule === "suspended-subscription"));
    assert.ok(!view.upcoming.some((u) => u.rule === "suspended-subscription"));
    await server.advance("P100D");
    assert.equal(await exists(server, sub, "rg-back", "back"), true);
    // Re-enabled, the cluster stays stopped (the customer starts it) and works again.
    const client = clusterClient(server, sub);
    assert.equal((await client.managedClusters.get("rg-back", "back")).powerState?.code, "Stopped");
    await settle(server, client.managedClusters.beginStart("rg-back", "back", POLL));

    const gone = randomUUID();
    await setSubscriptionState(server, gone, "Enabled");
    const goneResources = new ResourceManagementClient(server.credential(), gone, { endpoint: server.url });
    await goneResources.resourceGroups.createOrUpdate("rg-gone", { location: "westeurope" });
    await createCluster(server, "rg-gone", "x", {}, gone);
    await setSubscriptionState(server, gone, "Deleted");
    await server.advance("PT10M");
    assert.equal(await exists(server, gone, "rg-gone", "x"), false);
  });
});
