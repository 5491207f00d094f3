/**
 * Managed clusters over plain HTTPS: the request sequences the az CLI 2.45 sends (api-version 2022-11-01, async
 * status URLs at 2016-03-30), each refusal with AKS's error code, and the intermediate states a frozen clock shows
 * under --realistic-timings.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC_2022 = specFile("containerservice/2022-11-01/managedClusters.json");
const V = "api-version=2022-11-01";

type Body = Record<string, unknown> & { properties: Record<string, unknown> };
interface ErrorBody {
  error: { code: string; message: string; target?: string };
}

/** The body `az aks create -g rg -n name` (2.45) sends, per the recordings. */
function azCreateBody(name: string, rg: string, sub: string): Record<string, unknown> {
  return {
    location: "westus2",
    identity: { type: "SystemAssigned" },
    properties: {
      kubernetesVersion: "",
      dnsPrefix: `${name.slice(0, 10)}-${rg.slice(0, 16)}-${sub.slice(0, 6)}`,
      agentPoolProfiles: [
        {
          count: 3,
          vmSize: "Standard_DS2_v2",
          osDiskSizeGB: 0,
          osType: "Linux",
          enableAutoScaling: false,
          type: "VirtualMachineScaleSets",
          mode: "System",
          orchestratorVersion: "",
          upgradeSettings: {},
          enableNodePublicIP: false,
          scaleSetPriority: "Regular",
          scaleSetEvictionPolicy: "Delete",
          spotMaxPrice: -1.0,
          nodeTaints: [],
          enableEncryptionAtHost: false,
          enableUltraSSD: false,
          enableFIPS: false,
          name: "nodepool1",
        },
      ],
      linuxProfile: { adminUsername: "azureuser", ssh: { publicKeys: [{ keyData: "ssh-rsa AAAAB3NzaC1yc2E test" }] } },
      addonProfiles: {},
      enableRBAC: true,
      networkProfile: {
        networkPlugin: "kubenet",
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        dockerBridgeCidr: "172.17.0.1/16",
        outboundType: "loadBalancer",
        loadBalancerSku: "standard",
      },
      disableLocalAccounts: false,
      storageProfile: {},
    },
  };
}

describe("managed clusters over HTTPS at api-version 2022-11-01 (az CLI 2.45)", () => {
  let server: Aksemu;
  const path = (name: string, rest = ""): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/rg-az/providers/Microsoft.ContainerService/managedClusters/${name}${rest}`;

  /** Polls an Azure-AsyncOperation URL to its end, as az does. */
  async function waitFor(url: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i++) {
      const r = await server.fetch(new URL(url).pathname + new URL(url).search);
      assert.equal(r.status, 200);
      const body = r.body as { status: string };
      if (body.status !== "InProgress") return body;
      assert.equal(r.headers.get("retry-after-ms"), "100");
      // az waits the server's Retry-After-Ms; the test moves the clock by as much instead of sleeping.
      await server.advance(`PT${Number(r.headers.get("retry-after-ms")) / 1000}S`);
    }
    throw new Error("operation did not finish");
  }

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups/rg-az?api-version=2021-04-01`, {
      method: "PUT",
      body: { location: "westus2" },
    });
  });
  after(async () => {
    await server.dispose();
  });

  it("aks create / show / nodepool add / scale / upgrade --node-image-only / stop / start / delete", async () => {
    const create = await server.fetch(`${path("c1")}?${V}`, {
      method: "PUT",
      body: azCreateBody("c1", "rg-az", server.subscriptionId),
    });
    assert.equal(create.status, 201);
    assertMatchesSpec(SPEC_2022, "ManagedClusters_CreateOrUpdate", 201, create.body);
    const created = create.body as Body;
    assert.equal(created.properties.provisioningState, "Creating");
    assert.deepEqual(created.sku, { name: "Basic", tier: "Free" });
    assert.equal(create.headers.get("retry-after"), "1");
    assert.equal(create.headers.get("retry-after-ms"), "100");
    const asyncUrl = create.headers.get("azure-asyncoperation")!;
    assert.match(asyncUrl, /\/providers\/Microsoft\.ContainerService\/locations\/westus2\/operations\/[0-9a-f-]{36}\?api-version=2016-03-30$/); // prettier-ignore
    const done = await waitFor(asyncUrl);
    assert.equal(done.status, "Succeeded");
    assert.ok(typeof done.startTime === "string" && typeof done.endTime === "string");

    const show = await server.fetch(`${path("c1")}?${V}`);
    assert.equal(show.status, 200);
    assertMatchesSpec(SPEC_2022, "ManagedClusters_Get", 200, show.body);
    const cluster = show.body as Body;
    assert.equal(cluster.properties.provisioningState, "Succeeded");
    assert.deepEqual(cluster.properties.servicePrincipalProfile, { clientId: "msi" });
    const pool = (cluster.properties.agentPoolProfiles as Record<string, unknown>[])[0]!;
    assert.equal(pool.osDiskSizeGB, 128);
    assert.equal(pool.orchestratorVersion, cluster.properties.currentKubernetesVersion);

    // az aks nodepool add: GET the list, PUT the pool, poll, GET.
    const list = await server.fetch(`${path("c1", "/agentPools")}?${V}`);
    assertMatchesSpec(SPEC_2022, "AgentPools_List", 200, list.body);
    const add = await server.fetch(`${path("c1", "/agentPools/np2")}?${V}`, {
      method: "PUT",
      body: { properties: { count: 1, vmSize: "Standard_DS2_v2", osDiskSizeGB: 0, orchestratorVersion: "", mode: "User", osType: "Linux", type: "VirtualMachineScaleSets" } }, // prettier-ignore
    });
    assert.equal(add.status, 201);
    assertMatchesSpec(SPEC_2022, "AgentPools_CreateOrUpdate", 201, add.body);
    await waitFor(add.headers.get("azure-asyncoperation")!);

    // az aks nodepool scale: GET, PUT with the new count.
    const np2 = (await server.fetch(`${path("c1", "/agentPools/np2")}?${V}`)).body as Body;
    const scale = await server.fetch(`${path("c1", "/agentPools/np2")}?${V}`, {
      method: "PUT",
      body: { properties: { ...np2.properties, count: 4 } },
    });
    assert.equal(scale.status, 200);
    assert.equal((scale.body as Body).properties.provisioningState, "Scaling");
    await waitFor(scale.headers.get("azure-asyncoperation")!);

    // az aks nodepool upgrade --node-image-only: POST, 202 with both headers, poll, GET the Location.
    const image = await server.fetch(`${path("c1", "/agentPools/np2/upgradeNodeImageVersion")}?${V}`, { method: "POST" }); // prettier-ignore
    assert.equal(image.status, 202);
    assert.equal((image.body as Body).properties.provisioningState, "UpgradingNodeImageVersion");
    await waitFor(image.headers.get("azure-asyncoperation")!);
    const result = await server.fetch(new URL(image.headers.get("location")!).pathname + new URL(image.headers.get("location")!).search); // prettier-ignore
    // At this api-version real AKS answered the Location URL with 204 No Content (recording
    // test_aks_nodepool_snapshot); az then reads the pool. (Newer api-versions get the pool back: 200.)
    assert.equal(result.status, 204);
    const imaged = await server.fetch(`${path("c1", "/agentPools/np2")}?${V}`);
    assert.equal((imaged.body as Body).properties.provisioningState, "Succeeded");

    // az aks get-upgrades / nodepool get-upgrades / get-credentials.
    const upgrades = await server.fetch(`${path("c1", "/upgradeProfiles/default")}?${V}`);
    assertMatchesSpec(SPEC_2022, "ManagedClusters_GetUpgradeProfile", 200, upgrades.body);
    const poolUpgrades = await server.fetch(`${path("c1", "/agentPools/np2/upgradeProfiles/default")}?${V}`);
    assertMatchesSpec(SPEC_2022, "AgentPools_GetUpgradeProfile", 200, poolUpgrades.body);
    const creds = await server.fetch(`${path("c1", "/listClusterUserCredential")}?${V}`, { method: "POST" });
    assertMatchesSpec(SPEC_2022, "ManagedClusters_ListClusterUserCredentials", 200, creds.body);

    // az aks stop / start: 202 with Azure-AsyncOperation and Location; the Location answers 204 when done.
    for (const action of ["stop", "start"]) {
      const r = await server.fetch(`${path("c1", `/${action}`)}?${V}`, { method: "POST" });
      assert.equal(r.status, 202);
      assert.equal(r.text, "");
      const location = r.headers.get("location")!;
      assert.match(location, /\/operationresults\/[0-9a-f-]{36}\?api-version=2016-03-30$/);
      await waitFor(r.headers.get("azure-asyncoperation")!);
      const end = await server.fetch(new URL(location).pathname + new URL(location).search);
      assert.equal(end.status, 204);
    }

    // az aks upgrade: GET, PUT the whole cluster with the new version everywhere.
    const now = (await server.fetch(`${path("c1")}?${V}`)).body as Body;
    const profile = upgrades.body as { properties: { controlPlaneProfile: { upgrades: { kubernetesVersion: string }[] } } }; // prettier-ignore
    const target = profile.properties.controlPlaneProfile.upgrades.at(-1)!.kubernetesVersion;
    const pools = (now.properties.agentPoolProfiles as Record<string, unknown>[]).map((p) => ({ ...p, orchestratorVersion: target })); // prettier-ignore
    const upgrade = await server.fetch(`${path("c1")}?${V}`, {
      method: "PUT",
      body: { ...now, properties: { ...now.properties, kubernetesVersion: target, agentPoolProfiles: pools } },
    });
    assert.equal(upgrade.status, 200);
    assert.equal((upgrade.body as Body).properties.provisioningState, "Upgrading");
    await waitFor(upgrade.headers.get("azure-asyncoperation")!);
    const upgraded = (await server.fetch(`${path("c1")}?${V}`)).body as Body;
    assert.equal(upgraded.properties.currentKubernetesVersion, target);

    // az aks delete --yes: 202, poll; then 404: AKS's NotFound for a few seconds (as recorded), then ARM's
    // ResourceNotFound.
    const del = await server.fetch(`${path("c1")}?${V}`, { method: "DELETE" });
    assert.equal(del.status, 202);
    await waitFor(del.headers.get("azure-asyncoperation")!);
    const gone = await server.fetch(`${path("c1")}?${V}`);
    assert.equal(gone.status, 404);
    assert.equal((gone.body as ErrorBody).error.code, "NotFound");
    assert.match(
      (gone.body as ErrorBody).error.message,
      /^Could not find managed cluster resource: c1 in subscription/,
    );
    await server.advance("PT1M");
    const forgotten = await server.fetch(`${path("c1")}?${V}`);
    assert.equal(forgotten.status, 404);
    assert.equal((forgotten.body as ErrorBody).error.code, "ResourceNotFound");
    const again = await server.fetch(`${path("c1")}?${V}`, { method: "DELETE" });
    assert.equal(again.status, 204);
  });

  it("refuses bad input with AKS's error codes", async () => {
    const sub = server.subscriptionId;
    const put = (name: string, mutate: (b: Body) => void) => {
      const body = azCreateBody(name, "rg-az", sub) as Body;
      mutate(body);
      return server.fetch(`${path(name)}?${V}`, { method: "PUT", body });
    };
    const pool0 = (b: Body): Record<string, unknown> => (b.properties.agentPoolProfiles as Record<string, unknown>[])[0]!; // prettier-ignore
    const cases: [string, string, (b: Body) => void, string, RegExp?][] = [
      ["bad_", "cluster name", () => undefined, "InvalidParameter"],
      ["c2", "pool name", (b) => (pool0(b).name = "Pool_1"), "InvalidParameter", /\^\[a-z\]\[a-z0-9\]\{0,11\}\$/],
      ["c2", "dnsPrefix", (b) => (b.properties.dnsPrefix = "-bad-"), "InvalidParameter"],
      ["c2", "system count 0", (b) => (pool0(b).count = 0), "InvalidParameter", /between 1 and 1000/],
      ["c2", "count 1001", (b) => (pool0(b).count = 1001), "InvalidParameter"],
      ["c2", "vmSize", (b) => (pool0(b).vmSize = "Standard_Imaginary_v9"), "InvalidParameter", /VM size/],
      ["c2", "reserved label", (b) => (pool0(b).nodeLabels = { "kubernetes.azure.com/mine": "x" }), "BadRequest", /kubernetes\.azure\.com' prefix is preserved/], // prettier-ignore
      ["c2", "k8s.io label", (b) => (pool0(b).nodeLabels = { "node-role.kubernetes.io/worker": "" }), "BadRequest", /allowed prefix/], // prettier-ignore
      ["c2", "bare system label", (b) => (pool0(b).nodeLabels = { agentpool: "x" }), "BadRequest"],
      ["c2", "reserved taint", (b) => (pool0(b).nodeTaints = ["kubernetes.azure.com/x=y:NoSchedule"]), "BadRequest"],
      ["c2", "taint format", (b) => (pool0(b).nodeTaints = ["novalue"]), "InvalidParameter"],
      ["c2", "enum", (b) => ((b.properties.networkProfile as Record<string, unknown>).networkPlugin = "flannel"), "InvalidParameter", /Allowed values/], // prettier-ignore
      ["c2", "unknown version", (b) => (b.properties.kubernetesVersion = "1.99.0"), "K8sVersionNotSupported"],
      ["c2", "old version", (b) => (b.properties.kubernetesVersion = "1.20"), "K8sVersionNotSupported"],
      ["c2", "pool newer than control plane", (b) => { b.properties.kubernetesVersion = "1.35"; pool0(b).orchestratorVersion = "1.36"; }, "NodePoolMcVersionIncompatible"], // prettier-ignore
      ["c2", "no pools", (b) => (b.properties.agentPoolProfiles = []), "InvalidParameter"],
      ["c2", "dns IP outside service CIDR", (b) => ((b.properties.networkProfile as Record<string, unknown>).dnsServiceIP = "10.1.0.10"), "DnsServiceIpOutOfServiceCidr"], // prettier-ignore
      ["c2", "LTS without Premium", (b) => (b.properties.supportPlan = "AKSLongTermSupport"), "BadRequest", /Premium/],
    ];
    for (const [name, what, mutate, code, message] of cases) {
      const r = await put(name, mutate);
      assert.equal(r.status, 400, `${what}: ${r.text}`);
      const error = (r.body as ErrorBody).error;
      assert.equal(error.code, code, `${what}: ${error.message}`);
      if (message !== undefined) assert.match(error.message, message, what);
    }
    // Nothing was created by the refused requests.
    assert.equal((await server.fetch(`${path("c2")}?${V}`)).status, 404);

    // A cluster in a resource group that does not exist; a pool of a cluster that does not exist.
    const noGroup = await server.fetch(`/subscriptions/${sub}/resourceGroups/nope/providers/Microsoft.ContainerService/managedClusters/x?${V}`, { method: "PUT", body: azCreateBody("x", "nope", sub) }); // prettier-ignore
    assert.equal((noGroup.body as ErrorBody).error.code, "ResourceGroupNotFound");
    const noCluster = await server.fetch(`${path("ghost", "/agentPools/np1")}?${V}`);
    assert.equal(noCluster.status, 404);
    assert.equal((noCluster.body as ErrorBody).error.code, "NotFound");
  });

  it("refuses admin credentials when local accounts are disabled, and keeps the last system pool", async () => {
    const body = azCreateBody("c3", "rg-az", server.subscriptionId) as Body;
    body.properties.disableLocalAccounts = true;
    body.properties.aadProfile = { managed: true, enableAzureRBAC: true };
    const created = await server.fetch(`${path("c3")}?${V}`, { method: "PUT", body });
    assert.equal(created.status, 201, created.text);
    await server.advance("PT1M");
    const admin = await server.fetch(`${path("c3", "/listClusterAdminCredential")}?${V}`, { method: "POST" });
    assert.equal(admin.status, 400);
    assert.equal((admin.body as ErrorBody).error.code, "BadRequest");
    assert.match((admin.body as ErrorBody).error.message, /disable local accounts/);
    const user = await server.fetch(`${path("c3", "/listClusterUserCredential")}?${V}`, { method: "POST" });
    assert.equal(user.status, 200);
    // An Entra ID cluster's user kubeconfig logs in through kubelogin (or the legacy azure auth-provider).
    const kubeconfig = (body: unknown): string =>
      Buffer.from((body as { kubeconfigs: { value: string }[] }).kubeconfigs[0]!.value, "base64").toString("utf8");
    const dir = mkdtempSync(join(tmpdir(), "aksemu-kube-"));
    try {
      writeFileSync(join(dir, "config"), kubeconfig(user.body));
      const view = JSON.parse(execFileSync("kubectl", ["config", "view", "--kubeconfig", join(dir, "config"), "-o", "json"], { encoding: "utf8" })) as { users: { user: { exec?: { command: string; args: string[] } } }[] }; // prettier-ignore
      assert.equal(view.users[0]!.user.exec?.command, "kubelogin");
      assert.ok(view.users[0]!.user.exec?.args.includes("get-token"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const legacy = await server.fetch(`${path("c3", "/listClusterUserCredential")}?${V}&format=azure`, { method: "POST" }); // prettier-ignore
    assert.match(kubeconfig(legacy.body), /auth-provider:\n\s+config:/);

    const lastSystem = await server.fetch(`${path("c3", "/agentPools/nodepool1")}?${V}`, { method: "DELETE" });
    assert.equal(lastSystem.status, 400);
    assert.equal((lastSystem.body as ErrorBody).error.code, "OperationNotAllowed");
    const stopSystem = await server.fetch(`${path("c3", "/agentPools/nodepool1")}?${V}`, {
      method: "PUT",
      body: { properties: { powerState: { code: "Stopped" } } },
    });
    assert.equal(stopSystem.status, 400);
  });
});

describe("cluster operations on a frozen clock with --realistic-timings", () => {
  let server: Aksemu;
  const path = (rest = ""): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/rg-slow/providers/Microsoft.ContainerService/managedClusters/slow${rest}`;

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T08:00:00Z", "--realistic-timings"] });
    await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups/rg-slow?api-version=2021-04-01`, {
      method: "PUT",
      body: { location: "westus2" },
    });
  });
  after(async () => {
    await server.dispose();
  });
  /** `az aks create` of `name` in rg-slow: accepted (201), still Creating for the emulated minutes. */
  const createSlow = async (name = "slow"): Promise<void> => {
    const create = await server.fetch(`${path().replace(/slow$/, name)}?${V}`, {
      method: "PUT",
      body: azCreateBody(name, "rg-slow", server.subscriptionId),
    });
    assert.equal(create.status, 201);
  };

  it("shows Creating, Stopping and Deleting until the emulated minutes pass, and one operation at a time", async () => {
    await createSlow();
    await server.advance("PT4M");
    let cluster = (await server.fetch(`${path()}?${V}`)).body as Body;
    assert.equal(cluster.properties.provisioningState, "Creating");

    const busy = await server.fetch(`${path("/stop")}?${V}`, { method: "POST" });
    assert.equal(busy.status, 409);
    assert.match((busy.body as ErrorBody).error.message, /Another operation \(Creating\) is in progress/);

    await server.advance("PT1M");
    cluster = (await server.fetch(`${path()}?${V}`)).body as Body;
    assert.equal(cluster.properties.provisioningState, "Succeeded");

    const stop = await server.fetch(`${path("/stop")}?${V}`, { method: "POST" });
    assert.equal(stop.status, 202);
    cluster = (await server.fetch(`${path()}?${V}`)).body as Body;
    assert.equal(cluster.properties.provisioningState, "Stopping");
    assert.deepEqual(cluster.properties.powerState, { code: "Stopped" });
    const status = await server.fetch(new URL(stop.headers.get("azure-asyncoperation")!).pathname + `?api-version=2016-03-30`); // prettier-ignore
    assert.equal((status.body as { status: string }).status, "InProgress");
    await server.advance("PT2M");
    cluster = (await server.fetch(`${path()}?${V}`)).body as Body;
    assert.equal(cluster.properties.provisioningState, "Succeeded");

    // az aks scale on a stopped cluster fails as AKS fails it.
    const pools = (cluster.properties.agentPoolProfiles as Record<string, unknown>[]).map((p) => ({ ...p, count: 5 }));
    const scale = await server.fetch(`${path()}?${V}`, {
      method: "PUT",
      body: { ...cluster, properties: { ...cluster.properties, agentPoolProfiles: pools } },
    });
    assert.equal(scale.status, 409);
    assert.equal((scale.body as ErrorBody).error.code, "OperationNotAllowed");
    assert.match((scale.body as ErrorBody).error.message, /Stopped/);

    // Delete is allowed on a stopped cluster; the node resource group goes with it.
    const del = await server.fetch(`${path()}?${V}`, { method: "DELETE" });
    assert.equal(del.status, 202);
    cluster = (await server.fetch(`${path()}?${V}`)).body as Body;
    assert.equal(cluster.properties.provisioningState, "Deleting");
    await server.advance("PT5M");
    assert.equal((await server.fetch(`${path()}?${V}`)).status, 404);
    const nodeRg = await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups/MC_rg-slow_slow_westus2?api-version=2021-04-01`); // prettier-ignore
    assert.equal(nodeRg.status, 404);
  });

  it("shows the managed outbound IP a fifth of the way into a create, as AKS does, without a new ETag", async () => {
    const name = path().replace(/slow$/, "outbound");
    await createSlow("outbound");
    type Lb = { effectiveOutboundIPs?: { id: string }[] };
    const outbound = (b: Body): Lb["effectiveOutboundIPs"] =>
      ((b.properties.networkProfile as { loadBalancerProfile?: Lb }).loadBalancerProfile ?? {}).effectiveOutboundIPs;
    await server.advance("PT30S");
    const early = (await server.fetch(`${name}?${V}`)).body as Body;
    assert.equal(early.properties.provisioningState, "Creating");
    assert.equal(outbound(early), undefined);
    await server.advance("PT30S");
    const network = (await server.fetch(`${name}?${V}`)).body as Body;
    assert.equal(network.properties.provisioningState, "Creating");
    assert.equal(outbound(network)?.length, 1);
    assert.match(outbound(network)![0]!.id, /\/resourceGroups\/MC_rg-slow_outbound_westus2\/providers\/Microsoft\.Network\/publicIPAddresses\//i); // prettier-ignore
    assert.equal(network.etag, early.etag);
    assertMatchesSpec(SPEC_2022, "ManagedClusters_Get", 200, network);
    await server.advance("PT4M");
    const done = (await server.fetch(`${name}?${V}`)).body as Body;
    assert.equal(done.properties.provisioningState, "Succeeded");
    assert.deepEqual(outbound(done), outbound(network));
    assert.equal((await server.fetch(`${name}?${V}`, { method: "DELETE" })).status, 202);
    await server.advance("PT5M");
  });

  it("runs operations on different agent pools at once, one at a time per pool, none beside the cluster's own", async () => {
    await createSlow();
    await server.advance("PT5M");
    const pool = (name: string): string => path(`/agentPools/${name}`);
    const userPool = { properties: { count: 1, vmSize: "Standard_DS2_v2", mode: "User", osType: "Linux" } };
    assert.equal((await server.fetch(`${pool("pool2")}?${V}`, { method: "PUT", body: userPool })).status, 201);
    // A second pool's create is accepted while the first runs (AKS: test_aks_nodepool_system_pool, Azure/AKS#1913).
    assert.equal((await server.fetch(`${pool("pool3")}?${V}`, { method: "PUT", body: userPool })).status, 201);
    // The same pool takes one operation at a time; the cluster waits for every pool.
    const samePool = await server.fetch(`${pool("pool2")}?${V}`, {
      method: "PUT",
      body: { properties: { ...userPool.properties, count: 2 } },
    });
    assert.equal(samePool.status, 409);
    assert.match((samePool.body as ErrorBody).error.message, /Another agentpool operation \(Creating\) is in progress/);
    const stop = await server.fetch(`${path("/stop")}?${V}`, { method: "POST" });
    assert.equal(stop.status, 409);
    assert.match((stop.body as ErrorBody).error.message, /Another operation \(Creating\) is in progress on agent pool \(pool[23]\)/); // prettier-ignore

    // Aborting one pool's operation leaves the other's running.
    const abort = await server.fetch(`${path("/agentPools/pool2/abort")}?${V}`, { method: "POST" });
    assert.equal(abort.status, 202);
    let pool2 = (await server.fetch(`${pool("pool2")}?${V}`)).body as Body;
    let pool3 = (await server.fetch(`${pool("pool3")}?${V}`)).body as Body;
    assert.equal(pool2.properties.provisioningState, "Canceled");
    assert.equal(pool3.properties.provisioningState, "Creating");
    await server.advance("PT4M");
    pool3 = (await server.fetch(`${pool("pool3")}?${V}`)).body as Body;
    assert.equal(pool3.properties.provisioningState, "Succeeded");

    // A pool's delete and another pool's update at once, as in the recording; then the cluster may act again.
    assert.equal((await server.fetch(`${pool("pool3")}?${V}`, { method: "DELETE" })).status, 202);
    const update = await server.fetch(`${pool("pool2")}?${V}`, {
      method: "PUT",
      body: { properties: { ...userPool.properties, count: 2 } },
    });
    assert.equal(update.status, 200);
    pool2 = update.body as Body;
    assert.equal(pool2.properties.provisioningState, "Scaling");
    const cluster = (await server.fetch(`${path()}?${V}`)).body as Body;
    assert.equal(cluster.properties.provisioningState, "Succeeded");
    const pools = cluster.properties.agentPoolProfiles as { name: string; provisioningState: string }[];
    assert.deepEqual(
      pools.map((p) => [p.name, p.provisioningState]),
      [
        ["nodepool1", "Succeeded"],
        ["pool2", "Scaling"],
        ["pool3", "Deleting"],
      ],
    );
    await server.advance("PT3M");
    pool2 = (await server.fetch(`${pool("pool2")}?${V}`)).body as Body;
    assert.equal(pool2.properties.provisioningState, "Succeeded");
    assert.equal(pool2.properties.count, 2);
    assert.equal((await server.fetch(`${pool("pool3")}?${V}`)).status, 404);
    assert.equal((await server.fetch(`${path("/stop")}?${V}`, { method: "POST" })).status, 202);
    await server.advance("PT2M");
    assert.equal((await server.fetch(`${path()}?${V}`, { method: "DELETE" })).status, 202);
    await server.advance("PT5M");
  });

  it("deleting the resource group deletes the cluster's node resource group too", async () => {
    await createSlow();
    await server.advance("PT5M");
    const group = `/subscriptions/${server.subscriptionId}/resourcegroups`;
    assert.equal((await server.fetch(`${group}/MC_rg-slow_slow_westus2?api-version=2021-04-01`)).status, 200);
    const del = await server.fetch(`${group}/rg-slow?api-version=2021-04-01`, { method: "DELETE" });
    assert.equal(del.status, 202);
    await server.advance("PT1M");
    assert.equal((await server.fetch(`${group}/rg-slow?api-version=2021-04-01`)).status, 404);
    assert.equal((await server.fetch(`${group}/MC_rg-slow_slow_westus2?api-version=2021-04-01`)).status, 404);
  });
});
