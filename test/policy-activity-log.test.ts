/**
 * The activity log (Microsoft.Insights eventtypes/management/values) and subscription states, through real clients:
 * @azure/arm-resources and @azure/arm-resources-subscriptions for the writes and the state, plain fetch for the log
 * (what `az monitor activity-log list` sends) and the control API.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import type { ActivityEvent } from "./support/policy.js";

const START = "2026-03-01T09:00:00.000Z";

describe("activity log and subscription states", () => {
  let server: Aksemu;
  before(async () => (server = await startAksemu({ args: ["--clock", "frozen", "--now", START] })));
  after(() => server.dispose());

  async function activity(
    filter: string,
    extra = "",
  ): Promise<{ status: number; events: ActivityEvent[]; body: unknown }> {
    const path = `/subscriptions/${server.subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(filter)}${extra}`;
    const r = await server.fetch(path);
    const events: ActivityEvent[] = [];
    let body = r.body as { value?: ActivityEvent[]; nextLink?: string };
    if (r.status === 200) {
      events.push(...(body.value ?? []));
      while (body.nextLink !== undefined) {
        const next = await server.fetch(new URL(body.nextLink).pathname + new URL(body.nextLink).search);
        body = next.body as { value?: ActivityEvent[]; nextLink?: string };
        events.push(...(body.value ?? []));
      }
    }
    return { status: r.status, events, body: r.body };
  }

  it("logs synchronous writes and long-running operations with their caller, filtered as ARM filters", async () => {
    const client = server.resources();
    await client.resourceGroups.createOrUpdate("rg-log", { location: "westeurope" });
    await client.resourceGroups.createOrUpdate("rg-other", { location: "westeurope" });
    const poller = await client.resourceGroups.beginDelete("rg-other", { updateIntervalInMs: 20 });
    await server.advance("PT1S");
    await poller.pollUntilDone();

    const all = await activity(`eventTimestamp ge '2026-03-01T00:00:00Z' and eventTimestamp le '2026-03-02T00:00:00Z'`);
    assert.equal(all.status, 200);
    const writes = all.events.filter(
      (e) => e.operationName.value === "Microsoft.Resources/subscriptions/resourceGroups/write",
    );
    assert.equal(writes.length, 4, "a Started and a Succeeded event per group PUT");
    assert.ok(writes.every((e) => e.category.value === "Administrative" && e.subscriptionId === server.subscriptionId));
    const deletes = all.events.filter(
      (e) => e.operationName.value === "Microsoft.Resources/subscriptions/resourceGroups/delete",
    );
    assert.deepEqual(deletes.map((e) => e.status.value).sort(), ["Started", "Succeeded"]);
    assert.equal(deletes[0]!.correlationId, deletes[1]!.correlationId);
    // The caller is the principal of the token (a user object id), not the platform.
    assert.ok(all.events.every((e) => e.caller !== "AKS platform" && e.caller.length > 0));
    // Newest first, as ARM lists them.
    const stamps = all.events.map((e) => e.eventTimestamp);
    assert.deepEqual([...stamps].sort().reverse(), stamps);

    const byGroup = await activity(`eventTimestamp ge '2026-03-01T00:00:00Z' and resourceGroupName eq 'RG-LOG'`);
    assert.equal(byGroup.events.length, 2);
    assert.ok(byGroup.events.every((e) => e.resourceGroupName === "rg-log"));

    const byUri = await activity(
      `eventTimestamp ge '2026-03-01T00:00:00Z' and resourceUri eq '/subscriptions/${server.subscriptionId}/resourceGroups/rg-other'`,
    );
    assert.equal(byUri.events.length, 4);

    const correlation = deletes[0]!.correlationId;
    const byCorrelation = await activity(`eventTimestamp ge 2026-03-01T00:00:00 and correlationId eq '${correlation}'`);
    assert.equal(byCorrelation.events.length, 2);

    // A long-running operation's events carry the correlation id of the request that began it, as ARM's do.
    const mine = randomUUID();
    await client.resourceGroups.createOrUpdate("rg-correlated", { location: "westeurope" });
    const del = await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups/rg-correlated?api-version=2021-04-01`, { method: "DELETE", headers: { "x-ms-correlation-request-id": mine } }); // prettier-ignore
    assert.equal(del.status, 202);
    await server.advance("PT1S");
    const correlated = await activity(`eventTimestamp ge '2026-03-01T00:00:00Z' and correlationId eq '${mine}'`);
    assert.deepEqual(correlated.events.map((e) => `${e.operationName.value} ${e.status.value}`).sort(), [
      "Microsoft.Resources/subscriptions/resourceGroups/delete Started",
      "Microsoft.Resources/subscriptions/resourceGroups/delete Succeeded",
    ]);

    // The time window applies: nothing is logged before the start of the clock.
    const before = await activity(
      `eventTimestamp ge '2026-02-01T00:00:00Z' and eventTimestamp le '2026-02-28T00:00:00Z'`,
    );
    assert.equal(before.events.length, 0);

    // $select keeps only the named properties.
    const selected = await activity(
      `eventTimestamp ge '2026-03-01T00:00:00Z'`,
      "&$select=eventTimestamp,operationName",
    );
    const first = (selected.body as { value: Record<string, unknown>[] }).value[0]!;
    assert.deepEqual(Object.keys(first).sort(), ["eventTimestamp", "operationName"]);
  });

  it("refuses a missing or malformed $filter with a 400 that says what to send", async () => {
    const noFilter = await server.fetch(
      `/subscriptions/${server.subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01`,
    );
    assert.equal(noFilter.status, 400);
    assert.match((noFilter.body as { error: { message: string } }).error.message, /eventTimestamp ge/);
    const bad = await activity(`resourceGroupName eq 'x'`);
    assert.equal(bad.status, 400);
    const badDate = await activity(`eventTimestamp ge 'yesterday'`);
    assert.equal(badDate.status, 400);
    const noVersion = await server.fetch(
      `/subscriptions/${server.subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values?$filter=x`,
    );
    assert.equal(noVersion.status, 400);
    assert.equal((noVersion.body as { error: { code: string } }).error.code, "MissingApiVersionParameter");
  });

  it("moves a subscription through ARM's states: Disabled is read-only, reads still work, Enabled again accepts writes", async () => {
    const client = server.resources();
    await client.resourceGroups.createOrUpdate("rg-state", { location: "westeurope" });
    const subs = new SubscriptionClient(server.credential(), { endpoint: server.url });

    const disabled = await server.fetch(`/_emulator/subscriptions/${server.subscriptionId}/state`, {
      method: "PUT",
      body: { state: "Disabled" },
      auth: false,
    });
    assert.equal(disabled.status, 200);
    assert.equal((await subs.subscriptions.get(server.subscriptionId)).state, "Disabled");

    await assert.rejects(
      client.resourceGroups.createOrUpdate("rg-refused", { location: "westeurope" }),
      (e: { statusCode?: number; code?: string }) => {
        assert.equal(e.statusCode, 409);
        assert.equal(e.code, "ReadOnlyDisabledSubscription");
        return true;
      },
    );
    assert.equal((await client.resourceGroups.get("rg-state")).name, "rg-state");

    for (const state of ["Warned", "PastDue", "Enabled"]) {
      const r = await server.fetch(`/_emulator/subscriptions/${server.subscriptionId}/state`, {
        method: "PUT",
        body: { state },
        auth: false,
      });
      assert.equal(r.status, 200);
      assert.equal((await subs.subscriptions.get(server.subscriptionId)).state, state);
      await client.resourceGroups.createOrUpdate(`rg-${state.toLowerCase()}`, { location: "westeurope" });
    }

    const bad = await server.fetch(`/_emulator/subscriptions/${server.subscriptionId}/state`, {
      method: "PUT",
      body: { state: "Suspended" },
      auth: false,
    });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { error: { message: string } }).error.message, /Disabled/);
  });

  it("creates a subscription in a given state when the id is new", async () => {
    const id = randomUUID();
    const r = await server.fetch(`/_emulator/subscriptions/${id}/state`, {
      method: "PUT",
      body: { state: "Warned" },
      auth: false,
    });
    assert.equal(r.status, 201);
    const subs = new SubscriptionClient(server.credential(), { endpoint: server.url });
    assert.equal((await subs.subscriptions.get(id)).state, "Warned");
    const notGuid = await server.fetch(`/_emulator/subscriptions/not-a-guid/state`, {
      method: "PUT",
      body: { state: "Enabled" },
      auth: false,
    });
    assert.equal(notGuid.status, 400);
  });
});
