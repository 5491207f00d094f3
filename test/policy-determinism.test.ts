/**
 * Determinism of the policy on the clock: two servers with the same clusters, one moved a year in one call, the other
 * in 365 daily calls, end with the same resources, the same activity log and the same verdicts. (Timers fire in (due,
 * creation) order and handlers only read the clock's instant, so the number of steps cannot matter.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { activityLog, clusterClient, createCluster, POLL, settle } from "./support/policy.js";

const T0 = "2026-11-27T00:00:00.000Z";

async function seed(server: Aksemu): Promise<void> {
  await server.resources().resourceGroups.createOrUpdate("rg-det", { location: "westeurope" });
  await createCluster(server, "rg-det", "oldest", { kubernetesVersion: "1.34" });
  await createCluster(server, "rg-det", "stopped-old", { kubernetesVersion: "1.34" });
  await createCluster(server, "rg-det", "current", {});
  await createCluster(server, "rg-det", "stopped-new", { kubernetesVersion: "1.37" });
  const client = clusterClient(server);
  await settle(server, client.managedClusters.beginStop("rg-det", "stopped-old", POLL));
  await settle(server, client.managedClusters.beginStop("rg-det", "stopped-new", POLL));
}

/** What a user would compare, with the per-server subscription and principal ids taken out. */
async function snapshot(server: Aksemu): Promise<unknown> {
  const sub = server.subscriptionId;
  const norm = (text: string): string => text.split(sub).join("<sub>");
  const client = clusterClient(server);
  const clusters: unknown[] = [];
  for await (const c of client.managedClusters.listByResourceGroup("rg-det")) {
    clusters.push({
      name: c.name,
      provisioningState: c.provisioningState,
      powerState: c.powerState?.code,
      version: c.currentKubernetesVersion,
      pools: c.agentPoolProfiles?.map((p) => [p.name, p.currentOrchestratorVersion, p.powerState?.code, p.count]),
    });
  }
  const groups: string[] = [];
  for await (const g of server.resources().resourceGroups.list()) groups.push(g.name!);
  const events = (await activityLog(server, sub, T0, "2030-01-01T00:00:00Z")).map((e) =>
    norm(
      [
        e.eventTimestamp,
        e.operationName.value,
        e.status.value,
        e.caller === "AKS platform" ? "platform" : "user",
        e.resourceId,
        e.description,
      ].join(" | "),
    ),
  );
  const fleet = (await server.fetch("/_emulator/supportability", { auth: false })).body as {
    value: { id: string; status: string; archived: boolean; nextAction: unknown }[];
  };
  return {
    clusters: clusters.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    groups: groups.sort(),
    events,
    fleet: fleet.value.map((v) => norm(JSON.stringify(v))).sort(),
  };
}

describe("policy: determinism of time", () => {
  let once: Aksemu;
  let daily: Aksemu;
  before(async () => {
    [once, daily] = await Promise.all([
      startAksemu({ args: ["--clock", "frozen", "--now", T0] }),
      startAksemu({ args: ["--clock", "frozen", "--now", T0] }),
    ]);
    await Promise.all([seed(once), seed(daily)]);
  });
  after(async () => {
    await Promise.all([once.dispose(), daily.dispose()]);
  });

  it("a year in one call or in 365 daily calls gives the same resources, log and verdicts", async () => {
    assert.equal((await once.now()).toISOString(), (await daily.now()).toISOString());
    const big = await once.advance("P365D");
    let fired = 0;
    for (let day = 0; day < 365; day++) fired += (await daily.advance("P1D")).timersFired;
    assert.equal(big.now, (await daily.now()).toISOString());
    assert.equal(fired, big.timersFired, "the same timers fired");
    assert.ok(big.timersFired > 0);
    const [a, b] = await Promise.all([snapshot(once), snapshot(daily)]);
    assert.deepEqual(a, b);
    // Something did happen over the year: platform actions are in the log.
    const events = (a as { events: string[] }).events;
    assert.ok(events.some((e) => e.includes("| platform |") && e.includes("managedClusters/delete")));
    assert.ok(events.some((e) => e.includes("| platform |") && e.includes("managedClusters/write")));
  });
});
