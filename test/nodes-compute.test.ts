/**
 * The node resource group through the real @azure/arm-compute (api-version 2026-04-01): the scale sets AKS makes for
 * each pool (names, tags, capacity, instances), the nodes behind them (control API), a customer's extension that makes
 * the cluster unsupported until a node image upgrade puts the scale set back, and the node validating webhook's
 * refusal of a protected label change.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { ContainerServiceClient } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { computeClient, listNodes, type NodeView } from "./support/nodes.js";
import { clusterClient, supportability, type Supportability } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const VMSS_SPEC = specFile("compute/2022-11-01/virtualMachineScaleSet.json");

const POLL = { updateIntervalInMs: 20 };
const RG = "rg-nodes";
const NODE_RG = "MC_rg-nodes_nodes_westeurope";

describe("agent nodes through @azure/arm-compute and the control API", () => {
  let server: Aksemu;
  let aks: ContainerServiceClient;
  let compute: ComputeManagementClient;
  let clusterId: string;

  const nodes = (): Promise<NodeView[]> => listNodes(server, clusterId);
  const verdict = (): Promise<Supportability> => supportability(server, clusterId);

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    aks = clusterClient(server);
    compute = computeClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "westeurope" });
    const created = await aks.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "nodes",
      {
        location: "westeurope",
        identity: { type: "SystemAssigned" },
        dnsPrefix: "nodes",
        agentPoolProfiles: [{ name: "system", count: 2, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
      },
      POLL,
    );
    clusterId = created.id!;
    await aks.agentPools.beginCreateOrUpdateAndWait(
      RG,
      "nodes",
      "apps",
      {
        count: 3,
        vmSize: "Standard_D2s_v5",
        mode: "User",
        nodeLabels: { team: "apps" },
        nodeTaints: ["dedicated=apps:NoSchedule"],
      },
      POLL,
    );
  });
  after(async () => {
    await server.dispose();
  });

  it("gives each pool a scale set named, tagged and sized as AKS does, whose instances are the nodes", async () => {
    const sets = [];
    for await (const s of compute.virtualMachineScaleSets.list(NODE_RG)) sets.push(s);
    const names = sets.map((s) => s.name!).sort();
    assert.equal(names.length, 2);
    const [apps, system] = names as [string, string];
    assert.match(apps, /^aks-apps-\d{8}-vmss$/);
    assert.match(system, /^aks-system-\d{8}-vmss$/);
    const suffix = /-(\d{8})-vmss$/.exec(system)![1]!;

    const set = await compute.virtualMachineScaleSets.get(NODE_RG, system);
    assert.equal(set.sku?.capacity, 2);
    assert.equal(set.sku?.name, "Standard_D4s_v5");
    assert.equal(set.tags?.["aks-managed-poolName"], "system");
    assert.equal(set.tags?.["aks-managed-resourceNameSuffix"], suffix);
    assert.match(set.tags?.["aks-managed-orchestrator"] ?? "", /^Kubernetes:1\.\d+\.\d+$/);
    assert.ok(set.tags?.["aks-managed-createOperationID"]);
    assert.equal(set.tags?.["aks-managed-creationSource"], `vmssclient-${system}`);
    assert.ok(set.tags?.["aks-managed-kubeletIdentityClientID"]);
    const extensions = (set.virtualMachineProfile?.extensionProfile?.extensions ?? []).map((e) => e.name).sort();
    assert.deepEqual(extensions, ["AKSLinuxBilling", "vmssCSE"]);

    const vms = [];
    for await (const vm of compute.virtualMachineScaleSetVMs.list(NODE_RG, system)) vms.push(vm);
    assert.deepEqual(
      vms.map((v) => v.osProfile?.computerName),
      [`aks-system-${suffix}-vmss000000`, `aks-system-${suffix}-vmss000001`],
    );
    const view = await compute.virtualMachineScaleSetVMs.getInstanceView(NODE_RG, system, vms[0]!.instanceId!);
    assert.ok(view.statuses?.some((s) => s.code === "PowerState/running"));

    // The az CLI's api-version: every shape as the 2022-11-01 spec declares it.
    const path = `/subscriptions/${server.subscriptionId}/resourceGroups/${NODE_RG}/providers/Microsoft.Compute/virtualMachineScaleSets`;
    const v = "api-version=2022-11-01";
    const checks: [string, string][] = [
      [`${path}?${v}`, "VirtualMachineScaleSets_List"],
      [`${path}/${system}?${v}`, "VirtualMachineScaleSets_Get"],
      [`${path}/${system}/instanceView?${v}`, "VirtualMachineScaleSets_GetInstanceView"],
      [`${path}/${system}/virtualMachines?${v}&$expand=instanceView`, "VirtualMachineScaleSetVMs_List"],
      [`${path}/${system}/virtualMachines/0?${v}`, "VirtualMachineScaleSetVMs_Get"],
      [`${path}/${system}/virtualMachines/0/instanceView?${v}`, "VirtualMachineScaleSetVMs_GetInstanceView"],
      [`${path}/${system}/extensions?${v}`, "VirtualMachineScaleSetExtensions_List"],
      [`${path}/${system}/extensions/vmssCSE?${v}`, "VirtualMachineScaleSetExtensions_Get"],
    ];
    for (const [url, operationId] of checks) {
      const r = await server.fetch(url);
      assert.equal(r.status, 200, `${operationId}: ${r.text}`);
      assertMatchesSpec(VMSS_SPEC, operationId, 200, r.body);
    }
  });

  it("lists nodes that become Ready within a minute, with AKS's system labels and the pool's labels and taints", async () => {
    let list = await nodes();
    assert.equal(list.length, 5);
    assert.ok(
      list.every((n) => !n.ready),
      "nodes are NotReady right after creation",
    );
    await server.advance("PT1M");
    list = await nodes();
    assert.ok(list.every((n) => n.ready && n.conditions[0]!.reason === "KubeletReady"));
    const app = list.find((n) => n.pool === "apps")!;
    const cluster = await aks.managedClusters.get(RG, "nodes");
    const pool = cluster.agentPoolProfiles!.find((p) => p.name === "apps")!;
    assert.equal(app.labels["kubernetes.azure.com/agentpool"], "apps");
    assert.equal(app.labels["kubernetes.azure.com/mode"], "user");
    assert.equal(app.labels["kubernetes.azure.com/cluster"], NODE_RG);
    assert.equal(app.labels["kubernetes.io/hostname"], app.name);
    assert.equal(app.labels["node.kubernetes.io/instance-type"], "Standard_D2s_v5");
    assert.equal(app.labels["topology.kubernetes.io/region"], "westeurope");
    assert.equal(app.labels["kubernetes.azure.com/node-image-version"], pool.nodeImageVersion);
    assert.equal(app.labels["kubernetes.azure.com/os-sku"], "Ubuntu");
    assert.match(app.labels["kubernetes.azure.com/os-sku-effective"] ?? "", /^Ubuntu\d{4}$/);
    assert.equal(app.labels.team, "apps");
    assert.deepEqual(app.taints, [{ key: "dedicated", value: "apps", effect: "NoSchedule" }]);
    assert.equal(app.kubeletVersion, `v${pool.currentOrchestratorVersion!}`);
    assert.equal(app.nodeImageVersion, pool.nodeImageVersion);
    assert.deepEqual(app.health, { kubelet: "Running", containerRuntime: "Running" });
  });

  it("denies a protected system label change as AKS's node validating webhook does, and accepts other labels", async () => {
    const node = (await nodes())[0]!;
    const denied = await server.fetch(`/_emulator/nodes${clusterId}/${node.name}`, {
      method: "PATCH",
      auth: false,
      body: { labels: { "topology.kubernetes.io/zone": "lh-zone1" } },
    });
    assert.equal(denied.status, 400);
    const error = (denied.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "BadRequest");
    assert.match(error.message, /^admission webhook "aks-node-validating-webhook\.azmk8s\.io" denied the request/);
    assert.match(
      error.message,
      /non-changeable system label \(topology\.kubernetes\.io\/zone:lh-zone1\)\. This action is denied/,
    );
    const prefixed = await server.fetch(`/_emulator/nodes${clusterId}/${node.name}`, {
      method: "PATCH",
      auth: false,
      body: { labels: { "kubernetes.azure.com/mode": "user" } },
    });
    assert.equal(prefixed.status, 400);

    const accepted = await server.fetch(`/_emulator/nodes${clusterId}/${node.name}`, {
      method: "PATCH",
      auth: false,
      body: { labels: { "example.com/rack": "r1" } },
    });
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal((await nodes()).find((n) => n.name === node.name)!.labels["example.com/rack"], "r1");
  });

  it("makes the cluster unsupported when an extension is added through Compute, until a node image upgrade resets the scale set", async () => {
    assert.equal((await verdict()).status, "Supported");
    const appsSet = (await nodes()).find((n) => n.pool === "apps")!.name.replace(/\d{6}$/, "");
    await compute.virtualMachineScaleSetExtensions.createOrUpdate(
      NODE_RG,
      appsSet,
      "CustomScriptExtension",
      {
        publisher: "Microsoft.Azure.Extensions",
        typePropertiesType: "CustomScript",
        typeHandlerVersion: "2.1",
        settings: { commandToExecute: "echo tweak > /etc/sysctl.d/99-tweak.conf" },
      },
      POLL,
    );
    const exts = [];
    for await (const e of compute.virtualMachineScaleSetExtensions.list(NODE_RG, appsSet)) exts.push(e.name);
    assert.ok(exts.includes("CustomScriptExtension"));

    const unsupported = await verdict();
    assert.equal(unsupported.status, "OutOfSupport");
    const finding = unsupported.findings.find((f) => f.rule === "node-iaas-changes");
    assert.ok(finding, JSON.stringify(unsupported));
    assert.match(finding.message, /Extension 'CustomScriptExtension'/);
    assert.match(finding.message, /aksemu-test-client|[0-9a-f-]{36}/);

    // The node image upgrade, as `az aks nodepool upgrade --node-image-only` starts it, followed by the SDK's poller.
    await aks.agentPools.beginUpgradeNodeImageVersionAndWait(RG, "nodes", "apps", POLL);
    assert.equal((await aks.agentPools.get(RG, "nodes", "apps")).provisioningState, "Succeeded");
    const after: (string | undefined)[] = [];
    for await (const e of compute.virtualMachineScaleSetExtensions.list(NODE_RG, appsSet)) after.push(e.name);
    assert.deepEqual(after.sort(), ["AKSLinuxBilling", "vmssCSE"]);
    assert.equal((await verdict()).status, "Supported");
  });

  it("restores AKS's tags and capacity after a customer change, at the next AKS operation on the pool", async () => {
    const appsSet = (await nodes()).find((n) => n.pool === "apps")!.name.replace(/\d{6}$/, "");
    const before = await compute.virtualMachineScaleSets.get(NODE_RG, appsSet);
    await compute.virtualMachineScaleSets.update(
      NODE_RG,
      appsSet,
      { tags: { ...before.tags, "aks-managed-poolName": "hacked" }, sku: { capacity: 5 } },
      POLL,
    );
    const changed = await compute.virtualMachineScaleSets.get(NODE_RG, appsSet);
    assert.equal(changed.sku?.capacity, 5);
    assert.equal((await nodes()).filter((n) => n.pool === "apps").length, 5);
    const v = await verdict();
    assert.equal(v.status, "OutOfSupport");
    assert.ok(v.findings.some((f) => /system tag 'aks-managed-poolName' changed/.test(f.message)));

    // A PUT of the whole model with one more extension (what `az vmss extension set` sends).
    const model = await compute.virtualMachineScaleSets.get(NODE_RG, appsSet);
    model.virtualMachineProfile!.extensionProfile!.extensions!.push({
      name: "tuning",
      publisher: "Microsoft.Azure.Extensions",
      typePropertiesType: "CustomScript",
      typeHandlerVersion: "2.1",
    });
    await compute.virtualMachineScaleSets.createOrUpdate(NODE_RG, appsSet, model, POLL);
    assert.ok(
      (await verdict()).findings.some((f) =>
        /extension 'tuning' \(Microsoft\.Azure\.Extensions\.CustomScript\) added/.test(f.message),
      ),
    );

    await aks.agentPools.beginCreateOrUpdateAndWait(RG, "nodes", "apps", { count: 4 }, POLL);
    const reset = await compute.virtualMachineScaleSets.get(NODE_RG, appsSet);
    assert.equal(reset.sku?.capacity, 4);
    assert.equal(reset.tags?.["aks-managed-poolName"], "apps");
    assert.deepEqual(reset.virtualMachineProfile?.extensionProfile?.extensions?.map((e) => e.name).sort(), [
      "AKSLinuxBilling",
      "vmssCSE",
    ]);
    assert.equal((await nodes()).filter((n) => n.pool === "apps").length, 4);
    assert.equal((await verdict()).status, "Supported");
  });
});
