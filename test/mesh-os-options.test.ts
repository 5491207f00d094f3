/**
 * The Istio mesh add-on's revision profiles (region) and upgrade profiles (cluster) through the real
 * @azure/arm-containerservice, and the region's OS options (api-version 2022-11-01 over HTTPS: the operation left the
 * specs after 2024-04-02-preview, and the current SDK). On 2024-07-03, the date of the real answers the catalog comes
 * from. Bodies are checked against the specs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC = specFile("containerservice/2025-10-01/managedClusters.json");
const SPEC_2022 = specFile("containerservice/2022-11-01/managedClusters.json");
const POLL = { updateIntervalInMs: 20 };
const RG = "rg-mesh";

describe("mesh revision / upgrade profiles and OS options", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const sub = (): string => `/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService`;
  const cluster = (name: string): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${name}`;

  before(async () => {
    server = await startAksemu({ args: ["--now", "2024-07-03T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "westus2" });
  });
  after(async () => {
    await server.dispose();
  });

  it("lists the mesh revisions of a region, each with its upgrades and Kubernetes minors", async () => {
    const profiles = [];
    for await (const p of client.managedClusters.listMeshRevisionProfiles("westus2")) profiles.push(p);
    assert.equal(profiles.length, 1);
    assert.equal(profiles[0]!.name, "istio");
    const revisions = profiles[0]!.properties?.meshRevisions ?? [];
    assert.deepEqual(
      revisions.map((r) => r.revision),
      ["asm-1-20", "asm-1-21", "asm-1-22"],
    );
    assert.deepEqual(revisions[0]!.upgrades, ["asm-1-21"]);
    assert.ok(revisions[0]!.compatibleWith?.[0]?.versions?.includes("1.28"));
    const one = await client.managedClusters.getMeshRevisionProfile("westus2", "istio");
    assert.equal(one.id, `${sub()}/locations/westus2/meshRevisionProfiles/istio`);

    const raw = await server.fetch(`${sub()}/locations/westus2/meshRevisionProfiles?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "ManagedClusters_ListMeshRevisionProfiles", 200, raw.body);
    const rawOne = await server.fetch(`${sub()}/locations/westus2/meshRevisionProfiles/istio?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "ManagedClusters_GetMeshRevisionProfile", 200, rawOne.body);
    const otherMode = await server.fetch(`${sub()}/locations/westus2/meshRevisionProfiles/linkerd?api-version=2025-10-01`); // prettier-ignore
    assert.equal(otherMode.status, 404);
  });

  it("gives a cluster with the mesh its upgrade profile, and none without it", async () => {
    const base = {
      location: "westus2",
      identity: { type: "SystemAssigned" as const },
      kubernetesVersion: "1.28",
      agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System" as const }],
    };
    await client.managedClusters.beginCreateOrUpdateAndWait(RG, "plain", { ...base, dnsPrefix: "plain" }, POLL);
    await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "meshed",
      { ...base, dnsPrefix: "meshed", serviceMeshProfile: { mode: "Istio", istio: { revisions: ["asm-1-20"] } } },
      POLL,
    );

    const none = [];
    for await (const p of client.managedClusters.listMeshUpgradeProfiles(RG, "plain")) none.push(p);
    assert.deepEqual(none, []);
    await assert.rejects(client.managedClusters.getMeshUpgradeProfile(RG, "plain", "istio"), (e: { statusCode?: number }) => e.statusCode === 404); // prettier-ignore

    const profiles = [];
    for await (const p of client.managedClusters.listMeshUpgradeProfiles(RG, "meshed")) profiles.push(p);
    assert.equal(profiles.length, 1);
    assert.equal(profiles[0]!.properties?.revision, "asm-1-20");
    assert.deepEqual(profiles[0]!.properties?.upgrades, ["asm-1-21"]);
    const one = await client.managedClusters.getMeshUpgradeProfile(RG, "meshed", "istio");
    assert.equal(one.id, `${cluster("meshed")}/meshUpgradeProfiles/istio`);

    const raw = await server.fetch(`${cluster("meshed")}/meshUpgradeProfiles?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "ManagedClusters_ListMeshUpgradeProfiles", 200, raw.body);
    const rawOne = await server.fetch(`${cluster("meshed")}/meshUpgradeProfiles/istio?api-version=2025-10-01`);
    assertMatchesSpec(SPEC, "ManagedClusters_GetMeshUpgradeProfile", 200, rawOne.body);
  });

  it("lists the OS options of a region (api-version 2022-11-01), and refuses an unknown region", async () => {
    const r = await server.fetch(`${sub()}/locations/westus2/osOptions/default?api-version=2022-11-01`);
    assert.equal(r.status, 200, r.text);
    assertMatchesSpec(SPEC_2022, "ManagedClusters_GetOSOptions", 200, r.body);
    const list = (r.body as { properties: { osOptionPropertyList: { "os-type": string; "enable-fips-image": boolean }[] } }).properties.osOptionPropertyList; // prettier-ignore
    assert.deepEqual(
      list.map((o) => `${o["os-type"]}/${o["enable-fips-image"]}`),
      ["Linux/false", "Linux/true", "Windows/false", "Windows/true"],
    );
    const nowhere = await server.fetch(`${sub()}/locations/atlantis/osOptions/default?api-version=2022-11-01`);
    assert.equal(nowhere.status, 400);
  });
});
