/**
 * The activity log through the real Azure CLI (Debian's azure-cli 2.45, `az monitor activity-log list`, which sends
 * `eventTimestamp ge <naive ISO> and eventTimestamp le <naive ISO> [and resourceGroupName eq '...'] [and caller eq
 * '...']` with api-version 2015-04-01), including a platform action: the stop of a suspended subscription's cluster.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Aksemu } from "./support/aksemu.js";
import { azSuiteOptions, startAzServer, stopAzServer, type AzCli } from "./support/az-cli.js";
import { createCluster, setSubscriptionState, type ActivityEvent } from "./support/policy.js";

describe("the real az CLI: az monitor activity-log list", azSuiteOptions(), () => {
  let server: Aksemu;
  let az: AzCli;
  before(
    async () =>
      ({ server, az } = await startAzServer({ args: ["--clock", "frozen", "--now", "2026-11-27T08:00:00Z"] })),
  );
  after(() => stopAzServer(server, az));

  it("lists the events of a resource group in a time window, and the platform's actions by caller", async () => {
    await az.json(["group", "create", "-n", "rg-az-log", "-l", "westeurope"]);
    await createCluster(server, "rg-az-log", "watched");
    await setSubscriptionState(server, server.subscriptionId, "Disabled");
    await server.advance("PT5M");

    const window = ["--start-time", "2026-11-27T00:00:00Z", "--end-time", "2026-11-28T00:00:00Z"];
    const events = await az.json<ActivityEvent[]>(["monitor", "activity-log", "list", "-g", "rg-az-log", ...window, "--max-events", "200"]); // prettier-ignore
    const names = new Set(events.map((e) => `${e.operationName.value} ${e.status.value}`));
    assert.ok(names.has("Microsoft.Resources/subscriptions/resourceGroups/write Succeeded"), [...names].join("\n"));
    assert.ok(names.has("Microsoft.ContainerService/managedClusters/write Succeeded"));
    assert.ok(names.has("Microsoft.ContainerService/managedClusters/stop/action Succeeded"));
    assert.ok(events.every((e) => e.resourceGroupName.toLowerCase() === "rg-az-log"));

    const byPlatform = await az.json<ActivityEvent[]>(["monitor", "activity-log", "list", ...window, "--caller", "AKS platform"]); // prettier-ignore
    assert.ok(byPlatform.length >= 2);
    assert.ok(byPlatform.every((e) => e.caller === "AKS platform"));
    assert.ok(byPlatform.some((e) => /suspended/i.test(e.description)));

    // A window before anything happened is empty.
    const empty = await az.json<ActivityEvent[]>(["monitor", "activity-log", "list", "--start-time", "2026-01-01T00:00:00Z", "--end-time", "2026-01-02T00:00:00Z"]); // prettier-ignore
    assert.deepEqual(empty, []);
  });
});
