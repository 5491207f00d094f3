/**
 * AKS's side of the scale sets: whenever an operation on a managed cluster or agent pool ends, the cluster's scale
 * sets are made to match its stored pools (capacity = count, versions, labels, power). Operations that AKS runs on a
 * pool (create, update, scale, upgrade, node image upgrade, start) also put back AKS's model: customer extensions
 * removed, `aks-managed-*` tags restored, deallocated instances started, capacity = count, and the pool's tamper
 * records cleared.
 */
import { newEtag } from "../../arm/etag.js";
import type { JsonObject } from "../../arm/body.js";
import { resourceGroupId } from "../../arm/resource-id.js";
import type { OperationPhase, OperationRecord } from "../../operations/operations.js";
import type { Store } from "../../store/store.js";
import { deleteClusterNodesState, loadClusterNodesState, saveClusterNodesState } from "../../nodes/cluster-state.js";
import { resourceNameSuffix, vmssName, VMSS_TYPE, type NodeState } from "../../nodes/model.js";
import type { ComputeDeps } from "./requests.js";
import type { VmssResource } from "./scale-set-records.js";
import { clusterView, POOL_TYPE, poolView, type ClusterView, type PoolView } from "./pool-views.js";
import { aksExtensions, aksTags, newVmssBody, relabel, type VmssBody } from "./scale-sets.js";

/** AKS operations after which the pool's scale set is put back to AKS's model. */
const RESETTING_ACTIONS = new Set([
  "Creating",
  "Updating",
  "Upgrading",
  "Scaling",
  "UpgradingNodeImageVersion",
  "Starting",
]);

/** Why a cluster's scale sets are reconciled: the AKS operation that ended (on the cluster, or one of its pools). */
export interface ReconcileCause {
  action: string;
  pool?: string | undefined;
  operationId: string;
}

export class AksModelSync {
  constructor(private readonly deps: ComputeDeps) {}

  /** Listener of operations: reconciles a cluster's scale sets when one of its AKS operations ends. */
  async onOperation(phase: OperationPhase, op: OperationRecord, store: Store, now: Date): Promise<void> {
    if (phase !== "Succeeded" && phase !== "Canceled") return;
    if (op.namespace.toLowerCase() !== "microsoft.containerservice") return;
    const m = /^(.*\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+)(?:\/agentpools\/([^/]+))?$/i.exec(
      op.resourceId,
    );
    if (m === null) return;
    await this.reconcile(store, m[1]!, { action: op.action, pool: m[2], operationId: op.id }, now);
  }

  /**
   * Makes the scale sets and nodes of a cluster match its stored pools, as an AKS operation on it ends. The policy
   * hears of that end after this (it listens to operations after Compute), so the node change is not announced.
   */
  async reconcile(store: Store, clusterId: string, cause: ReconcileCause, now: Date): Promise<void> {
    const { records, resourceGroups, nodes } = this.deps;
    const cluster = await store.getResource<JsonObject>(clusterId);
    const facts = await loadClusterNodesState(store, clusterId);
    if (cluster === undefined) {
      // Its scale sets are in the node resource group it had (none if it never had one: they are made after it is).
      const remembered = await records.forgetNodeResourceGroup(store, clusterId);
      const nodeResourceGroup = facts.nodeResourceGroup ?? remembered;
      if (nodeResourceGroup !== undefined && nodeResourceGroup !== "") {
        const left = await records.ofCluster(store, clusterId, nodeResourceGroup);
        for (const vmss of left) await records.delete(store, vmss);
      }
      await deleteClusterNodesState(store, clusterId);
      return;
    }
    const view = clusterView(cluster.id, cluster.body);
    if (view.nodeResourceGroup === "") return;
    if (view.provisioningState === "Creating" || view.provisioningState === "Deleting") return;
    const pools = (await store.listChildren<JsonObject>(cluster.id, POOL_TYPE)).map((p) => poolView(p.body));
    const suffix = resourceNameSuffix(cluster.id);
    const existing = await records.ofCluster(store, cluster.id, view.nodeResourceGroup);
    // Scale sets live in their group: with none found, the group may be gone too (a customer deleted it).
    if (
      existing.length === 0 &&
      (await resourceGroups.get(store, view.subscriptionId, view.nodeResourceGroup)) === undefined
    ) {
      await resourceGroups.ensureManaged(store, view.subscriptionId, view.nodeResourceGroup, view.location, cluster.id);
    }
    const samePool = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    for (const vmss of existing) {
      if (!pools.some((p) => samePool(p.name, vmss.internal.pool))) await records.delete(store, vmss);
    }
    if (pools.some((p) => !existing.some((v) => samePool(v.internal.pool, p.name)))) {
      await records.rememberNodeResourceGroup(store, cluster.id, view.nodeResourceGroup, now);
    }
    const all: NodeState[] = [];
    for (const pool of pools) {
      const found = existing.find((v) => samePool(v.internal.pool, pool.name));
      const involved = cause.pool === undefined || samePool(cause.pool, pool.name);
      const reset = involved && RESETTING_ACTIONS.has(cause.action);
      all.push(...(await this.reconcilePool(store, view, pool, suffix, found, reset, cause.operationId, now)));
      if (reset) facts.tampering = facts.tampering.filter((t) => t.pool?.toLowerCase() !== pool.name.toLowerCase());
    }
    facts.nodeResourceGroup = view.nodeResourceGroup;
    if (pools.length === 0 && existing.length === 0) await saveClusterNodesState(store, facts, now);
    else await nodes.notifyChanged(store, cluster.id, now, { cluster: cluster.body, nodes: all, facts }, true);
  }

  /** A new scale set record for a pool, with AKS's model `body` (no instances yet). */
  private newScaleSet(cluster: ClusterView, pool: PoolView, suffix: string, body: VmssBody, now: Date): VmssResource {
    return {
      id: body.id,
      type: VMSS_TYPE,
      parentId: resourceGroupId(cluster.subscriptionId, cluster.nodeResourceGroup),
      subscriptionId: cluster.subscriptionId,
      body,
      internal: {
        clusterId: cluster.id,
        pool: pool.name,
        suffix,
        nextInstanceId: 0,
        orchestratorVersion: pool.version,
        nodeImageVersion: pool.nodeImageVersion,
        aksCount: 0,
        aksTags: body.tags,
        aksExtensionNames: aksExtensions(pool).map((e) => e.name),
      },
      etag: newEtag(),
      createdAt: now.toISOString(),
      changedAt: now.toISOString(),
    };
  }

  private async reconcilePool(
    store: Store,
    cluster: ClusterView,
    pool: PoolView,
    suffix: string,
    found: VmssResource | undefined,
    reset: boolean,
    operationId: string,
    now: Date,
  ): Promise<NodeState[]> {
    const { records, nodes } = this.deps;
    const name = vmssName(pool.name, suffix);
    const tags = aksTags(cluster, pool, suffix, name, found?.body.tags["aks-managed-createOperationID"] ?? operationId);
    const vmss =
      found ?? this.newScaleSet(cluster, pool, suffix, newVmssBody(cluster, pool, name, suffix, tags, now), now);
    const fresh = found === undefined;
    let instances = fresh ? [] : await records.instances(store, vmss.id);
    const versionChanged =
      vmss.internal.orchestratorVersion !== pool.version || vmss.internal.nodeImageVersion !== pool.nodeImageVersion;

    if (reset || fresh) {
      // AKS's model: its tags, its extensions, its image; customer changes do not survive.
      const model = newVmssBody(cluster, pool, name, suffix, tags, now);
      vmss.body = {
        ...model,
        properties: { ...model.properties, timeCreated: vmss.body.properties.timeCreated ?? now.toISOString() },
      };
      vmss.internal.aksTags = tags;
      vmss.internal.aksExtensionNames = aksExtensions(pool).map((e) => e.name);
    }
    // A stopped cluster keeps its pools' counts with deallocated VMs; a stopped user pool has count 0, as AKS shows.
    const desired = cluster.power === "Stopped" ? pool.count : pool.power === "Stopped" ? 0 : pool.count;
    const countChanged = vmss.internal.aksCount !== desired;

    if (versionChanged && instances.length > 0) {
      // An upgrade or node image upgrade surges new nodes and removes the old ones (new instance ids and names).
      await records.removeInstances(store, instances, now);
      instances = [];
    }
    if (reset || fresh || countChanged || versionChanged) {
      instances = await records.scaleTo(store, vmss, cluster, pool, instances, desired, now);
      vmss.internal.aksCount = desired;
      vmss.body.sku.capacity = desired;
    }
    vmss.internal.orchestratorVersion = pool.version;
    vmss.internal.nodeImageVersion = pool.nodeImageVersion;

    for (const node of instances) {
      const state = node.internal;
      relabel(state, cluster, pool, vmss.body);
      if (cluster.power === "Stopped") {
        if (state.power !== "deallocated") {
          nodes.setPower(
            state,
            "deallocated",
            { by: "AKS", at: now.toISOString(), via: "platform", action: "stop" },
            now,
          );
        }
      } else if (reset && state.power !== "running") {
        nodes.setPower(state, "running", { by: "AKS", at: now.toISOString(), via: "platform", action: "start" }, now);
        await nodes.recheck(store, node, now);
      }
      await nodes.save(store, node);
    }
    await records.save(store, vmss, now);
    return instances.map((n) => n.internal);
  }
}
