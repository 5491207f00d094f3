/**
 * The stored shapes of Microsoft.ContainerService resources.
 *
 * A managed cluster is stored as its wire body (newest shapes) without `agentPoolProfiles`; each agent pool is its own
 * child resource (the `agentPools` API's wire body), and the cluster's `agentPoolProfiles` are composed from them on
 * every read, so the two APIs can never disagree. Provider-private facts (credentials, the operation in flight, when
 * the cluster was stopped, the values an operation will make current when it completes) live in `internal`.
 */
import type { JsonObject } from "../../arm/body.js";

export const NAMESPACE = "Microsoft.ContainerService";
/** Lower-cased store types. */
export const CLUSTER_TYPE = "microsoft.containerservice/managedclusters";
export const POOL_TYPE = "microsoft.containerservice/managedclusters/agentpools";
export const MAINTENANCE_TYPE = "microsoft.containerservice/managedclusters/maintenanceconfigurations";
/** Types as AKS writes them in bodies. */
export const CLUSTER_WIRE_TYPE = "Microsoft.ContainerService/ManagedClusters";
export const POOL_WIRE_TYPE = "Microsoft.ContainerService/managedClusters/agentPools";
export const MAINTENANCE_WIRE_TYPE = "Microsoft.ContainerService/managedClusters/maintenanceConfigurations";

/** The caller recorded for actions the platform takes on its own (policy rules, node rules). */
export const PLATFORM_CALLER = "AKS platform";

export type ProvisioningState =
  | "Creating"
  | "Updating"
  | "Upgrading"
  | "Scaling"
  | "Stopping"
  | "Starting"
  | "Deleting"
  | "UpgradingNodeImageVersion"
  | "RotatingClusterCertificates"
  | "Canceled"
  | "Succeeded"
  | "Failed";

export type PowerCode = "Running" | "Stopped";

export interface PoolProperties extends JsonObject {
  count: number;
  vmSize: string;
  osDiskSizeGB: number;
  osDiskType: string;
  kubeletDiskType: string;
  maxPods: number;
  type: string;
  mode: "System" | "User" | "Gateway";
  osType: "Linux" | "Windows";
  osSKU: string;
  orchestratorVersion: string;
  currentOrchestratorVersion: string;
  nodeImageVersion: string;
  provisioningState: ProvisioningState;
  powerState: { code: PowerCode };
  enableAutoScaling: boolean;
}

export interface PoolBody extends JsonObject {
  id: string;
  name: string;
  type: string;
  properties: PoolProperties;
}

export interface ClusterProperties extends JsonObject {
  provisioningState: ProvisioningState;
  powerState: { code: PowerCode };
  kubernetesVersion: string;
  currentKubernetesVersion: string;
  dnsPrefix: string;
  fqdn: string;
  azurePortalFQDN: string;
  nodeResourceGroup: string;
  supportPlan: string;
  disableLocalAccounts: boolean;
  resourceUID: string;
}

export interface ClusterBody extends JsonObject {
  id: string;
  location: string;
  name: string;
  type: string;
  tags?: Record<string, string>;
  properties: ClusterProperties;
  identity?: JsonObject;
  sku: { name: string; tier: string };
}

/** A running operation's lock on its cluster or agent pool (see ClusterInternal.active and poolOperations). */
export interface ActiveOperation {
  id: string;
  /** As AKS names it in its errors: `Creating`, `Scaling`, `Stopping`... */
  action: ProvisioningState;
  /** Set when the operation acts on one agent pool. */
  pool?: string;
  startedAt: string;
  caller: string;
}

/** What an operation makes current when it completes. */
export interface PendingChanges {
  currentKubernetesVersion?: string;
  pools?: Record<string, { currentOrchestratorVersion?: string; nodeImageVersion?: string; count?: number }>;
}

/**
 * A cluster's credentials, kept small: a random seed per generation from which the CA, client certificates, keys and
 * tokens are derived when a kubeconfig is handed out (see kubeconfig.ts). Rotation draws a new seed.
 */
export interface ClusterCredentials {
  generation: number;
  seed: string;
  rotatedAt: string;
}

export interface ClusterInternal extends JsonObject {
  resourceGroup: string;
  credentials: ClusterCredentials;
  /** The running operation on the cluster itself (it excludes every other). */
  active?: ActiveOperation;
  /**
   * The running operation of each agent pool, by lower-cased pool name: AKS runs operations on different pools at
   * once (recording test_aks_nodepool_system_pool: nodepool2 updated while nodepool1 was being deleted).
   */
  poolOperations?: Record<string, ActiveOperation>;
  /** What the running operations make current when they complete (a pool operation's under its pool's name). */
  pending?: PendingChanges;
  /** When the cluster was last stopped, and by whom (the 12-month rule reads this). */
  stoppedAt?: string;
  stoppedBy?: string;
  createdAt: string;
  createdBy: string;
  lastOperation?: { id: string; action: ProvisioningState; endedAt: string; caller: string; status: string };
}

/** Payload of every Microsoft.ContainerService operation. */
export interface OperationPayload {
  clusterId: string;
  action: ProvisioningState;
  pool?: string;
  /** For platform callers: why (the rule), recorded for the activity log. */
  reason?: string;
}
