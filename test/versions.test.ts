import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient, type KubernetesVersion, type ManagedCluster } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient, settle } from "./support/policy.js";
import { assertMatchesSpec, specForApiVersion } from "./support/spec.js";
import { AzCli, azSuiteOptions, requireAz } from "./support/az-cli.js";

const SPEC = specForApiVersion("containerservice", "2025-10-01");
const SPEC_2022 = specForApiVersion("containerservice", "2022-11-01");

function client(server: Aksemu): ContainerServiceClient {
  return clusterClient(server);
}

/** `listKubernetesVersions` through the SDK, plus the raw body (validated against the spec). */
async function kubernetesVersions(server: Aksemu, location = "eastus"): Promise<KubernetesVersion[]> {
  const raw = await server.fetch(
    `/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/locations/${location}/kubernetesVersions?api-version=2025-10-01`,
  );
  assert.equal(raw.status, 200, raw.text);
  assertMatchesSpec(SPEC, "ManagedClusters_ListKubernetesVersions", 200, raw.body);
  const result = await client(server).managedClusters.listKubernetesVersions(location);
  return result.values ?? [];
}

interface Orchestrator {
  orchestratorType: string;
  orchestratorVersion: string;
  default?: boolean;
  isPreview?: boolean;
  upgrades?: { orchestratorVersion: string }[];
}

async function orchestrators(server: Aksemu, location = "eastus"): Promise<Orchestrator[]> {
  const r = await server.fetch(
    `/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/locations/${location}/orchestrators?api-version=2019-04-01&resource-type=managedClusters`,
  );
  assert.equal(r.status, 200, r.text);
  const body = r.body as { id: string; name: string; type: string; properties: { orchestrators: Orchestrator[] } };
  assert.equal(
    body.id,
    `/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/locations/${location}/orchestrators`,
  );
  assert.equal(body.name, "default");
  assert.equal(body.type, "Microsoft.ContainerService/locations/orchestrators");
  return body.properties.orchestrators;
}

const byVersion = (values: KubernetesVersion[], minor: string): KubernetesVersion | undefined =>
  values.find((v) => v.version === minor);
const patchesOf = (v: KubernetesVersion | undefined): string[] => Object.keys(v?.patchVersions ?? {});
const latest = (patches: string[]): string =>
  patches.sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]))[patches.length - 1]!;

/** Creates a one-pool cluster through the SDK on a frozen clock (the operation ends when `settle` moves it). */
function createClusterIn(
  server: Aksemu,
  rg: string,
  name: string,
  location: string,
  extra: Partial<ManagedCluster> = {},
): Promise<ManagedCluster> {
  return settle(
    server,
    client(server).managedClusters.beginCreateOrUpdate(rg, name, {
      location,
      identity: { type: "SystemAssigned" },
      dnsPrefix: name,
      agentPoolProfiles: [{ name: "nodepool1", count: 1, vmSize: "Standard_DS2_v2", mode: "System" }],
      ...extra,
    }),
  );
}

describe("kubernetesVersions and orchestrators on 2026-11-27", () => {
  let server: Aksemu;
  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T10:00:00Z"] });
  });
  after(async () => {
    await server.dispose();
  });

  it("lists the community minors 1.34–1.37 under KubernetesOfficial, with 1.36 (N-1) as default", async () => {
    const values = await kubernetesVersions(server);
    const official = values.filter((v) => v.capabilities?.supportPlan?.includes("KubernetesOfficial"));
    assert.deepEqual(official.map((v) => v.version).sort(), ["1.34", "1.35", "1.36", "1.37"]);
    const defaults = values.filter((v) => v.isDefault === true);
    assert.deepEqual(
      defaults.map((v) => v.version),
      ["1.36"],
    );
    // every GA minor from 1.33 on is LTS-capable too
    for (const v of official) assert.ok(v.capabilities?.supportPlan?.includes("AKSLongTermSupport"), v.version);
    // real patch data: 1.36.2 shipped 2026-07-17, so 1.36 is well past it now
    assert.ok(patchesOf(byVersion(values, "1.36")).every((p) => Number(p.split(".")[2]) > 2));
    // nothing is preview today (1.38 previews in Feb 2027)
    assert.ok(values.every((v) => v.isPreview !== true));
  });

  it("shows LTS-only minors (1.31–1.33 today) only under AKSLongTermSupport, with their 2 newest patches", async () => {
    const values = await kubernetesVersions(server);
    const ltsOnly = values.filter((v) => v.capabilities?.supportPlan?.join() === "AKSLongTermSupport");
    assert.deepEqual(ltsOnly.map((v) => v.version).sort(), ["1.31", "1.32", "1.33"]);
    for (const v of ltsOnly) assert.equal(patchesOf(v).length, 2, `${v.version}: ${patchesOf(v).join()}`);
    // 1.30's LTS ended in July 2026: gone; 1.29 and older too
    assert.equal(byVersion(values, "1.30"), undefined);
    // LTS minors may skip minors to a later LTS version
    const v133 = byVersion(values, "1.33")!;
    const upgrades = v133.patchVersions![latest(patchesOf(v133))]!.upgrades!;
    assert.ok(upgrades.some((u) => u.startsWith("1.35.")));
    assert.ok(upgrades.some((u) => u.startsWith("1.37.")));
  });

  it("offers newer patches of the same minor and the next minor only as upgrades of a community version", async () => {
    const values = await kubernetesVersions(server);
    const v135 = byVersion(values, "1.35")!;
    const patches = patchesOf(v135);
    assert.ok(patches.length >= 2 && patches.length <= 3, patches.join());
    const oldest = patches.sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]))[0]!;
    const upgrades = v135.patchVersions![oldest]!.upgrades!;
    const minors = new Set(upgrades.map((u) => u.split(".").slice(0, 2).join(".")));
    assert.deepEqual([...minors].sort(), ["1.35", "1.36"]);
    assert.ok(upgrades.includes(latest(patches)));
    assert.deepEqual(
      upgrades,
      [...upgrades].sort((a, b) => a.localeCompare(b, "en", { numeric: true })),
    );
    // the newest minor has only patch upgrades
    const v137 = byVersion(values, "1.37")!;
    const top = latest(patchesOf(v137));
    assert.deepEqual(v137.patchVersions![top]!.upgrades, []);
  });

  it("serves the 2019-04-01 orchestrators list that az aks get-versions (az 2.45) reads", async () => {
    const list = await orchestrators(server);
    assert.ok(list.every((o) => o.orchestratorType === "Kubernetes"));
    const minors = new Set(list.map((o) => o.orchestratorVersion.split(".").slice(0, 2).join(".")));
    assert.deepEqual([...minors], ["1.34", "1.35", "1.36", "1.37"]); // ascending, no LTS-only minors
    const defaults = list.filter((o) => o.default === true);
    assert.equal(defaults.length, 1);
    const values = await kubernetesVersions(server);
    assert.equal(defaults[0]!.orchestratorVersion, latest(patchesOf(byVersion(values, "1.36"))));
    const newest = list[list.length - 1]!;
    assert.equal(newest.upgrades, undefined); // as AKS: no "upgrades" key when there are none
  });

  it("refuses an unknown region as ARM does, and lists the provider's operations", async () => {
    const r = await server.fetch(
      `/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/locations/atlantis/kubernetesVersions?api-version=2025-10-01`,
    );
    assert.equal(r.status, 400);
    const error = (r.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "NoRegisteredProviderFound");
    assert.match(error.message, /location 'atlantis'/);
    assert.match(error.message, /eastus/);
    // display names are accepted like names
    assert.equal((await kubernetesVersions(server, "westeurope")).length > 0, true);

    const ops = await server.fetch("/providers/Microsoft.ContainerService/operations?api-version=2025-10-01");
    assert.equal(ops.status, 200);
    assertMatchesSpec(SPEC, "Operations_List", 200, ops.body);
    const names: string[] = [];
    for await (const op of client(server).operations.list()) names.push(op.name!);
    assert.ok(names.includes("Microsoft.ContainerService/managedClusters/write"));
    assert.ok(names.includes("Microsoft.ContainerService/locations/kubernetesVersions/read"));
  });

  it("moves with the clock: six months later 1.34 is LTS-only, 1.38 is GA and 1.37 is the default", async () => {
    const before = await kubernetesVersions(server);
    await server.advance("P6M"); // 2027-05-27
    const values = await kubernetesVersions(server);
    assert.notDeepEqual(values, before);
    assert.deepEqual(byVersion(values, "1.34")!.capabilities!.supportPlan, ["AKSLongTermSupport"]);
    assert.deepEqual(byVersion(values, "1.38")!.capabilities!.supportPlan, [
      "KubernetesOfficial",
      "AKSLongTermSupport",
    ]);
    assert.deepEqual(
      values.filter((v) => v.isDefault === true).map((v) => v.version),
      ["1.37"],
    );
    // 1.39 previews in May 2027
    assert.equal(byVersion(values, "1.39")?.isPreview, true);
    const list = await orchestrators(server);
    assert.ok(list.some((o) => o.orchestratorVersion.startsWith("1.39.") && o.isPreview === true));
    assert.ok(!list.some((o) => o.orchestratorVersion.startsWith("1.34.")));
  });
});

describe("kubernetesVersions on other dates", () => {
  it("2025-06-15: 1.30–1.33 community, default 1.32 (N-1), 1.27–1.29 only under LTS", async () => {
    const server = await startAksemu({ args: ["--clock", "frozen", "--now", "2025-06-15T12:00:00Z"] });
    try {
      const values = await kubernetesVersions(server);
      const official = values.filter((v) => v.capabilities?.supportPlan?.includes("KubernetesOfficial"));
      assert.deepEqual(official.map((v) => v.version).sort(), ["1.30", "1.31", "1.32", "1.33"]);
      assert.equal(values.find((v) => v.isDefault === true)?.version, "1.32");
      const ltsOnly = values.filter((v) => v.capabilities?.supportPlan?.join() === "AKSLongTermSupport");
      assert.deepEqual(ltsOnly.map((v) => v.version).sort(), ["1.27", "1.28", "1.29"]);
      // a real data point: on 2025-07-08 AKS resolved "1.32" to 1.32.5; three weeks earlier it was not out yet
      assert.ok(!patchesOf(byVersion(values, "1.32")).includes("1.32.5"));
      await server.advance("P23D"); // 2025-07-08
      const later = await kubernetesVersions(server);
      assert.equal(latest(patchesOf(byVersion(later, "1.32"))), "1.32.5");
    } finally {
      await server.dispose();
    }
  });

  it("2026-07-17: the patches of that day's release notes (1.36.2, 1.35.6, 1.34.9, 1.33.13) are the newest", async () => {
    const server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-07-17T12:00:00Z"] });
    try {
      const values = await kubernetesVersions(server);
      for (const patch of ["1.36.2", "1.35.6", "1.34.9", "1.33.13"]) {
        const minor = patch.split(".").slice(0, 2).join(".");
        assert.equal(latest(patchesOf(byVersion(values, minor))), patch);
      }
      const def = (await orchestrators(server)).find((o) => o.default === true);
      assert.equal(def?.orchestratorVersion, "1.35.6");
    } finally {
      await server.dispose();
    }
  });

  it("2024-11-20: the canary region eastus2euap runs ahead (1.31 GA, default 1.30) and gets Overlay by default", async () => {
    const server = await startAksemu({ args: ["--clock", "frozen", "--now", "2024-11-20T12:00:00Z"] });
    try {
      // As recorded that week: westus2 still lists 1.31 as preview and defaults to 1.29; eastus2euap has 1.31 GA.
      const westus2 = await kubernetesVersions(server, "westus2");
      assert.equal(byVersion(westus2, "1.31")?.isPreview, true);
      assert.equal(westus2.find((v) => v.isDefault === true)?.version, "1.29");
      const canary = await kubernetesVersions(server, "eastus2euap");
      assert.ok(byVersion(canary, "1.31") !== undefined && byVersion(canary, "1.31")?.isPreview !== true);
      assert.equal(canary.find((v) => v.isDefault === true)?.version, "1.30");

      // A cluster with no version and no network plugin: the region's default, and its network follows it.
      const created: Record<string, ManagedCluster> = {};
      for (const location of ["westus2", "eastus2euap"]) {
        await server.resources().resourceGroups.createOrUpdate(`rg-${location}`, { location });
        // The clock is frozen: the operation ends when the test moves it.
        created[location] = await createClusterIn(server, `rg-${location}`, "default", location);
      }
      assert.match(created.westus2!.currentKubernetesVersion ?? "", /^1\.29\./);
      assert.equal(created.westus2!.networkProfile?.networkPlugin, "kubenet");
      assert.equal(created.westus2!.agentPoolProfiles![0]!.maxPods, 110);
      assert.match(created.eastus2euap!.currentKubernetesVersion ?? "", /^1\.30\./);
      assert.equal(created.eastus2euap!.networkProfile?.networkPlugin, "azure");
      assert.equal(created.eastus2euap!.networkProfile?.networkPluginMode, "overlay");
      assert.equal(created.eastus2euap!.agentPoolProfiles![0]!.maxPods, 250);
    } finally {
      await server.dispose();
    }
  });

  it("2022-06-01: an Edge Zone cluster boots the Marketplace image, then the edge zones' gallery once it exists", async () => {
    const server = await startAksemu({ args: ["--clock", "frozen", "--now", "2022-06-01T06:00:00Z"] });
    try {
      const aks = client(server);
      await server.resources().resourceGroups.createOrUpdate("rg-edge", { location: "eastus2euap" });
      const edgeZone = { extendedLocation: { name: "microsoftrrdclab1", type: "EdgeZone" } };
      const edge = await createClusterIn(server, "rg-edge", "edge", "eastus2euap", edgeZone);
      const region = await createClusterIn(server, "rg-edge", "region", "eastus2euap");
      assert.equal(edge.extendedLocation?.type?.toLowerCase(), "edgezone");
      // As real AKS answered that day (test_aks_create_edge_zone): no gallery image definition in the name.
      const regionImage = region.agentPoolProfiles![0]!.nodeImageVersion!;
      assert.match(regionImage, /^AKSUbuntu-1804gen2containerd-\d{4}\.\d{2}\.\d{2}$/);
      assert.equal(edge.agentPoolProfiles![0]!.nodeImageVersion, regionImage.replace("-1804gen2containerd-", "--"));
      // Validated at the api-version the az CLI of the time sent (2022 answers carry the since-retired dockerBridgeCidr).
      const raw = await server.fetch(`/subscriptions/${server.subscriptionId}/resourceGroups/rg-edge/providers/Microsoft.ContainerService/managedClusters/edge?api-version=2022-11-01`); // prettier-ignore
      assertMatchesSpec(SPEC_2022, "ManagedClusters_Get", 200, raw.body);

      // From 2023-01-09 the edge zones have their own copy of AKS's gallery (the canary region sees it 14 days early):
      // the platform's upgrade of the pool off 1.22, out of support by then, reimages it onto that gallery's image,
      // and it is what the upgrade profile offers.
      await server.advance("P8M");
      const pool = await aks.agentPools.get("rg-edge", "edge", "nodepool1");
      assert.match(pool.currentOrchestratorVersion!, /^1\.23\./);
      assert.match(pool.nodeImageVersion!, /^AKSUbuntuEdgeZone-1804gen2containerd-\d{4}\.\d{2}\.\d{2}$/);
      const profile = await aks.agentPools.getUpgradeProfile("rg-edge", "edge", "nodepool1");
      assert.match(profile.latestNodeImageVersion!, /^AKSUbuntuEdgeZone-1804gen2containerd-/);
      const regionProfile = await aks.agentPools.getUpgradeProfile("rg-edge", "region", "nodepool1");
      assert.equal(regionProfile.latestNodeImageVersion, profile.latestNodeImageVersion!.replace("AKSUbuntuEdgeZone-", "AKSUbuntu-")); // prettier-ignore
    } finally {
      await server.dispose();
    }
  });

  it("2024-07-26: TrustedLaunchPreview registered gives new Ubuntu pools Trusted Launch images, until the GA", async () => {
    const server = await startAksemu({ args: ["--clock", "frozen", "--now", "2024-07-26T12:00:00Z"] });
    try {
      const aks = client(server);
      await server.resources().resourceGroups.createOrUpdate("rg-tl", { location: "eastus" });
      const create = (name: string): Promise<ManagedCluster> => createClusterIn(server, "rg-tl", name, "eastus");
      const image = (c: ManagedCluster): string => c.agentPoolProfiles![0]!.nodeImageVersion!;
      const before = await create("before");
      assert.match(image(before), /^AKSUbuntu-2204gen2containerd-/);

      // az feature register --namespace Microsoft.ContainerService --name TrustedLaunchPreview
      const flag = `/subscriptions/${server.subscriptionId}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/TrustedLaunchPreview`; // prettier-ignore
      assert.equal((await server.fetch(`${flag}/register?api-version=2021-07-01`, { method: "POST" })).status, 200);
      await server.advance("PT1M");
      const state = (await server.fetch(`${flag}?api-version=2021-07-01`)).body as { properties: { state: string } };
      assert.equal(state.properties.state, "Registered");

      const during = await create("during");
      assert.match(image(during), /^AKSUbuntu-2204gen2TLcontainerd-/);
      const added = await settle(server, aks.agentPools.beginCreateOrUpdate("rg-tl", "before", "user1", { count: 1, vmSize: "Standard_DS2_v2" })); // prettier-ignore
      assert.match(added.nodeImageVersion!, /^AKSUbuntu-2204gen2TLcontainerd-/);
      const kept = await aks.agentPools.get("rg-tl", "before", "nodepool1");
      assert.equal(kept.nodeImageVersion, image(before), "a pool made before keeps its image");
      const raw = await server.fetch(`/subscriptions/${server.subscriptionId}/resourceGroups/rg-tl/providers/Microsoft.ContainerService/managedClusters/during?api-version=2025-10-01`); // prettier-ignore
      assertMatchesSpec(SPEC, "ManagedClusters_Get", 200, raw.body);

      // Trusted Launch is GA on 2024-10-09: from then on only pools that ask for it (Secure Boot, vTPM) run it.
      await server.advance("P3M");
      const after = await create("after");
      assert.match(image(after), /^AKSUbuntu-2204gen2containerd-/);
    } finally {
      await server.dispose();
    }
  });

  it("2029-03-01: past the calendar, minors keep coming on its cadence (projection)", async () => {
    const server = await startAksemu({ args: ["--clock", "frozen", "--now", "2029-03-01T00:00:00Z"] });
    try {
      const values = await kubernetesVersions(server);
      const official = values.filter((v) => v.capabilities?.supportPlan?.includes("KubernetesOfficial"));
      const minors = official.map((v) => v.version!);
      assert.ok(minors.length >= 3 && minors.length <= 5, minors.join());
      assert.ok(
        minors.every((m) => Number(m.split(".")[1]) >= 41),
        minors.join(),
      );
      const def = values.find((v) => v.isDefault === true)!;
      const ga = official.filter((v) => v.isPreview !== true).map((v) => Number(v.version!.split(".")[1]));
      assert.equal(Number(def.version!.split(".")[1]), Math.max(...ga) - 1);
      for (const v of values) assert.ok(patchesOf(v).length >= 1, v.version);
      // one year later it still works, with newer minors
      await server.advance("P1Y");
      const later = await kubernetesVersions(server);
      const laterDefault = later.find((v) => v.isDefault === true)!;
      assert.equal(Number(laterDefault.version!.split(".")[1]), Number(def.version!.split(".")[1]) + 3);
    } finally {
      await server.dispose();
    }
  });
});

describe("az aks get-versions (az 2.45) on 2026-11-27", azSuiteOptions(), () => {
  let server: Aksemu;
  let az: AzCli;
  before(async () => {
    requireAz();
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T10:00:00Z"] });
    az = new AzCli(server);
  });
  after(async () => {
    await server?.dispose();
  });

  it("prints the versions as a table and as JSON", async () => {
    const table = await az.ok(["aks", "get-versions", "-l", "eastus", "-o", "table"]);
    assert.match(table, /KubernetesVersion\s+Upgrades/);
    assert.match(table, /1\.37\.\d+\s+None available/);
    assert.match(table, /1\.36\.\d+ \(preview\)|1\.36\.\d+\s+1\.37\.\d+/);
    const json = await az.json<{ orchestrators: Orchestrator[] }>(["aks", "get-versions", "-l", "eastus"]);
    assert.ok(json.orchestrators.length >= 8);
  });
});
