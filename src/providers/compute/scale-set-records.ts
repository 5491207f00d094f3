/**
 * The stored side of scale sets: reading and writing a scale set and its instances (the nodes), growing or shrinking
 * it to a count, and removing instances and scale sets together with the faults injected into their nodes.
 */
import { newEtag } from "../../arm/etag.js";
import { idKey, resourceGroupId } from "../../arm/resource-id.js";
import type { Store, StoredResource } from "../../store/store.js";
import { FAULT_TYPE, VM_TYPE, VMSS_TYPE, type NodeState } from "../../nodes/model.js";
import type { FaultRecord, NodeResource, Nodes } from "../../nodes/nodes.js";
import { newNodeState, type ClusterView, type PoolView, type VmssBody, type VmssInternal } from "./scale-sets.js";

export type VmssResource = StoredResource<VmssBody, VmssInternal>;

export class ScaleSetRecords {
  constructor(private readonly nodes: Nodes) {}

  /** The instances of a scale set, by instance id. */
  async instances(store: Store, vmssId: string): Promise<NodeResource[]> {
    const list = await store.listChildren<{ name: string }, NodeState>(vmssId, VM_TYPE);
    return list.sort((a, b) => Number(a.internal.instanceId) - Number(b.internal.instanceId));
  }

  /** The scale sets AKS made for a cluster: those of its node resource group (or subscription) that belong to it. */
  async ofCluster(store: Store, clusterId: string, nodeResourceGroup?: string): Promise<VmssResource[]> {
    let candidates: VmssResource[];
    if (nodeResourceGroup !== undefined && nodeResourceGroup !== "") {
      const sub = clusterId.split("/")[2]!;
      candidates = await store.listChildren<VmssBody, VmssInternal>(resourceGroupId(sub, nodeResourceGroup), VMSS_TYPE);
    } else {
      candidates = await store.listByType<VmssBody, VmssInternal>(VMSS_TYPE, clusterId.split("/")[2]);
    }
    return candidates.filter(
      (v) => v.internal.clusterId !== undefined && idKey(v.internal.clusterId) === idKey(clusterId),
    );
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
    const kept = [...instances];
    while (kept.length > count) {
      const last = kept.pop()!;
      await this.removeInstance(store, last, now);
    }
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

  async removeInstance(store: Store, node: NodeResource, now: Date): Promise<void> {
    this.nodes.forget(node.internal, now);
    await this.forgetFaults(store, [node.id]);
    await store.deleteResource(node.id);
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
