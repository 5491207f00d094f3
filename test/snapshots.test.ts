/**
 * Node pool snapshots through the real @azure/arm-containerservice (`client.snapshots`): take a snapshot of a pool,
 * read, list (resource group and subscription), tag and delete it; create a pool and a cluster from it (they run the
 * snapshot's Kubernetes version, OS and node image, even after newer images are out); the refusals AKS gives; and the
 * resource group delete taking its snapshots along. Bodies are checked against the 2025-10-01 spec.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient, type Snapshot } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC = specFile("containerservice/2025-10-01/managedClusters.json");
const POLL = { updateIntervalInMs: 20 };
const RG = "rg-snap";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("node pool snapshots through @azure/arm-containerservice", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const rgPath = (rg: string): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ContainerService`;
  const poolId = (cluster: string, pool: string): string =>
    `${rgPath(RG)}/managedClusters/${cluster}/agentPools/${pool}`;
  const snapshotId = (name: string, rg = RG): string => `${rgPath(rg)}/snapshots/${name}`;

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "westeurope" });
    await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "src",
      {
        location: "westeurope",
        identity: { type: "SystemAssigned" },
        dnsPrefix: "src",
        agentPoolProfiles: [
          { name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" },
          { name: "azl", count: 1, vmSize: "Standard_D4s_v5", mode: "User", osType: "Linux", osSKU: "AzureLinux" },
        ],
      },
      POLL,
    );
  });
  after(async () => {
    await server.dispose();
  });

  it("takes a snapshot of a pool: its version, OS, node image and size at that moment", async () => {
    const source = await client.agentPools.get(RG, "src", "azl");
    const snap = await client.snapshots.createOrUpdate(RG, "snap1", {
      location: "westeurope",
      tags: { team: "platform" },
      creationData: { sourceResourceId: poolId("src", "azl") },
      snapshotType: "NodePool",
    });
    assert.equal(snap.id, snapshotId("snap1"));
    assert.equal(snap.name, "snap1");
    assert.equal(snap.type, "Microsoft.ContainerService/Snapshots");
    assert.equal(snap.location, "westeurope");
    assert.deepEqual(snap.tags, { team: "platform" });
    assert.equal(snap.kubernetesVersion, source.currentOrchestratorVersion);
    assert.equal(snap.nodeImageVersion, source.nodeImageVersion);
    assert.equal(snap.osType, "Linux");
    assert.equal(snap.osSku, "AzureLinux");
    assert.equal(snap.vmSize, "Standard_D4s_v5");
    assert.equal(snap.enableFips, false);
    assert.equal(snap.systemData?.createdByType, "Application");
    assert.ok(snap.systemData?.createdAt instanceof Date);

    // Over HTTPS: the create answers 200 (as real AKS does), and every body has the spec's shape.
    const again = await server.fetch(`${snapshotId("snap1")}?api-version=2025-10-01`, {
      method: "PUT",
      body: { location: "westeurope", properties: { creationData: { sourceResourceId: poolId("src", "azl") } } },
    });
    assert.equal(again.status, 200, again.text);
    assertMatchesSpec(SPEC, "Snapshots_CreateOrUpdate", 200, again.body);
    const got = await server.fetch(`${snapshotId("snap1")}?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "Snapshots_Get", 200, got.body);
    const byGroup = await server.fetch(`${rgPath(RG)}/snapshots?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "Snapshots_ListByResourceGroup", 200, byGroup.body);
    const bySub = await server.fetch(`/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/snapshots?api-version=2025-10-01`); // prettier-ignore
    assertMatchesSpec(SPEC, "Snapshots_List", 200, bySub.body);
    // api-version 2022-11-01 (az CLI 2.45) gets the same shape.
    const old = await server.fetch(`${snapshotId("snap1")}?api-version=2022-11-01`);
    assertMatchesSpec(specFile("containerservice/2022-11-01/managedClusters.json"), "Snapshots_Get", 200, old.body);
  });

  it("reads, lists, tags and deletes snapshots", async () => {
    const read = await client.snapshots.get(RG, "snap1");
    assert.equal(read.osSku, "AzureLinux");
    await client.snapshots.createOrUpdate(RG, "snap2", {
      location: "westeurope",
      creationData: { sourceResourceId: poolId("src", "system") },
    });
    const inGroup = await collect(client.snapshots.listByResourceGroup(RG));
    assert.deepEqual(inGroup.map((s) => s.name).sort(), ["snap1", "snap2"]);
    const inSub = await collect(client.snapshots.list());
    assert.deepEqual(inSub.map((s) => s.name).sort(), ["snap1", "snap2"]);

    const tagged = await client.snapshots.updateTags(RG, "snap2", { tags: { env: "test" } });
    assert.deepEqual(tagged.tags, { env: "test" });
    assert.equal(tagged.kubernetesVersion, read.kubernetesVersion);
    const patched = await server.fetch(`${snapshotId("snap2")}?api-version=2025-10-01`, {
      method: "PATCH",
      body: { tags: { env: "prod" } },
    });
    assert.equal(patched.status, 200);
    assertMatchesSpec(SPEC, "Snapshots_UpdateTags", 200, patched.body);

    await client.snapshots.delete(RG, "snap2");
    await assert.rejects(client.snapshots.get(RG, "snap2"), (e: { statusCode?: number; code?: string }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "ResourceNotFound");
      return true;
    });
    // Deleting what is already gone: 204.
    const gone = await server.fetch(`${snapshotId("snap2")}?api-version=2025-10-01`, { method: "DELETE" });
    assert.equal(gone.status, 204);
  });

  it("creates a pool from a snapshot: the snapshot's version, OS SKU and node image, not the newest", async () => {
    const snap: Snapshot = await client.snapshots.get(RG, "snap1");
    // Three weeks later newer node images are out: a plain new pool gets the newest, a pool from the snapshot does not.
    await server.advance("P21D");
    const plain = await client.agentPools.beginCreateOrUpdateAndWait(RG, "src", "plain", { count: 1, vmSize: "Standard_D4s_v5", osSKU: "AzureLinux" }, POLL); // prettier-ignore
    assert.notEqual(plain.nodeImageVersion, snap.nodeImageVersion);

    const fromSnap = await client.agentPools.beginCreateOrUpdateAndWait(
      RG,
      "src",
      "fromsnap",
      { count: 1, vmSize: "Standard_D4s_v5", creationData: { sourceResourceId: snapshotId("snap1") } },
      POLL,
    );
    assert.equal(fromSnap.provisioningState, "Succeeded");
    assert.equal(fromSnap.nodeImageVersion, snap.nodeImageVersion);
    assert.equal(fromSnap.osSKU, "AzureLinux");
    assert.equal(fromSnap.osType, "Linux");
    assert.equal(fromSnap.currentOrchestratorVersion, snap.kubernetesVersion);
    assert.equal(fromSnap.creationData?.sourceResourceId, snapshotId("snap1"));
    const raw = await server.fetch(`${poolId("src", "fromsnap")}?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "AgentPools_Get", 200, raw.body);

    // The snapshot does not follow its source pool, and outlives it.
    await client.agentPools.beginDeleteAndWait(RG, "src", "azl", POLL);
    const kept = await client.snapshots.get(RG, "snap1");
    assert.equal(kept.nodeImageVersion, snap.nodeImageVersion);
  });

  it("creates a cluster whose pool comes from a snapshot", async () => {
    const snap = await client.snapshots.get(RG, "snap1");
    const cluster = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "fromsnap",
      {
        location: "westeurope",
        identity: { type: "SystemAssigned" },
        dnsPrefix: "fromsnap",
        agentPoolProfiles: [
          {
            name: "system",
            count: 1,
            vmSize: "Standard_D4s_v5",
            mode: "System",
            creationData: { sourceResourceId: snapshotId("snap1") },
          },
        ],
      },
      POLL,
    );
    const pool = cluster.agentPoolProfiles![0]!;
    assert.equal(pool.nodeImageVersion, snap.nodeImageVersion);
    assert.equal(pool.osSKU, "AzureLinux");
    assert.equal(pool.orchestratorVersion, snap.kubernetesVersion);
    assert.equal(pool.creationData?.sourceResourceId, snapshotId("snap1"));
  });

  it("refuses what AKS refuses, saying what to change", async () => {
    const put = (name: string, body: unknown) =>
      server.fetch(`${snapshotId(name)}?api-version=2025-10-01`, { method: "PUT", body });
    const missingPool = await put("bad1", { location: "westeurope", properties: { creationData: { sourceResourceId: poolId("src", "nope") } } }); // prettier-ignore
    assert.equal(missingPool.status, 404);
    assert.equal((missingPool.body as { error: { code: string } }).error.code, "NotFound");
    const noSource = await put("bad2", { location: "westeurope", properties: {} });
    assert.equal(noSource.status, 400);
    assert.match((noSource.body as { error: { message: string } }).error.message, /creationData\.sourceResourceId/);
    const notPool = await put("bad3", { location: "westeurope", properties: { creationData: { sourceResourceId: `${rgPath(RG)}/managedClusters/src` } } }); // prettier-ignore
    assert.equal(notPool.status, 400);
    const noLocation = await put("bad4", { properties: { creationData: { sourceResourceId: poolId("src", "system") } } }); // prettier-ignore
    assert.equal(noLocation.status, 400);
    assert.equal((noLocation.body as { error: { code: string } }).error.code, "LocationRequired");
    const badName = await put("-bad", { location: "westeurope", properties: { creationData: { sourceResourceId: poolId("src", "system") } } }); // prettier-ignore
    assert.equal(badName.status, 400);

    // A pool from a snapshot that does not exist, or with an OS SKU other than the snapshot's.
    await assert.rejects(
      client.agentPools.beginCreateOrUpdateAndWait(RG, "src", "ghost", { count: 1, creationData: { sourceResourceId: snapshotId("ghost") } }, POLL), // prettier-ignore
      (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === "NotFound",
    );
    await assert.rejects(
      client.agentPools.beginCreateOrUpdateAndWait(RG, "src", "mixed", { count: 1, osSKU: "Ubuntu", creationData: { sourceResourceId: snapshotId("snap1") } }, POLL), // prettier-ignore
      (e: { statusCode?: number; code?: string; message?: string }) =>
        e.statusCode === 400 && e.code === "InvalidParameter" && /snapshot/.test(e.message ?? ""),
    );
  });

  it("goes away with its resource group", async () => {
    await server.resources().resourceGroups.createOrUpdate("rg-snap-other", { location: "westeurope" });
    await client.snapshots.createOrUpdate("rg-snap-other", "elsewhere", {
      location: "westeurope",
      creationData: { sourceResourceId: poolId("src", "system") },
    });
    assert.equal((await collect(client.snapshots.list())).length, 2);
    await server.resources().resourceGroups.beginDeleteAndWait("rg-snap-other", POLL);
    const left = await collect(client.snapshots.list());
    assert.deepEqual(
      left.map((s) => s.name),
      ["snap1"],
    );
    const gone = await server.fetch(`${snapshotId("elsewhere", "rg-snap-other")}?api-version=2025-10-01`);
    assert.equal(gone.status, 404);
  });
});
