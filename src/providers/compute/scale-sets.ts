/**
 * AKS's model of a node pool's scale set: the names, tags, profile and extensions AKS gives it, and the state of a new
 * instance (node) with its labels and taints.
 *
 * A scale set is stored with its wire body (what `GET` answers) and, in `internal`, what AKS last applied to it (the
 * pool, the versions, its own tags and extensions), so that the next AKS operation on the pool can put back what a
 * customer changed (fact sheet §1.14: direct IaaS changes "don't persist through upgrade/scale/update").
 */
import type { JsonObject } from "../../arm/body.js";
import { computerName, nodeLabels, parseTaint, stableGuid, type NodeState, type Taint } from "../../nodes/model.js";
import type { ClusterView, PoolView } from "./pool-views.js";

export const VMSS_WIRE_TYPE = "Microsoft.Compute/virtualMachineScaleSets";

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
