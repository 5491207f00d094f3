/**
 * What the node side knows about a cluster as a whole, for the node rules of the support policy: the changes
 * customers made to its scale sets through the Compute API (each one makes the cluster unsupported until AKS resets
 * the scale set to its model), and since when all of its VMs are deallocated, or none is running.
 *
 * Stored as one small resource under the cluster's id (so it goes when the cluster goes), updated whenever the nodes
 * of the cluster change.
 */
import { idKey } from "../arm/resource-id.js";
import type { Store } from "../store/store.js";
import { CLUSTER_NODES_TYPE, type NodeState } from "./model.js";

export interface TamperRecord {
  /** The scale set changed (and its pool, when it is one of AKS's). */
  scaleSet: string;
  pool?: string;
  /** What was changed, in words (e.g. "extension 'CustomScript' added"). */
  change: string;
  /** The Compute operation, e.g. `Microsoft.Compute/virtualMachineScaleSets/extensions/write`. */
  operation: string;
  /** Object id of the caller. */
  caller: string;
  at: string;
}

export interface ClusterNodesState {
  clusterId: string;
  /** The cluster's node resource group (kept to clean up after the cluster is gone). */
  nodeResourceGroup?: string;
  tampering: TamperRecord[];
  /** Every VM of the cluster is deallocated, at least one by a customer through the Compute API (fact sheet §1.3). */
  allDeallocatedSince?: string;
  allDeallocatedBy?: string;
  /** No VM of the cluster is running, hence no node is Ready (fact sheet §1.4). */
  zeroRunningSince?: string;
  /** Counts at the last change. */
  vms: number;
  running: number;
  deallocated: number;
}

export function clusterNodesStateId(clusterId: string): string {
  return `${clusterId}/providers/aksemu.nodes/clusterstate/default`;
}

export async function getClusterNodesState(store: Store, clusterId: string): Promise<ClusterNodesState | undefined> {
  return (await store.getResource<ClusterNodesState>(clusterNodesStateId(clusterId)))?.body;
}

export async function loadClusterNodesState(store: Store, clusterId: string): Promise<ClusterNodesState> {
  return (
    (await getClusterNodesState(store, clusterId)) ?? { clusterId, tampering: [], vms: 0, running: 0, deallocated: 0 }
  );
}

export async function saveClusterNodesState(store: Store, state: ClusterNodesState, now: Date): Promise<void> {
  await store.putResource({
    id: clusterNodesStateId(state.clusterId),
    type: CLUSTER_NODES_TYPE,
    parentId: state.clusterId,
    subscriptionId: state.clusterId.split("/")[2] ?? "",
    body: state,
    etag: "",
    at: now.toISOString(),
  });
}

export async function deleteClusterNodesState(store: Store, clusterId: string): Promise<void> {
  await store.deleteResource(clusterNodesStateId(clusterId));
}

/**
 * Recomputes the power facts from the nodes. The deadlines count only while AKS believes the cluster runs: a cluster
 * stopped with `az aks stop` deallocates its VMs too, and is governed by the stopped-cluster rule instead.
 */
export function refreshPowerFacts(
  state: ClusterNodesState,
  nodes: readonly NodeState[],
  clusterRunning: boolean,
  now: Date,
): void {
  state.vms = nodes.length;
  state.running = nodes.filter((n) => n.power === "running").length;
  state.deallocated = nodes.filter((n) => n.power === "deallocated").length;
  const latestChange = (): string => {
    let latest = "";
    for (const n of nodes) if (n.powerChange !== undefined && n.powerChange.at > latest) latest = n.powerChange.at;
    return latest === "" ? now.toISOString() : latest;
  };
  const customerDeallocation = nodes.find(
    (n) => n.power === "deallocated" && n.powerChange?.via === "customer",
  )?.powerChange;
  const allDeallocated =
    clusterRunning && nodes.length > 0 && state.deallocated === nodes.length && customerDeallocation !== undefined;
  if (allDeallocated) {
    if (state.allDeallocatedSince === undefined) {
      state.allDeallocatedSince = latestChange();
      state.allDeallocatedBy = customerDeallocation.by;
    }
  } else {
    delete state.allDeallocatedSince;
    delete state.allDeallocatedBy;
  }
  const zeroRunning = clusterRunning && state.running === 0;
  if (zeroRunning) state.zeroRunningSince ??= latestChange();
  else delete state.zeroRunningSince;
}

export function sameId(a: string, b: string): boolean {
  return idKey(a) === idKey(b);
}
