/**
 * The slices of a managed cluster's and an agent pool's stored bodies that shape their scale sets and nodes, read
 * with AKS's defaults where a body leaves a property out.
 */
import type { JsonObject } from "../../arm/body.js";

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
