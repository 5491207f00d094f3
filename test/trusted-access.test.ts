/**
 * Trusted access through the real @azure/arm-containerservice (`client.trustedAccessRoles`,
 * `client.trustedAccessRoleBindings` with its pollers): the role catalog of a region, a binding's create (201,
 * Updating, then Succeeded), update, list, delete, the refusals, and AKS's NotFound for a missing binding. Bodies are
 * checked against the 2025-10-01 spec.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient, createCluster } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC = specFile("containerservice/2025-10-01/managedClusters.json");
const POLL = { updateIntervalInMs: 20 };
const RG = "rg-ta";
const V = "api-version=2025-10-01";

describe("trusted access through @azure/arm-containerservice", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const cluster = (rest = ""): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/ta${rest}`;
  const workspace = (): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/ws1`;

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "eastus" });
    await createCluster(server, RG, "ta", { location: "eastus" });
  });
  after(async () => {
    await server.dispose();
  });

  it("lists the roles other services can be granted", async () => {
    const roles = [];
    for await (const r of client.trustedAccessRoles.list("eastus")) roles.push(r);
    const ml = roles.find((r) => r.sourceResourceType === "Microsoft.MachineLearningServices/workspaces" && r.name === "mlworkload"); // prettier-ignore
    assert.ok(ml, "mlworkload role listed");
    assert.ok((ml.rules ?? []).length > 0);
    assert.ok(roles.some((r) => r.sourceResourceType === "Microsoft.DataProtection/backupVaults" && r.name === "backup-operator")); // prettier-ignore
    const raw = await server.fetch(`/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/locations/eastus/trustedAccessRoles?${V}`); // prettier-ignore
    assertMatchesSpec(SPEC, "TrustedAccessRoles_List", 200, raw.body);
  });

  it("binds a role to a source resource, updates, lists and deletes the binding", async () => {
    await assert.rejects(client.trustedAccessRoleBindings.get(RG, "ta", "mlbinding"), (e: { statusCode?: number; code?: string; message?: string }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "NotFound");
      assert.match(e.message ?? "", /trusted access role binding mlbinding/);
      return true;
    }); // prettier-ignore

    // Over HTTPS: 201 with Updating and an Azure-AsyncOperation, then Succeeded.
    const put = await server.fetch(`${cluster("/trustedAccessRoleBindings/mlbinding")}?${V}`, {
      method: "PUT",
      body: { properties: { sourceResourceId: workspace(), roles: ["Microsoft.MachineLearningServices/workspaces/mlworkload"] } }, // prettier-ignore
    });
    assert.equal(put.status, 201, put.text);
    assertMatchesSpec(SPEC, "TrustedAccessRoleBindings_CreateOrUpdate", 201, put.body);
    assert.equal((put.body as { properties: { provisioningState: string } }).properties.provisioningState, "Updating");
    assert.match(put.headers.get("azure-asyncoperation") ?? "", /\/locations\/eastus\/operations\/[0-9a-f-]{36}\?/);

    // Through the SDK's poller: an update of the roles.
    const updated = await client.trustedAccessRoleBindings.beginCreateOrUpdateAndWait(RG, "ta", "mlbinding", { sourceResourceId: workspace(), roles: ["Microsoft.MachineLearningServices/workspaces/mlworkload", "Microsoft.MachineLearningServices/workspaces/inference-v1"] }, POLL); // prettier-ignore
    assert.equal(updated.provisioningState, "Succeeded");
    assert.equal(updated.roles.length, 2);
    assert.equal(updated.sourceResourceId, workspace());
    const got = await server.fetch(`${cluster("/trustedAccessRoleBindings/mlbinding")}?${V}`);
    assertMatchesSpec(SPEC, "TrustedAccessRoleBindings_Get", 200, got.body);

    const all = [];
    for await (const b of client.trustedAccessRoleBindings.list(RG, "ta")) all.push(b.name);
    assert.deepEqual(all, ["mlbinding"]);
    const list = await server.fetch(`${cluster("/trustedAccessRoleBindings")}?${V}`);
    assertMatchesSpec(SPEC, "TrustedAccessRoleBindings_List", 200, list.body);

    await client.trustedAccessRoleBindings.beginDeleteAndWait(RG, "ta", "mlbinding", POLL);
    const none = [];
    for await (const b of client.trustedAccessRoleBindings.list(RG, "ta")) none.push(b.name);
    assert.deepEqual(none, []);
    const again = await server.fetch(`${cluster("/trustedAccessRoleBindings/mlbinding")}?${V}`, { method: "DELETE" });
    assert.equal(again.status, 204);
  });

  it("refuses unknown roles, roles of another resource type, bad names and a missing cluster", async () => {
    const put = (name: string, properties: unknown, path = cluster) =>
      server.fetch(`${path(`/trustedAccessRoleBindings/${name}`)}?${V}`, { method: "PUT", body: { properties } });
    const unknownRole = await put("b1", { sourceResourceId: workspace(), roles: ["Microsoft.MachineLearningServices/workspaces/admin"] }); // prettier-ignore
    assert.equal(unknownRole.status, 400);
    assert.match((unknownRole.body as { error: { message: string } }).error.message, /trustedAccessRoles/);
    const wrongType = await put("b2", { sourceResourceId: workspace(), roles: ["Microsoft.DataProtection/backupVaults/backup-operator"] }); // prettier-ignore
    assert.equal(wrongType.status, 400);
    const noRoles = await put("b3", { sourceResourceId: workspace(), roles: [] });
    assert.equal(noRoles.status, 400);
    const badName = await put("bad_name", { sourceResourceId: workspace(), roles: ["Microsoft.MachineLearningServices/workspaces/mlworkload"] }); // prettier-ignore
    assert.equal(badName.status, 400);
    const noCluster = await put("b4", { sourceResourceId: workspace(), roles: ["Microsoft.MachineLearningServices/workspaces/mlworkload"] }, (rest) => cluster(`x${rest}`)); // prettier-ignore
    assert.equal(noCluster.status, 404);
    assert.equal((noCluster.body as { error: { code: string } }).error.code, "NotFound");
  });
});
