/**
 * The stored side of scale sets: reading and writing a scale set and its instances (the nodes), growing or shrinking
 * it to a count, and removing instances and scale sets together with the faults injected into their nodes.
 */
import { newEtag } from "../../arm/etag.js";
import type { JsonObject } from "../../arm/body.js";
import { idKey, parseResourceId, resourceGroupId } from "../../arm/resource-id.js";
import type { Store, StoredResource } from "../../store/store.js";
import { FAULT_TYPE, VM_TYPE, VMSS_TYPE, type NodeState } from "../../nodes/model.js";
import type { FaultRecord, NodeResource, Nodes } from "../../nodes/nodes.js";
import type { ClusterView, PoolView } from "./pool-views.js";
import { newNodeState, type VmssBody, type VmssInternal } from "./scale-sets.js";

export type VmssResource = StoredResource<VmssBody, VmssInternal>;

const NODE_RESOURCE_GROUP_TYPE = "aksemu.compute/noderesourcegroups";

interface NodeResourceGroupRecord extends JsonObject {
  clusterId: string;
  nodeResourceGroup: string;
}

/** Where a cluster's node resource group is kept: `{its group}/providers/aksemu.compute/nodeResourceGroups/{name}` */
function rememberedAt(clusterId: string): { groupId: string; id: string } {
  const cluster = parseResourceId(clusterId)!;
  const groupId = resourceGroupId(cluster.subscriptionId, cluster.resourceGroup!);
  return { groupId, id: `${groupId}/providers/aksemu.compute/nodeResourceGroups/${cluster.name!}` };
}

export class ScaleSetRecords {
  constructor(private readonly nodes: Nodes) {}

  /** The instances of a scale set, by instance id. */
  async instances(store: Store, vmssId: string): Promise<NodeResource[]> {
    const list = await store.listChildren<{ name: string }, NodeState>(vmssId, VM_TYPE);
    return list.sort((a, b) => Number(a.internal.instanceId) - Number(b.internal.instanceId));
  }

  /** The scale sets AKS made for a cluster: those of its node resource group that belong to it. */
  async ofCluster(store: Store, clusterId: string, nodeResourceGroup: string): Promise<VmssResource[]> {
    const sub = clusterId.split("/")[2]!;
    const inGroup = await store.listChildren<VmssBody, VmssInternal>(
      resourceGroupId(sub, nodeResourceGroup),
      VMSS_TYPE,
    );
    return inGroup.filter(
      (v) => v.internal.clusterId !== undefined && idKey(v.internal.clusterId) === idKey(clusterId),
    );
  }

  /**
   * Remembers a cluster's node resource group where it outlives the cluster: next to the cluster, in its resource
   * group (so it goes with that group), for the cleanup after the cluster is deleted (everything under the cluster's
   * id is gone by then). Written when AKS makes a scale set for the cluster.
   */
  async rememberNodeResourceGroup(
    store: Store,
    clusterId: string,
    nodeResourceGroup: string,
    now: Date,
  ): Promise<void> {
    const { groupId, id } = rememberedAt(clusterId);
    await store.putResource<NodeResourceGroupRecord, JsonObject>({
      id,
      type: NODE_RESOURCE_GROUP_TYPE,
      parentId: groupId,
      subscriptionId: clusterId.split("/")[2]!,
      body: { clusterId, nodeResourceGroup },
      etag: "",
      at: now.toISOString(),
    });
  }

  /** Forgets the node resource group remembered for a (deleted) cluster, and says which it was. */
  async forgetNodeResourceGroup(store: Store, clusterId: string): Promise<string | undefined> {
    const { id } = rememberedAt(clusterId);
    const known = await store.getResource<NodeResourceGroupRecord>(id);
    if (known === undefined) return undefined;
    await store.deleteResource(id);
    return known.body.nodeResourceGroup;
  }

  async save(store: Store, vmss: VmssResource, now: Date): Promise<string> {
    const etag = newEtag();
    await store.putResource({
      id: vmss.id,
      type: VMSS_TYPE,
      parentId: vmss.parentId,
      subscriptionId: vmss.subscriptionId,
      body: vmss.body,
      internal: vmss.internal,
      etag,
      at: now.toISOString(),
    });
    vmss.etag = etag;
    return etag;
  }

  /** Adds or removes instances (highest ids go first) until the scale set has `count`. */
  async scaleTo(
    store: Store,
    vmss: VmssResource,
    cluster: ClusterView,
    pool: PoolView,
    instances: NodeResource[],
    count: number,
    now: Date,
  ): Promise<NodeResource[]> {
    const kept = instances.slice(0, Math.max(0, count));
    await this.removeInstances(store, instances.slice(kept.length), now);
    while (kept.length < count) {
      const id = vmss.internal.nextInstanceId++;
      const state = newNodeState(cluster, pool, vmss.body, id, now.toISOString(), now);
      this.nodes.boot(state, now);
      const node: NodeResource = {
        id: `${vmss.id}/virtualMachines/${id}`,
        type: VM_TYPE,
        parentId: vmss.id,
        subscriptionId: vmss.subscriptionId,
        body: { name: `${vmss.body.name}_${id}` },
        internal: state,
        etag: newEtag(),
        createdAt: now.toISOString(),
        changedAt: now.toISOString(),
      };
      kept.push(node);
    }
    return kept;
  }

  /** Removes instances and the faults injected into them (one look at the faults for all of them). */
  async removeInstances(store: Store, nodes: NodeResource[], now: Date): Promise<void> {
    for (const node of nodes) this.nodes.forget(node.internal, now);
    await this.forgetFaults(
      store,
      nodes.map((n) => n.id),
    );
    for (const node of nodes) await store.deleteResource(node.id);
  }

  /** Removes a scale set, its instances and their faults. */
  async delete(store: Store, vmss: VmssResource): Promise<void> {
    await this.forget(store, vmss.id);
    await store.deleteUnder(vmss.id);
  }

  /** Cleanup when a scale set goes (its group deleted): the faults injected into its nodes. */
  async forget(store: Store, vmssId: string): Promise<void> {
    const instances = await store.listChildren(vmssId, VM_TYPE);
    await this.forgetFaults(
      store,
      instances.map((i) => i.id),
    );
  }

  private async forgetFaults(store: Store, nodeIds: string[]): Promise<void> {
    if (nodeIds.length === 0) return;
    const keys = new Set(nodeIds.map(idKey));
    const faults = await store.listChildren<FaultRecord>("/providers/aksemu", FAULT_TYPE);
    for (const f of faults) if (keys.has(idKey(f.body.nodeResourceId))) await store.deleteResource(f.id);
  }
}
