/**
 * AKS's model of a node pool's scale set: the names, tags, profile and extensions AKS gives it, and the wire shapes
 * of Microsoft.Compute for scale sets, their instances (the nodes) and their extensions.
 *
 * A scale set is stored with its wire body (what `GET` answers) and, in `internal`, what AKS last applied to it (the
 * pool, the versions, its own tags and extensions), so that the next AKS operation on the pool can put back what a
 * customer changed (fact sheet §1.14: direct IaaS changes "don't persist through upgrade/scale/update").
 */
import type { JsonObject } from "../../arm/body.js";
import {
  computerName,
  nodeLabels,
  parseTaint,
  stableGuid,
  VMSS_TYPE,
  type NodeState,
  type Taint,
} from "../../nodes/model.js";
import type { NodeResource } from "../../nodes/nodes.js";

export const VMSS_WIRE_TYPE = "Microsoft.Compute/virtualMachineScaleSets";
export const VM_WIRE_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines";
export const EXTENSION_WIRE_TYPE = "Microsoft.Compute/virtualMachineScaleSets/extensions";

/** AKS's images live in a shared gallery of this subscription (as seen in real node resource groups). */
const AKS_GALLERY_SUBSCRIPTION = "109a5e88-712a-48ae-9078-9ca8b3c81345";

export interface VmssInternal extends JsonObject {
  clusterId: string;
  pool: string;
  suffix: string;
  nextInstanceId: number;
  /** What AKS applied last: the pool's versions, its count, its tags and extensions. */
  orchestratorVersion: string;
  nodeImageVersion: string;
  aksCount: number;
  aksTags: Record<string, string>;
  aksExtensionNames: string[];
}

export interface ExtensionBody extends JsonObject {
  name: string;
  properties: JsonObject;
}

export interface VmssBody extends JsonObject {
  id: string;
  name: string;
  type: string;
  location: string;
  tags: Record<string, string>;
  sku: { name: string; tier: string; capacity: number };
  zones?: string[];
  identity?: JsonObject;
  properties: JsonObject & {
    provisioningState: string;
    virtualMachineProfile: JsonObject & {
      extensionProfile: { extensions: ExtensionBody[] };
      storageProfile: JsonObject;
    };
  };
}

/** The stored type of AKS's agent pools, whose scale sets these are. */
export const POOL_TYPE = "microsoft.containerservice/managedclusters/agentpools";

/** The slice of an agent pool's stored body that shapes its scale set and nodes. */
export interface PoolView {
  name: string;
  count: number;
  vmSize: string;
  osDiskSizeGB: number;
  osDiskType: string;
  osType: "Linux" | "Windows";
  osSKU: string;
  mode: string;
  version: string;
  nodeImageVersion: string;
  power: "Running" | "Stopped";
  nodeLabels: Record<string, string>;
  nodeTaints: string[];
  zones: string[] | undefined;
  spot: boolean;
  fips: boolean;
}

export interface ClusterView {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  nodeResourceGroup: string;
  power: "Running" | "Stopped";
  provisioningState: string;
  kubeletIdentity: { clientId?: string; objectId?: string; resourceId?: string } | undefined;
  adminUsername: string;
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

export function poolView(body: JsonObject): PoolView {
  const p = (body.properties ?? {}) as JsonObject;
  const labels = (p.nodeLabels ?? {}) as Record<string, string>;
  const osType = p.osType === "Windows" ? "Windows" : "Linux";
  return {
    name: str(body.name, "nodepool1"),
    count: typeof p.count === "number" ? p.count : 0,
    vmSize: str(p.vmSize, "Standard_DS2_v2"),
    osDiskSizeGB: typeof p.osDiskSizeGB === "number" && p.osDiskSizeGB > 0 ? p.osDiskSizeGB : 128,
    osDiskType: str(p.osDiskType, "Managed"),
    osType,
    osSKU: str(p.osSKU, osType === "Windows" ? "Windows2022" : "Ubuntu"),
    mode: str(p.mode, "User"),
    version: str(p.currentOrchestratorVersion, str(p.orchestratorVersion, "")),
    nodeImageVersion: str(p.nodeImageVersion, ""),
    power: (p.powerState as { code?: string } | undefined)?.code === "Stopped" ? "Stopped" : "Running",
    nodeLabels: labels,
    nodeTaints: Array.isArray(p.nodeTaints) ? (p.nodeTaints as unknown[]).filter((t) => typeof t === "string") : [],
    zones:
      Array.isArray(p.availabilityZones) && p.availabilityZones.length > 0
        ? (p.availabilityZones as string[])
        : undefined,
    spot: p.scaleSetPriority === "Spot",
    fips: p.enableFIPS === true,
  };
}

export function clusterView(id: string, body: JsonObject): ClusterView {
  const p = (body.properties ?? {}) as JsonObject;
  const identity = ((p.identityProfile ?? {}) as JsonObject).kubeletidentity as ClusterView["kubeletIdentity"];
  const linux = (p.linuxProfile ?? {}) as JsonObject;
  return {
    id: str(body.id, id),
    subscriptionId: id.split("/")[2] ?? "",
    name: str(body.name, ""),
    location: str(body.location, "eastus"),
    tags: (body.tags ?? {}) as Record<string, string>,
    nodeResourceGroup: str(p.nodeResourceGroup, ""),
    power: (p.powerState as { code?: string } | undefined)?.code === "Stopped" ? "Stopped" : "Running",
    provisioningState: str(p.provisioningState, "Succeeded"),
    kubeletIdentity: identity,
    adminUsername: str(linux.adminUsername, "azureuser"),
  };
}

export function vmssResourceId(cluster: ClusterView, name: string): string {
  return `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
}

/** The tags AKS puts on a pool's scale set (plus the cluster's own tags, which AKS propagates). */
export function aksTags(
  cluster: ClusterView,
  pool: PoolView,
  suffix: string,
  name: string,
  operationId: string,
): Record<string, string> {
  const tags: Record<string, string> = {
    ...cluster.tags,
    "aks-managed-createOperationID": operationId,
    "aks-managed-creationSource": `vmssclient-${name}`,
    "aks-managed-orchestrator": `Kubernetes:${pool.version}`,
    "aks-managed-poolName": pool.name,
    "aks-managed-resourceNameSuffix": suffix,
  };
  if (cluster.kubeletIdentity?.clientId !== undefined) {
    tags["aks-managed-kubeletIdentityClientID"] = cluster.kubeletIdentity.clientId;
  }
  return tags;
}

/** The extensions AKS installs on every node: its node bootstrap script (vmssCSE) and the billing extension. */
export function aksExtensions(pool: PoolView): ExtensionBody[] {
  const linux = pool.osType === "Linux";
  return [
    {
      name: "vmssCSE",
      properties: {
        autoUpgradeMinorVersion: true,
        provisionAfterExtensions: [],
        publisher: linux ? "Microsoft.Azure.Extensions" : "Microsoft.Compute",
        type: linux ? "CustomScript" : "CustomScriptExtension",
        typeHandlerVersion: linux ? "2.0" : "1.10",
        settings: {},
        suppressFailures: false,
      },
    },
    {
      name: linux ? "AKSLinuxBilling" : "AKSWindowsBilling",
      properties: {
        autoUpgradeMinorVersion: true,
        provisionAfterExtensions: [],
        publisher: "Microsoft.AKS",
        type: linux ? "Compute.AKS.Linux.Billing" : "Compute.AKS.Windows.Billing",
        typeHandlerVersion: "1.0",
        settings: {},
        suppressFailures: false,
      },
    },
  ];
}

/** The image reference of a node image version (AKS's shared gallery for Linux, the marketplace for Windows). */
export function imageReference(pool: PoolView): JsonObject {
  const m = /^(AKS[A-Za-z]+)-(.+)-(\d{6}\.\d{2}\.\d+|\d{4}\.\d{2}\.\d{2})$/.exec(pool.nodeImageVersion);
  if (pool.osType === "Windows" || m === null) {
    return {
      publisher: "microsoft-aks",
      offer: pool.osType === "Windows" ? "aks-windows" : "aks",
      sku: pool.osSKU.toLowerCase(),
      version: pool.nodeImageVersion.replace(/^.*-/, ""),
    };
  }
  const [, gallery, image, version] = m;
  const rg =
    gallery === "AKSUbuntu"
      ? "AKS-Ubuntu"
      : gallery === "AKSAzureLinux"
        ? "AKS-AzureLinux"
        : `AKS-${gallery!.slice(3)}`;
  return {
    id: `/subscriptions/${AKS_GALLERY_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Compute/galleries/${gallery!}/images/${image!}/versions/${version!}`,
  };
}

function storageAccountType(pool: PoolView): string {
  if (pool.osDiskType === "Ephemeral") return "Standard_LRS";
  return /^standard_[a-z]+\d*[a-z]*s[a-z]*_/i.test(pool.vmSize) || /^standard_[a-z]+s\d/i.test(pool.vmSize)
    ? "Premium_LRS"
    : "Standard_LRS";
}

/** A fresh scale-set body for a pool, as AKS creates it. */
export function newVmssBody(
  cluster: ClusterView,
  pool: PoolView,
  name: string,
  suffix: string,
  tags: Record<string, string>,
  now: Date,
): VmssBody {
  const id = vmssResourceId(cluster, name);
  const linux = pool.osType === "Linux";
  const body: VmssBody = {
    id,
    name,
    type: VMSS_WIRE_TYPE,
    location: cluster.location,
    tags,
    sku: { name: pool.vmSize, tier: "Standard", capacity: pool.count },
    properties: {
      singlePlacementGroup: false,
      orchestrationMode: "Uniform",
      upgradePolicy: { mode: "Manual" },
      virtualMachineProfile: {
        osProfile: {
          computerNamePrefix: name,
          adminUsername: linux ? cluster.adminUsername : "azureuser",
          ...(linux
            ? {
                linuxConfiguration: {
                  disablePasswordAuthentication: true,
                  provisionVMAgent: true,
                  enableVMAgentPlatformUpdates: false,
                },
              }
            : { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: false } }),
          secrets: [],
          allowExtensionOperations: true,
          requireGuestProvisionSignal: true,
        },
        storageProfile: {
          osDisk: {
            osType: pool.osType,
            createOption: "FromImage",
            caching: "ReadOnly",
            managedDisk: { storageAccountType: storageAccountType(pool) },
            diskSizeGB: pool.osDiskSizeGB,
            ...(pool.osDiskType === "Ephemeral"
              ? { diffDiskSettings: { option: "Local", placement: "CacheDisk" } }
              : {}),
          },
          imageReference: imageReference(pool),
        },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name,
              properties: {
                primary: true,
                enableAcceleratedNetworking: false,
                disableTcpStateTracking: false,
                dnsSettings: { dnsServers: [] },
                enableIPForwarding: true,
                ipConfigurations: [
                  {
                    name: "ipconfig1",
                    properties: {
                      primary: true,
                      privateIPAddressVersion: "IPv4",
                      subnet: {
                        id: `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}/providers/Microsoft.Network/virtualNetworks/aks-vnet-${suffix}/subnets/aks-subnet`,
                      },
                    },
                  },
                ],
              },
            },
          ],
        },
        extensionProfile: { extensions: aksExtensions(pool) },
        ...(pool.spot ? { priority: "Spot", evictionPolicy: "Delete", billingProfile: { maxPrice: -1 } } : {}),
      },
      provisioningState: "Succeeded",
      overprovision: false,
      doNotRunExtensionsOnOverprovisionedVMs: false,
      platformFaultDomainCount: 1,
      timeCreated: now.toISOString(),
      uniqueId: stableGuid(`vmss:${id.toLowerCase()}`),
    },
  };
  if (pool.zones !== undefined) body.zones = pool.zones;
  const identity = cluster.kubeletIdentity;
  if (identity?.resourceId !== undefined) {
    body.identity = {
      type: "UserAssigned",
      userAssignedIdentities: {
        [identity.resourceId]: {
          ...(identity.clientId === undefined ? {} : { clientId: identity.clientId }),
          ...(identity.objectId === undefined ? {} : { principalId: identity.objectId }),
        },
      },
    };
  }
  return body;
}

/** The node state of a new instance of a pool's scale set. */
export function newNodeState(
  cluster: ClusterView,
  pool: PoolView,
  vmss: VmssBody,
  instanceId: number,
  readyAt: string,
  now: Date,
): NodeState {
  const name = computerName(vmss.name, instanceId);
  const zone = pool.zones === undefined ? undefined : pool.zones[instanceId % pool.zones.length];
  const state: NodeState = {
    clusterId: cluster.id,
    pool: pool.name,
    vmssId: vmss.id,
    instanceId: String(instanceId),
    name,
    osType: pool.osType,
    location: cluster.location,
    createdAt: now.toISOString(),
    readyAt,
    power: "running",
    kubeletVersion: `v${pool.version}`,
    nodeImageVersion: pool.nodeImageVersion,
    labels: {},
    kubectlLabels: {},
    taints: [],
    faults: [],
    repair: { status: "Idle", round: 0, since: now.toISOString(), gen: 0 },
    events: [],
    vmId: stableGuid(`vm:${vmss.id.toLowerCase()}/${instanceId}@${now.toISOString()}`),
    ...(zone === undefined ? {} : { zone }),
  };
  relabel(state, cluster, pool, vmss);
  return state;
}

/** Puts back the system labels, the pool's labels and taints (keeping labels set through the Kubernetes API). */
export function relabel(state: NodeState, cluster: ClusterView, pool: PoolView, vmss: VmssBody): void {
  const managedDisk = (vmss.properties.virtualMachineProfile.storageProfile.osDisk as JsonObject | undefined)
    ?.managedDisk as { storageAccountType?: string } | undefined;
  state.labels = {
    ...nodeLabels({
      pool: pool.name,
      mode: pool.mode,
      osType: pool.osType,
      osSku: pool.osSKU,
      vmSize: pool.vmSize,
      location: cluster.location,
      zone: state.zone,
      nodeResourceGroup: cluster.nodeResourceGroup,
      nodeName: state.name,
      nodeImageVersion: pool.nodeImageVersion,
      kubeletIdentityClientId: cluster.kubeletIdentity?.clientId,
      storageTier: managedDisk?.storageAccountType ?? "Premium_LRS",
      spot: pool.spot,
      fips: pool.fips,
      userLabels: pool.nodeLabels,
    }),
    ...state.kubectlLabels,
  };
  const taints: Taint[] = [];
  for (const text of pool.nodeTaints) {
    const taint = parseTaint(text);
    if (taint !== undefined) taints.push(taint);
  }
  if (pool.spot) taints.push({ key: "kubernetes.azure.com/scalesetpriority", value: "spot", effect: "NoSchedule" });
  state.taints = taints;
  state.kubeletVersion = `v${pool.version}`;
  state.nodeImageVersion = pool.nodeImageVersion;
}

function powerStatus(state: NodeState): { code: string; displayStatus: string } {
  if (state.power === "running") return { code: "PowerState/running", displayStatus: "VM running" };
  if (state.power === "stopped") return { code: "PowerState/stopped", displayStatus: "VM stopped" };
  return { code: "PowerState/deallocated", displayStatus: "VM deallocated" };
}

/** `virtualMachines/{id}/instanceView` of a scale-set instance. */
export function vmInstanceView(node: NodeResource, vmss: VmssBody): JsonObject {
  const s = node.internal;
  const linux = s.osType === "Linux";
  const osDisk = `${vmss.name}_${s.instanceId}_OsDisk_1_${s.vmId.replace(/-/g, "")}`;
  const time = s.powerChange?.at ?? s.createdAt;
  const agentHealthy = s.power === "running" && !s.faults.some((f) => f.kind !== "KubeletStopped");
  return {
    platformUpdateDomain: Number(s.instanceId) % 5,
    platformFaultDomain: 0,
    computerName: s.name,
    osName: linux ? "ubuntu" : "Windows Server 2022 Datacenter",
    osVersion: linux ? "22.04" : "10.0.20348",
    ...(s.power === "running"
      ? {
          vmAgent: {
            vmAgentVersion: linux ? "2.13.1.1" : "2.7.41491.1130",
            statuses: [
              agentHealthy
                ? {
                    code: "ProvisioningState/succeeded",
                    level: "Info",
                    displayStatus: "Ready",
                    message: "Guest Agent is running",
                    time,
                  }
                : {
                    code: "ProvisioningState/Unavailable",
                    level: "Warning",
                    displayStatus: "Not Ready",
                    message: "VM status blob is found but not yet populated.",
                    time,
                  },
            ],
          },
        }
      : {}),
    disks: [
      {
        name: osDisk,
        statuses: [
          {
            code: "ProvisioningState/succeeded",
            level: "Info",
            displayStatus: "Provisioning succeeded",
            time: s.createdAt,
          },
        ],
      },
    ],
    statuses: [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time },
      { ...powerStatus(s), level: "Info" },
    ],
  };
}

/** A scale-set instance as `virtualMachineScaleSets/{name}/virtualMachines/{id}` answers. */
export function vmBody(node: NodeResource, vmss: VmssBody, expandInstanceView: boolean): JsonObject {
  const s = node.internal;
  const vp = vmss.properties.virtualMachineProfile;
  const osDiskName = `${vmss.name}_${s.instanceId}_OsDisk_1_${s.vmId.replace(/-/g, "")}`;
  const osDisk = (vp.storageProfile.osDisk ?? {}) as JsonObject;
  const rgId = vmss.id.slice(0, vmss.id.toLowerCase().indexOf("/providers/"));
  const body: JsonObject = {
    name: `${vmss.name}_${s.instanceId}`,
    id: node.id,
    type: VM_WIRE_TYPE,
    location: vmss.location,
    tags: vmss.tags,
    instanceId: s.instanceId,
    sku: { name: vmss.sku.name, tier: vmss.sku.tier },
    ...(s.zone === undefined ? {} : { zones: [s.zone] }),
    properties: {
      latestModelApplied: true,
      modelDefinitionApplied: "VirtualMachineScaleSet",
      vmId: s.vmId,
      hardwareProfile: {},
      storageProfile: {
        imageReference: vp.storageProfile.imageReference,
        osDisk: {
          osType: s.osType,
          name: osDiskName,
          createOption: "FromImage",
          caching: osDisk.caching ?? "ReadOnly",
          managedDisk: {
            ...((osDisk.managedDisk ?? {}) as JsonObject),
            id: `${rgId}/providers/Microsoft.Compute/disks/${osDiskName}`,
          },
          diskSizeGB: osDisk.diskSizeGB,
        },
        dataDisks: [],
      },
      osProfile: {
        ...((vp.osProfile ?? {}) as JsonObject),
        computerNamePrefix: undefined,
        computerName: s.name,
      },
      networkProfile: {
        networkInterfaces: [{ id: `${node.id}/networkInterfaces/${vmss.name}` }],
      },
      provisioningState: "Succeeded",
      ...(expandInstanceView ? { instanceView: vmInstanceView(node, vmss) } : {}),
    },
    resources: vp.extensionProfile.extensions.map((e) => ({
      name: e.name,
      id: `${node.id}/extensions/${e.name}`,
      type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions",
      properties: {
        publisher: e.properties.publisher,
        type: e.properties.type,
        typeHandlerVersion: e.properties.typeHandlerVersion,
        autoUpgradeMinorVersion: e.properties.autoUpgradeMinorVersion,
        settings: e.properties.settings,
        provisioningState: "Succeeded",
      },
    })),
  };
  // Drop the scale set's name prefix from the instance's OS profile (JSON omits undefined).
  return JSON.parse(JSON.stringify(body)) as JsonObject;
}

/** A scale-set extension as `virtualMachineScaleSets/{name}/extensions/{ext}` answers. */
export function extensionBody(vmss: VmssBody, ext: ExtensionBody): JsonObject {
  return {
    id: `${vmss.id}/extensions/${ext.name}`,
    name: ext.name,
    type: EXTENSION_WIRE_TYPE,
    properties: { provisioningState: "Succeeded", ...ext.properties },
  };
}

export { VMSS_TYPE };
