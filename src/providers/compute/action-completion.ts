/**
 * What happens when a customer's Compute operation completes: a scale-set update reaches its capacity, a deletion
 * removes the scale set, an extension write or delete settles, an action on instances is applied to each node.
 */
import type { JsonObject } from "../../arm/body.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Store } from "../../store/store.js";
import type { NodeResource } from "../../nodes/nodes.js";
import type { ActionPayload } from "./long-running.js";
import type { ComputeDeps } from "./requests.js";
import type { VmssResource } from "./scale-set-records.js";
import { clusterView, POOL_TYPE, poolView } from "./pool-views.js";
import type { VmssBody, VmssInternal } from "./scale-sets.js";
import { applyVmAction } from "./vm-actions.js";

/** A customer's new capacity: instances added or removed as AKS's pool model makes them. */
async function applyCapacity(
  deps: ComputeDeps,
  store: Store,
  vmss: VmssResource,
  all: NodeResource[],
  capacity: number | undefined,
  now: Date,
): Promise<void> {
  const cluster = await store.getResource<JsonObject>(vmss.internal.clusterId);
  if (capacity === undefined || cluster === undefined || capacity === all.length) return;
  const pools = await store.listChildren<JsonObject>(cluster.id, POOL_TYPE);
  const pool = pools
    .map((p) => poolView(p.body))
    .find((p) => p.name.toLowerCase() === vmss.internal.pool.toLowerCase());
  if (pool === undefined) return;
  const kept = await deps.records.scaleTo(store, vmss, clusterView(cluster.id, cluster.body), pool, all, capacity, now);
  for (const node of kept) await deps.nodes.save(store, node);
}

export async function completeAction(deps: ComputeDeps, op: OperationRecord, store: Store, now: Date): Promise<void> {
  const payload = op.payload as ActionPayload;
  const vmss = await store.getResource<VmssBody, VmssInternal>(payload.vmssId);
  if (vmss === undefined) return;
  const { records } = deps;
  const all = await records.instances(store, vmss.id);
  const extensions = (): VmssBody["properties"]["virtualMachineProfile"]["extensionProfile"] =>
    vmss.body.properties.virtualMachineProfile.extensionProfile;
  const named = (name: string): boolean => name.toLowerCase() === payload.extension!.toLowerCase();
  switch (payload.action) {
    case "update":
      await applyCapacity(deps, store, vmss, all, payload.capacity, now);
      vmss.body.properties.provisioningState = "Succeeded";
      await records.save(store, vmss, now);
      break;
    case "deleteScaleSet":
      await records.delete(store, vmss);
      break;
    case "extensionWrite": {
      const ext = extensions().extensions.find((e) => named(e.name));
      if (ext !== undefined) ext.properties.provisioningState = "Succeeded";
      await records.save(store, vmss, now);
      break;
    }
    case "extensionDelete":
      extensions().extensions = extensions().extensions.filter((e) => !named(e.name));
      await records.save(store, vmss, now);
      break;
    default: {
      const targets =
        payload.instanceIds === undefined
          ? all
          : all.filter((n) => payload.instanceIds!.includes(n.internal.instanceId));
      for (const node of targets) await applyVmAction(deps, store, node, payload.action, op.caller, now);
      if (payload.action === "delete") {
        vmss.body.sku.capacity = (await records.instances(store, vmss.id)).length;
        await records.save(store, vmss, now);
      }
    }
  }
  if (vmss.internal.clusterId !== undefined) await deps.nodes.notifyChanged(store, vmss.internal.clusterId, now);
}
