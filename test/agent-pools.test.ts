/**
 * Agent pools in detail, over HTTPS on a frozen clock (so in-flight operations can be observed): defaults per network
 * plugin and OS, version aliases, spot pools, the autoscaler, stop/start of user pools through a cluster stop, the
 * operation lock (preemption by a delete, a pool being deleted, abort), control-plane-only upgrades with auto-upgrade,
 * and the provider registration check. The SDK-driven life of a pool is in managed-clusters.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient, type AgentPool, type ManagedCluster } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { listNodes } from "./support/nodes.js";
import { clusterClient } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const V = "api-version=2025-10-01";
const SPEC = specFile("containerservice/2025-10-01/managedClusters.json");

type Props = Record<string, unknown>;
interface Resource {
  name: string;
  properties: Props & { provisioningState: string; powerState: { code: string } };
}
interface ErrorBody {
  error: { code: string; message: string; target?: string };
}

describe("agent pools (frozen clock)", () => {
  let server: Aksemu;
  const cluster = (name: string, rest = ""): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/rg-pools/providers/Microsoft.ContainerService/managedClusters/${name}${rest}?${V}`; // prettier-ignore
  const pool = (c: string, p: string, rest = ""): string => cluster(c, `/agentPools/${p}${rest}`);
  const get = async (path: string): Promise<Resource> => (await server.fetch(path)).body as Resource;
  const settle = (): Promise<unknown> => server.advance("PT5M");

  async function createCluster(name: string, properties: Props = {}, extra: Props = {}): Promise<Resource> {
    const r = await server.fetch(cluster(name), {
      method: "PUT",
      body: {
        location: "eastus",
        identity: { type: "SystemAssigned" },
        ...extra,
        properties: {
          dnsPrefix: name,
          agentPoolProfiles: [{ name: "system", count: 2, vmSize: "Standard_D4s_v5", mode: "System" }],
          ...properties,
        },
      },
    });
    assert.equal(r.status, 201, r.text);
    await settle();
    return get(cluster(name));
  }

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T08:00:00Z"] });
    await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups/rg-pools?api-version=2021-04-01`, {
      method: "PUT",
      body: { location: "eastus" },
    });
  });
  after(async () => {
    await server.dispose();
  });

  it("fills maxPods per network plugin, keeps version aliases, and gives Windows and spot pools their defaults", async () => {
    const azure = await createCluster("cni", { networkProfile: { networkPlugin: "azure" } });
    const azurePool = (azure.properties.agentPoolProfiles as Props[])[0]!;
    assert.equal(azurePool.maxPods, 30);
    assert.equal((azure.properties.networkProfile as Props).podCidr, undefined);
    const overlay = await createCluster("overlay", { networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay" } }); // prettier-ignore
    assert.equal((overlay.properties.agentPoolProfiles as Props[])[0]!.maxPods, 250);
    assert.equal((overlay.properties.networkProfile as Props).podCidr, "10.244.0.0/16");

    // An alias stays an alias in kubernetesVersion / orchestratorVersion; current* hold the resolved patch.
    const versions = await server.fetch(`/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/locations/eastus/kubernetesVersions?${V}`); // prettier-ignore
    const minors = (versions.body as { values: { version: string; isPreview?: boolean }[] }).values.filter((v) => v.isPreview !== true).map((v) => v.version); // prettier-ignore
    const alias = minors.sort().at(-2)!;
    const aliased = await createCluster("alias", { kubernetesVersion: alias });
    assert.equal(aliased.properties.kubernetesVersion, alias);
    assert.match(
      String(aliased.properties.currentKubernetesVersion),
      new RegExp(`^${alias.replace(".", "\\.")}\\.\\d+$`),
    );
    const created = await server.fetch(pool("alias", "user1"), {
      method: "PUT",
      body: { properties: { count: 1, vmSize: "Standard_D4s_v5", orchestratorVersion: alias } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((created.body as Resource).properties.orchestratorVersion, alias);
    assert.equal((created.body as Resource).properties.currentOrchestratorVersion, aliased.properties.currentKubernetesVersion); // prettier-ignore
    await settle();

    // Re-sending the alias later, when a newer patch of that minor exists, does not upgrade (AKS's rule).
    await server.advance("P60D");
    const later = await get(cluster("alias"));
    const profile = (await server.fetch(cluster("alias", "/upgradeProfiles/default"))).body as { properties: { controlPlaneProfile: { upgrades: { kubernetesVersion: string }[] } } }; // prettier-ignore
    const samePatchUpgrades = profile.properties.controlPlaneProfile.upgrades.filter((u) => u.kubernetesVersion.startsWith(`${alias}.`)); // prettier-ignore
    assert.ok(samePatchUpgrades.length > 0, "a newer patch of the alias's minor is out");
    const resend = await server.fetch(cluster("alias"), { method: "PUT", body: later });
    assert.equal(resend.status, 200, resend.text);
    assert.equal((resend.body as Resource).properties.provisioningState, "Updating");
    await settle();
    assert.equal((await get(cluster("alias"))).properties.currentKubernetesVersion, aliased.properties.currentKubernetesVersion); // prettier-ignore

    const longName = await server.fetch(pool("alias", "windows1"), { method: "PUT", body: { properties: { count: 1, osType: "Windows" } } }); // prettier-ignore
    assert.equal(longName.status, 400);
    assert.match((longName.body as ErrorBody).error.message, /at most 6 characters/);
    const win = await server.fetch(pool("alias", "win1"), { method: "PUT", body: { properties: { count: 1, osType: "Windows" } } }); // prettier-ignore
    assert.equal(win.status, 201, win.text);
    assert.equal((win.body as Resource).properties.osSKU, "Windows2022");
    assert.match(String((win.body as Resource).properties.nodeImageVersion), /^AKSWindows-2022/);
    await settle();

    const spot = await server.fetch(pool("alias", "spot1"), { method: "PUT", body: { properties: { count: 1, scaleSetPriority: "Spot" } } }); // prettier-ignore
    assert.equal(spot.status, 201, spot.text);
    const spotProps = (spot.body as Resource).properties;
    assert.deepEqual(spotProps.nodeLabels, { "kubernetes.azure.com/scalesetpriority": "spot" });
    assert.deepEqual(spotProps.nodeTaints, ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]);
    assert.equal(spotProps.scaleSetEvictionPolicy, "Delete");
    assert.equal(spotProps.spotMaxPrice, -1);
    assertMatchesSpec(SPEC, "AgentPools_CreateOrUpdate", 201, spot.body);
    await settle();

    const oldPool = await server.fetch(pool("alias", "old1"), { method: "PUT", body: { properties: { count: 1, orchestratorVersion: "1.20.7" } } }); // prettier-ignore
    assert.equal(oldPool.status, 400);
    assert.equal((oldPool.body as ErrorBody).error.code, "AgentPoolK8sVersionNotSupported");
    assert.equal((oldPool.body as ErrorBody).error.target, "properties.orchestratorVersion");

    const noMax = await server.fetch(pool("alias", "auto1"), { method: "PUT", body: { properties: { count: 1, enableAutoScaling: true, minCount: 1 } } }); // prettier-ignore
    assert.equal(noMax.status, 400);
    assert.equal((noMax.body as ErrorBody).error.target, "properties.maxCount");
    const auto = await server.fetch(pool("alias", "auto1"), { method: "PUT", body: { properties: { count: 9, enableAutoScaling: true, minCount: 1, maxCount: 5 } } }); // prettier-ignore
    assert.equal((auto.body as Resource).properties.count, 9);
    assert.equal((auto.body as Resource).properties.maxCount, 5);
    await settle();
  });

  it("keeps a user-stopped pool stopped through a cluster stop and start, and refuses to scale it", async () => {
    await createCluster("ss");
    await server.fetch(pool("ss", "user1"), { method: "PUT", body: { properties: { count: 3 } } });
    await settle();
    const stop = await server.fetch(pool("ss", "user1"), { method: "PUT", body: { properties: { powerState: { code: "Stopped" } } } }); // prettier-ignore
    assert.equal(stop.status, 200);
    assert.equal((stop.body as Resource).properties.provisioningState, "Stopping");
    // The answer already says 0 nodes; reads while the pool stops still show its 3, and 0 once it has stopped.
    assert.equal((stop.body as Resource).properties.count, 0);
    assert.equal((await get(pool("ss", "user1"))).properties.count, 3);
    await settle();
    assert.equal((await get(pool("ss", "user1"))).properties.count, 0);
    const scale = await server.fetch(pool("ss", "user1"), { method: "PUT", body: { properties: { count: 5 } } });
    assert.equal(scale.status, 400);
    assert.equal((scale.body as ErrorBody).error.code, "OperationNotAllowed");

    assert.equal((await server.fetch(cluster("ss", "/stop"), { method: "POST" })).status, 202);
    await settle();
    assert.equal((await server.fetch(cluster("ss", "/start"), { method: "POST" })).status, 202);
    await settle();
    const pools = ((await get(cluster("ss"))).properties.agentPoolProfiles as Props[]).map((p) => [p.name, (p.powerState as Props).code, p.count]); // prettier-ignore
    assert.deepEqual(pools, [
      ["system", "Running", 2],
      ["user1", "Stopped", 0],
    ]);

    const start = await server.fetch(pool("ss", "user1"), { method: "PUT", body: { properties: { powerState: { code: "Running" } } } }); // prettier-ignore
    assert.equal((start.body as Resource).properties.count, 3);
    await settle();
  });

  it("serializes operations: a pool being deleted, a delete that preempts, and abort", async () => {
    await createCluster("lock");
    await server.fetch(pool("lock", "user1"), { method: "PUT", body: { properties: { count: 1 } } });
    await settle();

    const del = await server.fetch(pool("lock", "user1"), { method: "DELETE" });
    assert.equal(del.status, 202);
    const during = await server.fetch(pool("lock", "user1"), { method: "PUT", body: { properties: { count: 2 } } });
    assert.equal(during.status, 409);
    assert.match((during.body as ErrorBody).error.message, /since deletion was issued on 'user1'/);
    const again = await server.fetch(pool("lock", "user1"), { method: "DELETE" });
    assert.equal(again.headers.get("azure-asyncoperation"), del.headers.get("azure-asyncoperation"));
    await settle();
    assert.equal((await server.fetch(pool("lock", "user1"))).status, 404);

    // Abort a running scale: the operation ends Canceled and so does the pool's provisioningState.
    await server.fetch(pool("lock", "user2"), { method: "PUT", body: { properties: { count: 1 } } });
    await settle();
    const scaling = await server.fetch(pool("lock", "user2"), { method: "PUT", body: { properties: { count: 3 } } });
    const abort = await server.fetch(pool("lock", "user2", "/abort"), { method: "POST" });
    assert.equal(abort.status, 202, abort.text);
    const status = await server.fetch(new URL(scaling.headers.get("azure-asyncoperation")!).pathname + "?api-version=2016-03-30"); // prettier-ignore
    assert.equal((status.body as { status: string }).status, "Canceled");
    assert.equal((await get(pool("lock", "user2"))).properties.provisioningState, "Canceled");
    const next = await server.fetch(pool("lock", "user2"), { method: "PUT", body: { properties: { count: 2 } } });
    assert.equal(next.status, 200, next.text);

    // A cluster delete preempts the running operation.
    const cdel = await server.fetch(cluster("lock"), { method: "DELETE" });
    assert.equal(cdel.status, 202);
    const preempted = await server.fetch(new URL(next.headers.get("azure-asyncoperation")!).pathname + "?api-version=2016-03-30"); // prettier-ignore
    const body = preempted.body as { status: string; error?: { code: string } };
    assert.equal(body.status, "Canceled");
    assert.equal(body.error?.code, "NotLatestOperation");
    await settle();
    assert.equal((await server.fetch(cluster("lock"))).status, 404);
    assert.equal((await server.fetch(pool("lock", "user2"))).status, 404);
  });

  it("refuses a control-plane-only upgrade while cluster auto-upgrade is on", async () => {
    const c = await createCluster("auto", { autoUpgradeProfile: { upgradeChannel: "patch" } });
    const profile = (await server.fetch(cluster("auto", "/upgradeProfiles/default"))).body as { properties: { controlPlaneProfile: { upgrades: { kubernetesVersion: string }[] } } }; // prettier-ignore
    const current = String(c.properties.currentKubernetesVersion);
    const nextMinor = profile.properties.controlPlaneProfile.upgrades.map((u) => u.kubernetesVersion).find((v) => v.split(".")[1] !== current.split(".")[1]); // prettier-ignore
    assert.ok(nextMinor);
    const pools = (c.properties.agentPoolProfiles as Props[]).map((p) => ({ ...p, orchestratorVersion: p.currentOrchestratorVersion })); // prettier-ignore
    const r = await server.fetch(cluster("auto"), {
      method: "PUT",
      body: { ...c, properties: { ...c.properties, kubernetesVersion: nextMinor, agentPoolProfiles: pools } },
    });
    assert.equal(r.status, 400);
    assert.equal((r.body as ErrorBody).error.code, "NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged");
  });

  it("refuses a node resource group that exists and is not the cluster's", async () => {
    await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups/mine?api-version=2021-04-01`, {
      method: "PUT",
      body: { location: "eastus" },
    });
    const r = await server.fetch(cluster("taken"), {
      method: "PUT",
      body: { location: "eastus", properties: { dnsPrefix: "t", nodeResourceGroup: "mine", agentPoolProfiles: [{ name: "system", count: 1, mode: "System" }] } }, // prettier-ignore
    });
    assert.equal(r.status, 400);
    assert.equal((r.body as ErrorBody).error.target, "properties.nodeResourceGroup");
  });

  it("refuses writes when Microsoft.ContainerService is not registered", async () => {
    const un = await server.fetch(`/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/unregister?api-version=2021-04-01`, { method: "POST" }); // prettier-ignore
    assert.equal(un.status, 200, un.text);
    await settle();
    const r = await server.fetch(cluster("unreg"), {
      method: "PUT",
      body: { location: "eastus", properties: { dnsPrefix: "u", agentPoolProfiles: [{ name: "system", count: 1, mode: "System" }] } }, // prettier-ignore
    });
    assert.equal(r.status, 409);
    assert.equal((r.body as ErrorBody).error.code, "MissingSubscriptionRegistration");
    await server.fetch(`/subscriptions/${server.subscriptionId}/providers/Microsoft.ContainerService/register?api-version=2021-04-01`, { method: "POST" }); // prettier-ignore
    await settle();
  });
});

describe("agent pools as real AKS answers them, through @azure/arm-containerservice (frozen clock)", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const RG = "rg-sdk-pools";
  const POLL = { updateIntervalInMs: 20 };
  const settle = (): Promise<unknown> => server.advance("PT5M");
  const flags = (p: AgentPool): [boolean | undefined, boolean | undefined] => [p.securityProfile?.enableVtpm, p.securityProfile?.enableSecureBoot]; // prettier-ignore

  /** Starts a write with the SDK, lets the frozen clock finish it, and returns what the poller returns. */
  async function finish<T>(start: Promise<{ pollUntilDone(): Promise<T> }>): Promise<T> {
    const poller = await start;
    await settle();
    return poller.pollUntilDone();
  }
  const newCluster = (name: string, extra: Partial<ManagedCluster> = {}): ManagedCluster => ({
    location: "eastus",
    identity: { type: "SystemAssigned" },
    dnsPrefix: name,
    agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    ...extra,
  });

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "eastus" });
  });
  after(async () => {
    await server.dispose();
  });

  it("runs writes to different node pools at once, and refuses a second write to the same pool", async () => {
    await finish(client.managedClusters.beginCreateOrUpdate(RG, "parallel", newCluster("parallel"), POLL));
    const add = (name: string, count = 1): Promise<{ pollUntilDone(): Promise<AgentPool> }> =>
      client.agentPools.beginCreateOrUpdate(RG, "parallel", name, { count, vmSize: "Standard_D4s_v5" }, POLL);
    // Two `az aks nodepool add --no-wait` in a row: AKS takes both (Azure/AKS#1913).
    const first = await add("apps1");
    const second = await add("apps2");
    const states = (await client.agentPools.list(RG, "parallel").byPage().next()).value as AgentPool[];
    assert.deepEqual(states.map((p) => [p.name, p.provisioningState]), [["system", "Succeeded"], ["apps1", "Creating"], ["apps2", "Creating"]]); // prettier-ignore
    await assert.rejects(add("apps1", 2), (e: { statusCode?: number; code?: string; message: string }) => {
      assert.equal(e.statusCode, 409);
      assert.equal(e.code, "OperationNotAllowed");
      assert.match(e.message, /Another agentpool operation \(Creating\) is in progress/);
      return true;
    });
    await settle();
    const done = await Promise.all([first.pollUntilDone(), second.pollUntilDone()]);
    assert.deepEqual(
      done.map((p) => p.provisioningState),
      ["Succeeded", "Succeeded"],
    );
  });

  it("leaves a pool whose stop was aborted Canceled and running with its nodes", async () => {
    await finish(client.managedClusters.beginCreateOrUpdate(RG, "abortstop", newCluster("abortstop"), POLL));
    const user = await finish(client.agentPools.beginCreateOrUpdate(RG, "abortstop", "user1", { count: 2, vmSize: "Standard_D4s_v5" }, POLL)); // prettier-ignore
    const stop = (): Promise<{ pollUntilDone(): Promise<AgentPool> }> =>
      client.agentPools.beginCreateOrUpdate(RG, "abortstop", "user1", { ...user, powerState: { code: "Stopped" } }, POLL); // prettier-ignore
    const shown = async (): Promise<[string | undefined, string | undefined, number | undefined]> => {
      const p = await client.agentPools.get(RG, "abortstop", "user1");
      return [p.provisioningState, p.powerState?.code, p.count];
    };

    // The clock is frozen: the stop is still running when the abort arrives.
    const stopping = await stop();
    assert.deepEqual(await shown(), ["Stopping", "Stopped", 2]);
    await client.agentPools.beginAbortLatestOperationAndWait(RG, "abortstop", "user1", POLL);
    await assert.rejects(stopping.pollUntilDone(), /cancel/i);
    assert.deepEqual(await shown(), ["Canceled", "Running", 2]);
    const clusterId = `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/abortstop`; // prettier-ignore
    const nodes = (await listNodes(server, clusterId)).filter((n) => n.pool === "user1");
    assert.deepEqual(
      nodes.map((n) => n.powerState),
      ["running", "running"],
    );

    // The abort's own answer is the pool as the abort found it, like the stop's answer (count 0).
    await stop();
    const path = `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/abortstop/agentPools/user1/abort?api-version=2025-10-01`; // prettier-ignore
    const abort = await server.fetch(path, { method: "POST" });
    assert.equal(abort.status, 202, abort.text);
    assert.ok(abort.headers.get("azure-asyncoperation"));
    assert.ok(abort.headers.get("location"));
    const answer = abort.body as { properties: { provisioningState: string; powerState: { code: string }; count: number } }; // prettier-ignore
    assert.deepEqual([answer.properties.provisioningState, answer.properties.powerState.code, answer.properties.count], ["Stopping", "Stopped", 0]); // prettier-ignore
    await settle();
    assert.deepEqual(await shown(), ["Canceled", "Running", 2], "the canceled stop does not complete later");
    const again = await server.fetch(path, { method: "POST" });
    assert.equal(again.status, 409, "nothing left to abort");

    // The pool stops and starts as usual afterwards.
    const stopped = await finish(stop());
    assert.deepEqual([stopped.provisioningState, stopped.powerState?.code, stopped.count], ["Succeeded", "Stopped", 0]);
    const started = await finish(client.agentPools.beginCreateOrUpdate(RG, "abortstop", "user1", { ...stopped, count: undefined, powerState: { code: "Running" } }, POLL)); // prettier-ignore
    assert.deepEqual([started.powerState?.code, started.count], ["Running", 2]);
  });

  it("gives pools of a cluster without a network plugin (bring your own CNI) 250 pods per node", async () => {
    const byo = await finish(client.managedClusters.beginCreateOrUpdate(RG, "byocni", newCluster("byocni", { networkProfile: { networkPlugin: "none" } }), POLL)); // prettier-ignore
    assert.equal(byo.networkProfile?.networkPlugin, "none");
    assert.equal(byo.agentPoolProfiles![0]!.maxPods, 250);
    const user = await finish(client.agentPools.beginCreateOrUpdate(RG, "byocni", "user1", { count: 1, vmSize: "Standard_D4s_v5" }, POLL)); // prettier-ignore
    assert.equal(user.maxPods, 250);
  });

  it("puts the OS disk on the VM cache (Ephemeral) by default when it fits, and keeps it Managed otherwise", async () => {
    await finish(client.managedClusters.beginCreateOrUpdate(RG, "disks", newCluster("disks"), POLL));
    const add = (name: string, pool: AgentPool): Promise<AgentPool> => finish(client.agentPools.beginCreateOrUpdate(RG, "disks", name, { count: 1, ...pool }, POLL)); // prettier-ignore
    // Standard_DS3_v2 has a 172 GiB cache: the default 128 GiB OS disk fits, a 200 GiB one does not.
    assert.equal((await add("cache", { vmSize: "Standard_DS3_v2" })).osDiskType, "Ephemeral");
    assert.equal((await add("big", { vmSize: "Standard_DS3_v2", osDiskSizeGB: 200 })).osDiskType, "Managed");
    // Standard_DS2_v2 (86 GiB of cache) and the cache-less v5 sizes keep managed disks; an explicit choice is kept.
    assert.equal((await add("small", { vmSize: "Standard_DS2_v2" })).osDiskType, "Managed");
    assert.equal((await add("nocache", { vmSize: "Standard_D4s_v5" })).osDiskType, "Managed");
    assert.equal((await add("asked", { vmSize: "Standard_DS3_v2", osDiskType: "Managed" })).osDiskType, "Managed");
  });

  it("lets the cluster autoscaler bring a pool below its minCount up to it a second after the update ends", async () => {
    await finish(client.managedClusters.beginCreateOrUpdate(RG, "autoscale", newCluster("autoscale"), POLL));
    const clusterId = `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/autoscale`; // prettier-ignore
    const nodesOf = async (pool: string): Promise<number> =>
      (await listNodes(server, clusterId)).filter((n) => n.pool === pool).length;
    const empty = await finish(client.agentPools.beginCreateOrUpdate(RG, "autoscale", "scale0", { count: 0, vmSize: "Standard_D4s_v5", enableAutoScaling: true, minCount: 0, maxCount: 3 }, POLL)); // prettier-ignore
    assert.equal(empty.count, 0);
    const poller = await client.agentPools.beginCreateOrUpdate(RG, "autoscale", "scale0", { ...empty, minCount: 1, maxCount: 101 }, POLL); // prettier-ignore
    const during = await client.agentPools.get(RG, "autoscale", "scale0");
    assert.equal(during.provisioningState, "Updating");
    assert.equal(during.count, 0, "the answer to the update keeps the count as sent");
    await settle();
    const done = await poller.pollUntilDone();
    assert.deepEqual([done.count, done.minCount, done.maxCount, done.provisioningState], [1, 1, 101, "Succeeded"]);
    assert.equal(await nodesOf("scale0"), 1, "the scale set follows the autoscaler");

    // az aks nodepool update --enable-cluster-autoscaler --min-count 2 on a 1-node pool (the operation takes 250 ms).
    const fixed = await finish(client.agentPools.beginCreateOrUpdate(RG, "autoscale", "fixed1", { count: 1, vmSize: "Standard_D4s_v5" }, POLL)); // prettier-ignore
    await client.agentPools.beginCreateOrUpdate(RG, "autoscale", "fixed1", { ...fixed, enableAutoScaling: true, minCount: 2, maxCount: 5 }, POLL); // prettier-ignore
    await server.advance("PT0.5S");
    const ended = await client.agentPools.get(RG, "autoscale", "fixed1");
    assert.deepEqual(
      [ended.provisioningState, ended.count],
      ["Succeeded", 1],
      "right at the end, still the count sent",
    );
    await server.advance("PT1S");
    const scanned = await client.agentPools.get(RG, "autoscale", "fixed1");
    assert.deepEqual([scanned.provisioningState, scanned.count], ["Succeeded", 2], "a second later, minCount");
    assert.notEqual(scanned.eTag, ended.eTag, "the pool changed, so did its ETag");
    assert.equal(await nodesOf("fixed1"), 2);
  });

  it("boots Trusted Launch images for pools with Secure Boot or vTPM, and keeps them when both are turned off", async () => {
    const tl = /^AKSUbuntu-\d{4}gen2TLcontainerd-/;
    const cluster = await finish(client.managedClusters.beginCreateOrUpdate(RG, "trusted", newCluster("trusted", { agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux", securityProfile: { enableSecureBoot: true } }] }), POLL)); // prettier-ignore
    const system = cluster.agentPoolProfiles![0]!;
    assert.match(system.nodeImageVersion!, tl);
    assert.deepEqual(flags(system), [false, true]);
    const vtpm = await finish(client.agentPools.beginCreateOrUpdate(RG, "trusted", "vtpm", { count: 1, vmSize: "Standard_D4s_v5", securityProfile: { enableVtpm: true } }, POLL)); // prettier-ignore
    assert.match(vtpm.nodeImageVersion!, tl);
    assert.deepEqual(flags(vtpm), [true, false]);
    const off = await finish(client.agentPools.beginCreateOrUpdate(RG, "trusted", "vtpm", { ...vtpm, securityProfile: { enableVtpm: false, enableSecureBoot: false } }, POLL)); // prettier-ignore
    assert.deepEqual(flags(off), [false, false]);
    assert.equal(off.nodeImageVersion, vtpm.nodeImageVersion, "the nodes keep their Trusted Launch image");
    const profile = await client.agentPools.getUpgradeProfile(RG, "trusted", "vtpm");
    assert.match(profile.latestNodeImageVersion!, tl);
    const plain = await finish(client.agentPools.beginCreateOrUpdate(RG, "trusted", "plain", { count: 1, vmSize: "Standard_D4s_v5" }, POLL)); // prettier-ignore
    assert.match(plain.nodeImageVersion!, /^AKSUbuntu-\d{4}gen2containerd-/);
    assert.deepEqual(flags(plain), [false, false]);
  });

  it("moves a pool to another OS SKU as an upgrade onto the new OS's image", async () => {
    await finish(client.managedClusters.beginCreateOrUpdate(RG, "ossku", newCluster("ossku"), POLL));
    const ubuntu = await finish(client.agentPools.beginCreateOrUpdate(RG, "ossku", "linux", { count: 1, vmSize: "Standard_D4s_v5" }, POLL)); // prettier-ignore
    assert.equal(ubuntu.osSKU, "Ubuntu");
    assert.match(ubuntu.nodeImageVersion!, /^AKSUbuntu-/);
    const poller = await client.agentPools.beginCreateOrUpdate(RG, "ossku", "linux", { ...ubuntu, osSKU: "AzureLinux" }, POLL); // prettier-ignore
    const during = await client.agentPools.get(RG, "ossku", "linux");
    assert.equal(during.provisioningState, "Upgrading");
    assert.equal(during.osSKU, "AzureLinux");
    assert.match(during.nodeImageVersion!, /^AKSAzureLinux-V\dgen2-/);
    await settle();
    const done: AgentPool = await poller.pollUntilDone();
    assert.equal(done.provisioningState, "Succeeded");
    assert.equal(done.nodeImageVersion, during.nodeImageVersion);
    assert.equal(done.currentOrchestratorVersion, ubuntu.currentOrchestratorVersion);
  });

  it("turns FIPS on as an upgrade that reimages the pool onto the FIPS image", async () => {
    await finish(client.managedClusters.beginCreateOrUpdate(RG, "fips", newCluster("fips"), POLL));
    const plain = await finish(client.agentPools.beginCreateOrUpdate(RG, "fips", "linux", { count: 1, vmSize: "Standard_D4s_v5" }, POLL)); // prettier-ignore
    assert.doesNotMatch(plain.nodeImageVersion!, /fips/i);
    const poller = await client.agentPools.beginCreateOrUpdate(RG, "fips", "linux", { ...plain, enableFips: true }, POLL); // prettier-ignore
    const during = await client.agentPools.get(RG, "fips", "linux");
    assert.equal(during.provisioningState, "Upgrading");
    assert.match(during.nodeImageVersion!, /fips/i);
    await settle();
    const done: AgentPool = await poller.pollUntilDone();
    assert.deepEqual([done.provisioningState, done.enableFips, done.currentOrchestratorVersion], ["Succeeded", true, plain.currentOrchestratorVersion]); // prettier-ignore
  });

  it("shows the target as the current version from the start of an upgrade (pool and control plane)", async () => {
    const versions = await client.managedClusters.listKubernetesVersions("eastus");
    const minors = (versions.values ?? []).filter((v) => v.isPreview !== true && (v.capabilities?.supportPlan ?? []).includes("KubernetesOfficial")).map((v) => v.version!).sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1])); // prettier-ignore
    const [older, newer] = [minors.at(-2)!, minors.at(-1)!];
    const cluster = await finish(client.managedClusters.beginCreateOrUpdate(RG, "upgrade", newCluster("upgrade", { kubernetesVersion: newer }), POLL)); // prettier-ignore
    const old = await finish(client.agentPools.beginCreateOrUpdate(RG, "upgrade", "old", { count: 1, vmSize: "Standard_D4s_v5", orchestratorVersion: older }, POLL)); // prettier-ignore
    assert.ok(old.currentOrchestratorVersion!.startsWith(`${older}.`));
    const target = cluster.currentKubernetesVersion!;
    const poller = await client.agentPools.beginCreateOrUpdate(RG, "upgrade", "old", { ...old, orchestratorVersion: target }, POLL); // prettier-ignore
    const during = await client.agentPools.get(RG, "upgrade", "old");
    assert.equal(during.provisioningState, "Upgrading");
    assert.equal(during.currentOrchestratorVersion, target);
    await settle();
    assert.equal((await poller.pollUntilDone()).currentOrchestratorVersion, target);

    const down = await finish(client.managedClusters.beginCreateOrUpdate(RG, "cpupgrade", newCluster("cpupgrade", { kubernetesVersion: older }), POLL)); // prettier-ignore
    const profile = await client.managedClusters.getUpgradeProfile(RG, "cpupgrade");
    const next = profile.controlPlaneProfile.upgrades!.map((u) => u.kubernetesVersion!).find((v) => v.startsWith(`${newer}.`))!; // prettier-ignore
    const cp = await client.managedClusters.beginCreateOrUpdate(RG, "cpupgrade", { ...down, kubernetesVersion: next, agentPoolProfiles: down.agentPoolProfiles!.map((p) => ({ ...p, orchestratorVersion: next })) }, POLL); // prettier-ignore
    const upgrading = await client.managedClusters.get(RG, "cpupgrade");
    assert.equal(upgrading.provisioningState, "Upgrading");
    assert.equal(upgrading.currentKubernetesVersion, next);
    assert.equal(upgrading.agentPoolProfiles![0]!.currentOrchestratorVersion, next);
    await settle();
    assert.equal((await cp.pollUntilDone()).currentKubernetesVersion, next);
  });
});
