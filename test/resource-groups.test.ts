import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { startAksemu, type Aksemu } from "./support/aksemu.js";

describe("Microsoft.Resources through the real Azure SDK", () => {
  let server: Aksemu;
  before(async () => (server = await startAksemu()));
  after(() => server.dispose());

  it("creates, reads, lists, updates and deletes resource groups with @azure/arm-resources", async () => {
    const client = server.resources();
    const created = await client.resourceGroups.createOrUpdate("rg-sdk", {
      location: "westeurope",
      tags: { team: "platform" },
    });
    assert.equal(created.name, "rg-sdk");
    assert.equal(created.location, "westeurope");
    assert.equal(created.id, `/subscriptions/${server.subscriptionId}/resourceGroups/rg-sdk`);
    assert.equal(created.properties?.provisioningState, "Succeeded");

    // Names are matched case-insensitively and echoed as created.
    const read = await client.resourceGroups.get("RG-SDK");
    assert.equal(read.name, "rg-sdk");
    assert.deepEqual(read.tags, { team: "platform" });

    const updated = await client.resourceGroups.update("rg-sdk", { tags: { team: "apps" } });
    assert.deepEqual(updated.tags, { team: "apps" });

    const names: string[] = [];
    for await (const group of client.resourceGroups.list()) names.push(group.name!);
    assert.ok(names.includes("rg-sdk"));

    assert.equal((await client.resourceGroups.checkExistence("rg-sdk")).body, true);
    await client.resourceGroups.beginDeleteAndWait("rg-sdk", { updateIntervalInMs: 20 });
    assert.equal((await client.resourceGroups.checkExistence("rg-sdk")).body, false);
    await assert.rejects(client.resourceGroups.get("rg-sdk"), (e: { statusCode?: number; code?: string }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "ResourceGroupNotFound");
      return true;
    });
  });

  it("lists the default subscription and tenant with @azure/arm-resources-subscriptions", async () => {
    const client = new SubscriptionClient(server.credential(), { endpoint: server.url });
    const subs = [];
    for await (const s of client.subscriptions.list()) subs.push(s);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.subscriptionId, server.subscriptionId);
    assert.equal(subs[0]!.state, "Enabled");
    assert.equal(subs[0]!.tenantId, server.tenantId);
    const one = await client.subscriptions.get(server.subscriptionId);
    assert.equal(one.id, `/subscriptions/${server.subscriptionId}`);
    const tenants = [];
    for await (const t of client.tenants.list()) tenants.push(t);
    assert.equal(tenants[0]!.tenantId, server.tenantId);
  });

  it("refuses a resource group without a location, or in a region that does not exist", async () => {
    const noLocation = await server.fetch(
      `/subscriptions/${server.subscriptionId}/resourcegroups/rg-x?api-version=2021-04-01`,
      {
        method: "PUT",
        body: {},
      },
    );
    assert.equal(noLocation.status, 400);
    assert.equal((noLocation.body as { error: { code: string } }).error.code, "LocationRequired");
    const badRegion = await server.fetch(
      `/subscriptions/${server.subscriptionId}/resourcegroups/rg-x?api-version=2021-04-01`,
      {
        method: "PUT",
        body: { location: "atlantis" },
      },
    );
    assert.equal(badRegion.status, 400);
    assert.equal((badRegion.body as { error: { code: string } }).error.code, "LocationNotAvailableForResourceGroup");
  });
});
