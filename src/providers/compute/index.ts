/**
 * Microsoft.Compute for node resource groups: the virtual machine scale sets AKS makes for agent pools, their
 * instances (the nodes) and their extensions, as `@azure/arm-compute` and the az CLI call them.
 *
 * Two kinds of writers touch a scale set:
 * - AKS itself: whenever an operation on a managed cluster or agent pool ends, `reconcile` makes the scale sets match
 *   the stored cluster and pools (capacity = count, versions, labels, power). Operations that AKS runs on a pool
 *   (create, update, scale, upgrade, node image upgrade, start) also put back AKS's model: customer extensions
 *   removed, `aks-managed-*` tags restored, deallocated instances started, capacity = count.
 * - Customers, through this API. As in Azure they may; as the support policy says, every such change makes the
 *   cluster unsupported (fact sheet §1.14): each is recorded with what changed, who and when, for the node rules.
 *
 * Long-running calls answer as Compute does: 202 (or 200/201 with a body) with `Azure-AsyncOperation` and `Location`
 * headers pointing at `/providers/Microsoft.Compute/locations/{location}/operations/{id}`.
 */
import { ArmError, armErrors } from "../../arm/errors.js";
import { asObject, isObject, optionalArray, optionalObject, optionalTags, type JsonObject } from "../../arm/body.js";
import { newEtag } from "../../arm/etag.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pageOf } from "../../arm/paging.js";
import { idKey, resourceGroupId } from "../../arm/resource-id.js";
import type { OperationRecord, OperationPhase } from "../../operations/operations.js";
import type { Store, StoredResource } from "../../store/store.js";
import {
  deleteClusterNodesState,
  loadClusterNodesState,
  saveClusterNodesState,
  type TamperRecord,
} from "../../nodes/cluster-state.js";
import { FAULT_TYPE, resourceNameSuffix, vmssName, VM_TYPE, VMSS_TYPE, type NodeState } from "../../nodes/model.js";
import type { FaultRecord, NodeResource, Nodes } from "../../nodes/nodes.js";
import type { Platform } from "../platform.js";
import type { ResourceGroups } from "../resources/index.js";
import { apiVersions } from "./api-versions.js";
import {
  aksExtensions,
  aksTags,
  clusterView,
  extensionBody,
  newNodeState,
  newVmssBody,
  poolView,
  relabel,
  vmBody,
  vmInstanceView,
  type ClusterView,
  type ExtensionBody,
  type PoolView,
  type VmssBody,
  type VmssInternal,
} from "./scale-sets.js";

export const COMPUTE_NAMESPACE = "Microsoft.Compute";
const ACTION_KIND = "compute.action";
const POOL_TYPE = "microsoft.containerservice/managedclusters/agentpools";

/** AKS operations after which the pool's scale set is put back to AKS's model. */
const RESETTING_ACTIONS = new Set([
  "Creating",
  "Updating",
  "Upgrading",
  "Scaling",
  "UpgradingNodeImageVersion",
  "Starting",
]);

type VmssResource = StoredResource<VmssBody, VmssInternal>;

type VmAction = "deallocate" | "start" | "powerOff" | "restart" | "reimage" | "redeploy" | "delete";

interface ActionPayload {
  vmssId: string;
  /** Instance ids, or undefined for every instance. */
  instanceIds?: string[];
  action: VmAction | "update" | "deleteScaleSet" | "extensionWrite" | "extensionDelete";
  extension?: string;
  capacity?: number;
}

const ACTION_LABEL: Record<VmAction, string> = {
  deallocate: "Deallocating",
  start: "Starting",
  powerOff: "Stopping",
  restart: "Restarting",
  reimage: "Reimaging",
  redeploy: "Redeploying",
  delete: "Deleting",
};

/** Deep equality of two JSON values, ignoring key order, null/undefined members and the `ignore`d keys. */
function sameJson(a: unknown, b: unknown, ignore: string[]): boolean {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (isObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        if (ignore.includes(k) || v[k] === null || v[k] === undefined) continue;
        out[k] = norm(v[k]);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(a) ?? null) === JSON.stringify(norm(b) ?? null);
}

function notFound(type: string, name: string, rg: string): ArmError {
  return armErrors.resourceNotFound(`Microsoft.Compute/${type}`, name, rg);
}

export class Compute {
  constructor(
    private readonly platform: Platform,
    private readonly nodes: Nodes,
    private readonly resourceGroups: ResourceGroups,
  ) {
    platform.operations.onComplete(ACTION_KIND, (op, ctx) => this.completeAction(op, ctx.store, ctx.now));
    platform.operations.listen((phase, op, ctx) => this.onOperation(phase, op, ctx.store, ctx.now));
    platform.cascades.set(VMSS_TYPE, (store, resource) => this.forgetScaleSet(store, resource.id));
  }

  // --- AKS's side: reconcile scale sets with clusters and pools -------------------------------------------------------

  private async onOperation(phase: OperationPhase, op: OperationRecord, store: Store, now: Date): Promise<void> {
    if (phase !== "Succeeded" && phase !== "Canceled") return;
    if (op.namespace.toLowerCase() !== "microsoft.containerservice") return;
    const m = /^(.*\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+)(?:\/agentpools\/([^/]+))?$/i.exec(
      op.resourceId,
    );
    if (m === null) return;
    await this.reconcile(store, m[1]!, { action: op.action, pool: m[2], operationId: op.id }, now);
  }

  /** Makes the scale sets and nodes of a cluster match its stored pools. */
  async reconcile(
    store: Store,
    clusterId: string,
    cause: { action: string; pool?: string | undefined; operationId: string },
    now: Date,
  ): Promise<void> {
    const cluster = await store.getResource<JsonObject>(clusterId);
    const facts = await loadClusterNodesState(store, clusterId);
    if (cluster === undefined) {
      for (const vmss of await this.scaleSetsOfCluster(store, clusterId, facts.nodeResourceGroup)) {
        await this.deleteScaleSet(store, vmss);
      }
      await deleteClusterNodesState(store, clusterId);
      return;
    }
    const view = clusterView(cluster.id, cluster.body);
    if (view.nodeResourceGroup === "") return;
    if (view.provisioningState === "Creating" || view.provisioningState === "Deleting") return;
    const rg = await this.resourceGroups.get(store, view.subscriptionId, view.nodeResourceGroup);
    if (rg === undefined) {
      await this.resourceGroups.ensureManaged(
        store,
        view.subscriptionId,
        view.nodeResourceGroup,
        view.location,
        cluster.id,
      );
    }
    const pools = (await store.listChildren<JsonObject>(cluster.id, POOL_TYPE)).map((p) => poolView(p.body));
    const suffix = resourceNameSuffix(cluster.id);
    const existing = await this.scaleSetsOfCluster(store, cluster.id, view.nodeResourceGroup);
    for (const vmss of existing) {
      if (!pools.some((p) => p.name.toLowerCase() === vmss.internal.pool.toLowerCase()))
        await this.deleteScaleSet(store, vmss);
    }
    let changed = false;
    for (const pool of pools) {
      const name = vmssName(pool.name, suffix);
      const found = existing.find((v) => v.internal.pool.toLowerCase() === pool.name.toLowerCase());
      const involved = cause.pool === undefined || cause.pool.toLowerCase() === pool.name.toLowerCase();
      const reset = involved && RESETTING_ACTIONS.has(cause.action);
      await this.reconcilePool(store, view, pool, name, suffix, found, reset, cause.operationId, now);
      changed = true;
      if (reset) {
        facts.tampering = facts.tampering.filter((t) => t.pool?.toLowerCase() !== pool.name.toLowerCase());
      }
    }
    facts.nodeResourceGroup = view.nodeResourceGroup;
    await saveClusterNodesState(store, facts, now);
    if (changed || existing.length > 0) await this.nodes.notifyChanged(store, cluster.id, now);
  }

  private async scaleSetsOfCluster(
    store: Store,
    clusterId: string,
    nodeResourceGroup?: string,
  ): Promise<VmssResource[]> {
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

  private async reconcilePool(
    store: Store,
    cluster: ClusterView,
    pool: PoolView,
    name: string,
    suffix: string,
    found: VmssResource | undefined,
    reset: boolean,
    operationId: string,
    now: Date,
  ): Promise<void> {
    const tags = aksTags(cluster, pool, suffix, name, found?.body.tags["aks-managed-createOperationID"] ?? operationId);
    const vmss: VmssResource =
      found ??
      ({
        id: newVmssBody(cluster, pool, name, suffix, tags, now).id,
        type: VMSS_TYPE,
        parentId: resourceGroupId(cluster.subscriptionId, cluster.nodeResourceGroup),
        subscriptionId: cluster.subscriptionId,
        body: newVmssBody(cluster, pool, name, suffix, tags, now),
        internal: {
          clusterId: cluster.id,
          pool: pool.name,
          suffix,
          nextInstanceId: 0,
          orchestratorVersion: pool.version,
          nodeImageVersion: pool.nodeImageVersion,
          aksCount: 0,
          aksTags: tags,
          aksExtensionNames: aksExtensions(pool).map((e) => e.name),
        },
        etag: newEtag(),
        createdAt: now.toISOString(),
        changedAt: now.toISOString(),
      } satisfies VmssResource);
    const fresh = found === undefined;
    let instances = fresh ? [] : await this.instances(store, vmss.id);
    const versionChanged =
      vmss.internal.orchestratorVersion !== pool.version || vmss.internal.nodeImageVersion !== pool.nodeImageVersion;

    if (reset || fresh) {
      // AKS's model: its tags, its extensions, its image; customer changes do not survive.
      vmss.body = {
        ...newVmssBody(cluster, pool, name, suffix, tags, now),
        properties: {
          ...newVmssBody(cluster, pool, name, suffix, tags, now).properties,
          timeCreated: vmss.body.properties.timeCreated ?? now.toISOString(),
        },
      };
      vmss.internal.aksTags = tags;
      vmss.internal.aksExtensionNames = aksExtensions(pool).map((e) => e.name);
    }
    // A stopped cluster keeps its pools' counts with deallocated VMs; a stopped user pool has count 0, as AKS shows.
    const desired = cluster.power === "Stopped" ? pool.count : pool.power === "Stopped" ? 0 : pool.count;
    const countChanged = vmss.internal.aksCount !== desired;

    if (versionChanged && instances.length > 0) {
      // An upgrade or node image upgrade surges new nodes and removes the old ones (new instance ids and names).
      for (const old of instances) await this.removeInstance(store, old, now);
      instances = [];
    }
    if (reset || fresh || countChanged || versionChanged) {
      instances = await this.scaleTo(store, vmss, cluster, pool, instances, desired, now);
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
          this.nodes.setPower(
            state,
            "deallocated",
            { by: "AKS", at: now.toISOString(), via: "platform", action: "stop" },
            now,
          );
        }
      } else if (reset && state.power !== "running") {
        this.nodes.setPower(
          state,
          "running",
          { by: "AKS", at: now.toISOString(), via: "platform", action: "start" },
          now,
        );
        await this.nodes.recheck(store, node, now);
      }
      await this.nodes.save(store, node);
    }
    await this.saveScaleSet(store, vmss, now);
  }

  /** Adds or removes instances (highest ids go first) until the scale set has `count`. */
  private async scaleTo(
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

  private async removeInstance(store: Store, node: NodeResource, now: Date): Promise<void> {
    this.nodes.forget(node.internal, now);
    await this.forgetFaults(store, [node.id]);
    await store.deleteResource(node.id);
  }

  private async forgetFaults(store: Store, nodeIds: string[]): Promise<void> {
    if (nodeIds.length === 0) return;
    const keys = new Set(nodeIds.map(idKey));
    const faults = await store.listChildren<FaultRecord>("/providers/aksemu", FAULT_TYPE);
    for (const f of faults) if (keys.has(idKey(f.body.nodeResourceId))) await store.deleteResource(f.id);
  }

  private async deleteScaleSet(store: Store, vmss: VmssResource): Promise<void> {
    await this.forgetScaleSet(store, vmss.id);
    await store.deleteUnder(vmss.id);
  }

  /** Cleanup when a scale set goes (its group deleted): the faults injected into its nodes. */
  private async forgetScaleSet(store: Store, vmssId: string): Promise<void> {
    const instances = await store.listChildren(vmssId, VM_TYPE);
    await this.forgetFaults(
      store,
      instances.map((i) => i.id),
    );
  }

  private async instances(store: Store, vmssId: string): Promise<NodeResource[]> {
    const list = await store.listChildren<{ name: string }, NodeState>(vmssId, VM_TYPE);
    return list.sort((a, b) => Number(a.internal.instanceId) - Number(b.internal.instanceId));
  }

  private async saveScaleSet(store: Store, vmss: VmssResource, now: Date): Promise<string> {
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

  // --- customers' side: the Compute API -----------------------------------------------------------------------------

  private vmssIdOf(ctx: RequestContext): string {
    const { subscriptionId, resourceGroupName, vmScaleSetName } = ctx.params;
    return `/subscriptions/${subscriptionId!}/resourceGroups/${resourceGroupName!}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmScaleSetName!}`;
  }

  private async requireScaleSet(store: Store, ctx: RequestContext): Promise<VmssResource> {
    const { subscriptionId, resourceGroupName, vmScaleSetName } = ctx.params;
    await this.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
    const vmss = await store.getResource<VmssBody, VmssInternal>(this.vmssIdOf(ctx));
    if (vmss === undefined) throw notFound("virtualMachineScaleSets", vmScaleSetName!, resourceGroupName!);
    return vmss;
  }

  private async requireInstance(store: Store, ctx: RequestContext, vmss: VmssResource): Promise<NodeResource> {
    const instanceId = ctx.params.instanceId!;
    const node = await this.nodes.get(store, `${vmss.id}/virtualMachines/${instanceId}`);
    if (node === undefined) {
      throw notFound(
        `virtualMachineScaleSets/${vmss.body.name}/virtualMachines`,
        instanceId,
        ctx.params.resourceGroupName!,
      );
    }
    return node;
  }

  /** Records a customer's change to a scale set of a cluster (fact sheet §1.14). */
  private async recordTampering(
    store: Store,
    vmss: VmssResource,
    change: string,
    operation: string,
    ctx: RequestContext,
    now: Date,
  ): Promise<void> {
    const clusterId = vmss.internal.clusterId;
    if (clusterId === undefined) return;
    const facts = await loadClusterNodesState(store, clusterId);
    const record: TamperRecord = {
      scaleSet: vmss.body.name,
      pool: vmss.internal.pool,
      change,
      operation,
      caller: ctx.caller.objectId,
      at: now.toISOString(),
    };
    facts.tampering.push(record);
    await saveClusterNodesState(store, facts, now);
  }

  /**
   * Compute's LRO headers: `Azure-AsyncOperation` always; `Location` (the monitor URL) only on 202s, as Compute
   * answers a PUT or PATCH with the resource and the async header alone (the client then reads the resource).
   */
  private asyncHeaders(
    ctx: RequestContext,
    location: string,
    op: OperationRecord,
    monitor = true,
  ): Record<string, string> {
    const base = `${ctx.baseUrl}/subscriptions/${op.subscriptionId}/providers/Microsoft.Compute/locations/${location}/operations/${op.id}`;
    return {
      "Azure-AsyncOperation": `${base}?p=${encodeURIComponent(op.resourceId)}&api-version=${ctx.apiVersion}`,
      ...(monitor
        ? { Location: `${base}?p=${encodeURIComponent(op.resourceId)}&monitor=true&api-version=${ctx.apiVersion}` }
        : {}),
      "Retry-After": "0",
    };
  }

  private async begin(
    store: Store,
    ctx: RequestContext,
    vmss: VmssResource,
    payload: ActionPayload,
    operationName: string,
    action: string,
  ): Promise<OperationRecord> {
    return this.platform.operations.begin(store, {
      subscriptionId: vmss.subscriptionId,
      namespace: COMPUTE_NAMESPACE,
      location: vmss.body.location,
      resourceId:
        payload.instanceIds !== undefined && payload.instanceIds.length === 1 && ctx.params.instanceId !== undefined
          ? `${vmss.id}/virtualMachines/${payload.instanceIds[0]!}`
          : payload.extension !== undefined
            ? `${vmss.id}/extensions/${payload.extension}`
            : vmss.id,
      action,
      caller: ctx.caller.objectId,
      kind: ACTION_KIND,
      payload,
      operationName,
      correlationId: ctx.correlationId,
    });
  }

  /** POST .../{deallocate|start|powerOff|restart|reimage|redeploy} on a scale set or one instance. */
  private async vmAction(ctx: RequestContext, action: VmAction, oneInstance: boolean): Promise<ArmResponse> {
    return this.platform.store.transaction(async (store) => {
      const now = this.platform.clock.now();
      const vmss = await this.requireScaleSet(store, ctx);
      let instanceIds: string[] | undefined;
      if (oneInstance) {
        const node = await this.requireInstance(store, ctx, vmss);
        instanceIds = [node.internal.instanceId];
      } else {
        const body = isObject(ctx.body) ? ctx.body : {};
        const ids = optionalArray(body, "instanceIds");
        if (ids !== undefined) {
          const known = new Set((await this.instances(store, vmss.id)).map((n) => n.internal.instanceId));
          instanceIds = [];
          for (const id of ids) {
            if (typeof id !== "string" || !known.has(id)) {
              throw new ArmError(
                400,
                "InvalidParameter",
                `The instance id '${String(id)}' is not an instance of scale set '${vmss.body.name}'. List them with GET .../virtualMachines.`,
                { target: "instanceIds" },
              );
            }
            instanceIds.push(id);
          }
        }
      }
      const which =
        instanceIds === undefined
          ? "all instances"
          : `instance${instanceIds.length === 1 ? "" : "s"} ${instanceIds.join(", ")}`;
      const verb = action === "powerOff" ? "poweroff" : action;
      const operationName = oneInstance
        ? `Microsoft.Compute/virtualMachineScaleSets/virtualMachines/${action === "delete" ? "delete" : `${verb}/action`}`
        : `Microsoft.Compute/virtualMachineScaleSets/${action === "delete" ? "delete" : `${verb}/action`}`;
      await this.recordTampering(
        store,
        vmss,
        `${action} of ${which} of scale set '${vmss.body.name}'`,
        operationName,
        ctx,
        now,
      );
      const op = await this.begin(
        store,
        ctx,
        vmss,
        { vmssId: vmss.id, ...(instanceIds === undefined ? {} : { instanceIds }), action },
        operationName,
        ACTION_LABEL[action],
      );
      await this.nodes.notifyChanged(store, vmss.internal.clusterId, now);
      return { status: 202, headers: this.asyncHeaders(ctx, vmss.body.location, op) };
    });
  }

  private async completeAction(op: OperationRecord, store: Store, now: Date): Promise<void> {
    const payload = op.payload as ActionPayload;
    const vmss = await store.getResource<VmssBody, VmssInternal>(payload.vmssId);
    if (vmss === undefined) return;
    const caller = op.caller;
    const all = await this.instances(store, vmss.id);
    const targets =
      payload.instanceIds === undefined ? all : all.filter((n) => payload.instanceIds!.includes(n.internal.instanceId));
    switch (payload.action) {
      case "update": {
        const cluster = await store.getResource<JsonObject>(vmss.internal.clusterId);
        const capacity = payload.capacity;
        if (capacity !== undefined && cluster !== undefined && capacity !== all.length) {
          const pools = await store.listChildren<JsonObject>(cluster.id, POOL_TYPE);
          const pool = pools
            .map((p) => poolView(p.body))
            .find((p) => p.name.toLowerCase() === vmss.internal.pool.toLowerCase());
          if (pool !== undefined) {
            const kept = await this.scaleTo(
              store,
              vmss,
              clusterView(cluster.id, cluster.body),
              pool,
              all,
              capacity,
              now,
            );
            for (const node of kept) await this.nodes.save(store, node);
          }
        }
        vmss.body.properties.provisioningState = "Succeeded";
        await this.saveScaleSet(store, vmss, now);
        break;
      }
      case "deleteScaleSet":
        await this.deleteScaleSet(store, vmss);
        break;
      case "extensionWrite": {
        const ext = vmss.body.properties.virtualMachineProfile.extensionProfile.extensions.find(
          (e) => e.name.toLowerCase() === payload.extension!.toLowerCase(),
        );
        if (ext !== undefined) ext.properties.provisioningState = "Succeeded";
        await this.saveScaleSet(store, vmss, now);
        break;
      }
      case "extensionDelete": {
        const profile = vmss.body.properties.virtualMachineProfile.extensionProfile;
        profile.extensions = profile.extensions.filter(
          (e) => e.name.toLowerCase() !== payload.extension!.toLowerCase(),
        );
        await this.saveScaleSet(store, vmss, now);
        break;
      }
      default:
        for (const node of targets) await this.applyVmAction(store, vmss, node, payload.action, caller, now);
        if (payload.action === "delete") {
          vmss.body.sku.capacity = (await this.instances(store, vmss.id)).length;
          await this.saveScaleSet(store, vmss, now);
        }
    }
    if (vmss.internal.clusterId !== undefined) await this.nodes.notifyChanged(store, vmss.internal.clusterId, now);
  }

  private async applyVmAction(
    store: Store,
    vmss: VmssResource,
    node: NodeResource,
    action: VmAction,
    caller: string,
    now: Date,
  ): Promise<void> {
    const state = node.internal;
    const change = { by: caller, at: now.toISOString(), via: "customer" as const, action };
    switch (action) {
      case "deallocate":
        this.nodes.setPower(state, "deallocated", change, now);
        break;
      case "powerOff":
        this.nodes.setPower(state, "stopped", change, now);
        break;
      case "start":
        this.nodes.setPower(state, "running", change, now);
        await this.nodes.recheck(store, node, now);
        break;
      case "restart":
        if (state.power === "running") await this.nodes.remedy(store, node, "reboot", caller, now);
        break;
      case "reimage":
        await this.nodes.remedy(store, node, "reimage", caller, now);
        if (state.power !== "running") this.nodes.setPower(state, "running", change, now);
        break;
      case "redeploy":
        await this.nodes.remedy(store, node, "redeploy", caller, now);
        if (state.power !== "running") this.nodes.setPower(state, "running", change, now);
        break;
      case "delete":
        await this.removeInstance(store, node, now);
        return;
    }
    if (state.faults.length > 0 && state.power === "running") await this.nodes.recheck(store, node, now);
    await this.nodes.save(store, node);
    void vmss;
  }

  private async patchScaleSet(ctx: RequestContext, fullPut: boolean): Promise<ArmResponse> {
    const body = asObject(ctx.body);
    const tags = optionalTags(body);
    const sku = optionalObject(body, "sku");
    const capacityRaw = sku?.capacity;
    if (
      capacityRaw !== undefined &&
      (typeof capacityRaw !== "number" || !Number.isInteger(capacityRaw) || capacityRaw < 0 || capacityRaw > 1000)
    ) {
      throw new ArmError(
        400,
        "InvalidParameter",
        "The value of parameter sku.capacity is invalid. Send an integer from 0 to 1000.",
        {
          target: "sku.capacity",
        },
      );
    }
    return this.platform.store.transaction(async (store) => {
      const now = this.platform.clock.now();
      const vmss = await this.requireScaleSet(store, ctx);
      const changes: string[] = [];
      if (tags !== undefined) {
        const before = vmss.body.tags;
        const touched = [...new Set([...Object.keys(before), ...Object.keys(tags)])].filter(
          (k) => before[k] !== tags[k],
        );
        const system = touched.filter((k) => k.startsWith("aks-managed-"));
        if (touched.length > 0) {
          changes.push(
            system.length > 0
              ? `system tag${system.length === 1 ? "" : "s"} ${system.map((k) => `'${k}'`).join(", ")} changed`
              : `tags changed (${touched.map((k) => `'${k}'`).join(", ")})`,
          );
        }
        vmss.body.tags = tags;
      }
      const capacity = capacityRaw as number | undefined;
      if (capacity !== undefined && capacity !== vmss.body.sku.capacity) {
        changes.push(`capacity changed from ${vmss.body.sku.capacity} to ${capacity}`);
        vmss.body.sku.capacity = capacity;
      }
      const properties = optionalObject(body, "properties");
      if (properties !== undefined) changes.push(...this.applyProperties(vmss, properties));
      if (fullPut && changes.length === 0) changes.push("scale set model rewritten");
      const operationName = "Microsoft.Compute/virtualMachineScaleSets/write";
      if (changes.length > 0) {
        await this.recordTampering(
          store,
          vmss,
          `Scale set '${vmss.body.name}': ${changes.join("; ")}`,
          operationName,
          ctx,
          now,
        );
      }
      vmss.body.properties.provisioningState = "Updating";
      await this.saveScaleSet(store, vmss, now);
      const op = await this.begin(
        store,
        ctx,
        vmss,
        { vmssId: vmss.id, action: "update", ...(capacity === undefined ? {} : { capacity }) },
        operationName,
        "Updating",
      );
      await this.nodes.notifyChanged(store, vmss.internal.clusterId, now);
      return ok(vmss.body, 200, { ...this.asyncHeaders(ctx, vmss.body.location, op, false), ETag: vmss.etag });
    });
  }

  /**
   * Applies the `properties` of a customer's PUT or PATCH of a scale set (az vmss update / extension set send the
   * whole model back): extensions added, removed or changed, and any other property whose value differs. Returns the
   * changes, in words; properties Compute computes itself are ignored.
   */
  private applyProperties(vmss: VmssResource, properties: JsonObject): string[] {
    const changes: string[] = [];
    const current = vmss.body.properties;
    const vmp = isObject(properties.virtualMachineProfile) ? properties.virtualMachineProfile : undefined;
    const extProfile = vmp !== undefined && isObject(vmp.extensionProfile) ? vmp.extensionProfile : undefined;
    const given = extProfile !== undefined && Array.isArray(extProfile.extensions) ? extProfile.extensions : undefined;
    if (given !== undefined) {
      const next: ExtensionBody[] = [];
      for (const [i, e] of given.entries()) {
        if (!isObject(e) || typeof e.name !== "string" || e.name === "") {
          throw new ArmError(
            400,
            "InvalidParameter",
            `Extension ${i} of the scale set model has no name. Give each extension a name.`,
            {
              target: `properties.virtualMachineProfile.extensionProfile.extensions[${i}].name`,
            },
          );
        }
        const props = isObject(e.properties) ? e.properties : {};
        next.push({ name: e.name, properties: { ...props, provisioningState: "Succeeded" } });
      }
      const before = current.virtualMachineProfile.extensionProfile.extensions;
      const key = (x: ExtensionBody): string => x.name.toLowerCase();
      for (const e of next) {
        const old = before.find((b) => key(b) === key(e));
        const kind = `${String(e.properties.publisher ?? "?")}.${String(e.properties.type ?? "?")}`;
        if (old === undefined) changes.push(`extension '${e.name}' (${kind}) added`);
        else if (!sameJson(old.properties, e.properties, ["provisioningState"])) {
          changes.push(`extension '${e.name}' changed`);
        }
      }
      for (const b of before) {
        if (!next.some((e) => key(e) === key(b))) changes.push(`extension '${b.name}' removed`);
      }
      current.virtualMachineProfile.extensionProfile.extensions = next;
    }
    const computed = ["provisioningState", "timeCreated", "uniqueId", "virtualMachineProfile"];
    const changedKeys = Object.keys(properties).filter(
      (k) => !computed.includes(k) && !sameJson(properties[k], current[k], []),
    );
    const changedProfileKeys =
      vmp === undefined
        ? []
        : Object.keys(vmp).filter(
            (k) => k !== "extensionProfile" && !sameJson(vmp[k], current.virtualMachineProfile[k], []),
          );
    for (const k of changedKeys) current[k] = properties[k];
    for (const k of changedProfileKeys) current.virtualMachineProfile[k] = vmp![k];
    const all = [...changedKeys, ...changedProfileKeys.map((k) => `virtualMachineProfile.${k}`)];
    if (all.length > 0) changes.push(`${all.map((k) => `'${k}'`).join(", ")} changed`);
    return changes;
  }

  private async deleteScaleSetRequest(ctx: RequestContext): Promise<ArmResponse> {
    return this.platform.store.transaction(async (store) => {
      const now = this.platform.clock.now();
      const vmss = await this.requireScaleSet(store, ctx);
      const operationName = "Microsoft.Compute/virtualMachineScaleSets/delete";
      await this.recordTampering(store, vmss, `Scale set '${vmss.body.name}' deleted`, operationName, ctx, now);
      vmss.body.properties.provisioningState = "Deleting";
      await this.saveScaleSet(store, vmss, now);
      const op = await this.begin(
        store,
        ctx,
        vmss,
        { vmssId: vmss.id, action: "deleteScaleSet" },
        operationName,
        "Deleting",
      );
      await this.nodes.notifyChanged(store, vmss.internal.clusterId, now);
      return { status: 202, headers: this.asyncHeaders(ctx, vmss.body.location, op) };
    });
  }

  private async putExtension(ctx: RequestContext, patch: boolean): Promise<ArmResponse> {
    const body = asObject(ctx.body);
    const props = optionalObject(body, "properties") ?? {};
    const name = ctx.params.vmssExtensionName!;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name)) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `The extension name '${name}' is invalid. Use up to 80 letters, digits, '.', '_' or '-'.`,
        {
          target: "vmssExtensionName",
        },
      );
    }
    return this.platform.store.transaction(async (store) => {
      const now = this.platform.clock.now();
      const vmss = await this.requireScaleSet(store, ctx);
      const profile = vmss.body.properties.virtualMachineProfile.extensionProfile;
      const existing = profile.extensions.find((e) => e.name.toLowerCase() === name.toLowerCase());
      if (patch && existing === undefined)
        throw notFound(`virtualMachineScaleSets/${vmss.body.name}/extensions`, name, ctx.params.resourceGroupName!);
      if (!patch) {
        for (const key of ["publisher", "type", "typeHandlerVersion"]) {
          if (typeof props[key] !== "string" || props[key] === "") {
            throw new ArmError(400, "InvalidParameter", `Required parameter 'properties.${key}' is missing (null).`, {
              target: `properties.${key}`,
            });
          }
        }
      }
      const { provisioningState: _ignored, ...given } = props;
      const ext: ExtensionBody = {
        name: existing?.name ?? name,
        properties: {
          ...(patch ? existing!.properties : {}),
          ...given,
          provisioningState: existing === undefined ? "Creating" : "Updating",
        },
      };
      profile.extensions = [...profile.extensions.filter((e) => e !== existing), ext];
      const operationName = "Microsoft.Compute/virtualMachineScaleSets/extensions/write";
      const kind = `${String(ext.properties.publisher ?? "?")}.${String(ext.properties.type ?? "?")}`;
      await this.recordTampering(
        store,
        vmss,
        `Extension '${ext.name}' (${kind}) ${existing === undefined ? "added to" : "changed on"} scale set '${vmss.body.name}'`,
        operationName,
        ctx,
        now,
      );
      await this.saveScaleSet(store, vmss, now);
      const op = await this.begin(
        store,
        ctx,
        vmss,
        { vmssId: vmss.id, action: "extensionWrite", extension: ext.name },
        operationName,
        "Updating",
      );
      await this.nodes.notifyChanged(store, vmss.internal.clusterId, now);
      return ok(
        extensionBody(vmss.body, ext),
        existing === undefined ? 201 : 200,
        this.asyncHeaders(ctx, vmss.body.location, op, false),
      );
    });
  }

  private async deleteExtension(ctx: RequestContext): Promise<ArmResponse> {
    const name = ctx.params.vmssExtensionName!;
    return this.platform.store.transaction(async (store) => {
      const now = this.platform.clock.now();
      const vmss = await this.requireScaleSet(store, ctx);
      const ext = vmss.body.properties.virtualMachineProfile.extensionProfile.extensions.find(
        (e) => e.name.toLowerCase() === name.toLowerCase(),
      );
      if (ext === undefined) return { status: 204 };
      const operationName = "Microsoft.Compute/virtualMachineScaleSets/extensions/delete";
      await this.recordTampering(
        store,
        vmss,
        `Extension '${ext.name}' removed from scale set '${vmss.body.name}'`,
        operationName,
        ctx,
        now,
      );
      ext.properties.provisioningState = "Deleting";
      await this.saveScaleSet(store, vmss, now);
      const op = await this.begin(
        store,
        ctx,
        vmss,
        { vmssId: vmss.id, action: "extensionDelete", extension: ext.name },
        operationName,
        "Deleting",
      );
      await this.nodes.notifyChanged(store, vmss.internal.clusterId, now);
      return { status: 202, headers: this.asyncHeaders(ctx, vmss.body.location, op) };
    });
  }

  private async operationStatus(ctx: RequestContext): Promise<ArmResponse> {
    const op = await this.platform.operations.get(this.platform.store, ctx.params.operationId!);
    if (
      op === undefined ||
      op.namespace !== COMPUTE_NAMESPACE ||
      op.subscriptionId.toLowerCase() !== ctx.params.subscriptionId!.toLowerCase()
    ) {
      throw new ArmError(
        404,
        "NotFound",
        `The operation '${ctx.params.operationId!}' was not found. Use the Azure-AsyncOperation URL of the call.`,
      );
    }
    if (ctx.query.monitor === "true") {
      if (op.status === "InProgress")
        return { status: 202, headers: { Location: ctx.url.toString(), "Retry-After": "0" } };
      if (op.status === "Failed" && op.error !== undefined) return ok({ error: op.error }, op.errorStatus ?? 409);
      return { status: 200 };
    }
    const body: JsonObject = { startTime: op.startTime, status: op.status, name: op.id };
    if (op.endTime !== undefined) body.endTime = op.endTime;
    if (op.error !== undefined) body.error = op.error;
    return ok(body, 200, op.status === "InProgress" ? { "Retry-After": "0" } : undefined);
  }

  routes(): OperationRoute[] {
    const rg = "/subscriptions/:subscriptionId/resourcegroups/:resourceGroupName/providers/microsoft.compute";
    const vmssList = `${rg}/virtualmachinescalesets`;
    const vmss = `${vmssList}/:vmScaleSetName`;
    const vms = `${vmss}/virtualmachines`;
    const vm = `${vms}/:instanceId`;
    const exts = `${vmss}/extensions`;
    const ext = `${exts}/:vmssExtensionName`;
    const S = apiVersions.scaleSets;
    const V = apiVersions.scaleSetVms;
    const E = apiVersions.scaleSetExtensions;
    const store = () => this.platform.store;
    const actions: VmAction[] = ["deallocate", "start", "powerOff", "restart", "reimage", "redeploy"];
    return [
      {
        method: "GET",
        path: vmssList,
        apiVersions: S,
        handler: async (ctx) => {
          await this.resourceGroups.require(store(), ctx.params.subscriptionId!, ctx.params.resourceGroupName!);
          const list = await store().listChildren<VmssBody>(
            resourceGroupId(ctx.params.subscriptionId!, ctx.params.resourceGroupName!),
            VMSS_TYPE,
          );
          return ok(
            pageOf(
              list.map((v) => v.body),
              ctx.url,
              this.platform.pageSize,
            ),
          );
        },
      },
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/providers/microsoft.compute/virtualmachinescalesets",
        apiVersions: S,
        handler: async (ctx) => {
          const list = await store().listByType<VmssBody>(VMSS_TYPE, ctx.params.subscriptionId!);
          return ok(
            pageOf(
              list.map((v) => v.body),
              ctx.url,
              this.platform.pageSize,
            ),
          );
        },
      },
      {
        method: "GET",
        path: vmss,
        apiVersions: S,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          return ok(found.body, 200, { ETag: found.etag });
        },
      },
      { method: "PATCH", path: vmss, apiVersions: S, handler: (ctx) => this.patchScaleSet(ctx, false) },
      {
        method: "PUT",
        path: vmss,
        apiVersions: S,
        handler: async (ctx) => {
          const found = await this.platform.store.getResource(this.vmssIdOf(ctx));
          if (found === undefined) {
            throw new ArmError(
              409,
              "OperationNotAllowed",
              `aksemu emulates the scale sets AKS creates for agent pools; create node pools through the AKS API (az aks nodepool add) instead of a scale set in '${ctx.params.resourceGroupName!}'.`,
            );
          }
          return this.patchScaleSet(ctx, true);
        },
      },
      { method: "DELETE", path: vmss, apiVersions: S, handler: (ctx) => this.deleteScaleSetRequest(ctx) },
      {
        method: "GET",
        path: `${vmss}/instanceview`,
        apiVersions: S,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          const nodes = await this.instances(store(), found.id);
          const counts = new Map<string, number>();
          for (const n of nodes) {
            const code = `PowerState/${n.internal.power}`;
            counts.set(code, (counts.get(code) ?? 0) + 1);
          }
          return ok({
            virtualMachine: {
              statusesSummary: [
                { code: "ProvisioningState/succeeded", count: nodes.length },
                ...[...counts].map(([code, count]) => ({ code, count })),
              ],
            },
            extensions: found.body.properties.virtualMachineProfile.extensionProfile.extensions.map((e) => ({
              name: e.name,
              statusesSummary: [{ code: "ProvisioningState/succeeded", count: nodes.length }],
            })),
            statuses: [
              {
                code: `ProvisioningState/${String(found.body.properties.provisioningState).toLowerCase()}`,
                level: "Info",
                displayStatus: `Provisioning ${String(found.body.properties.provisioningState).toLowerCase()}`,
                time: found.changedAt,
              },
            ],
          });
        },
      },
      ...actions.map((action): OperationRoute => ({
        method: "POST",
        path: `${vmss}/${action.toLowerCase()}`,
        apiVersions: S,
        handler: (ctx) => this.vmAction(ctx, action, false),
      })),
      {
        method: "POST",
        path: `${vmss}/delete`,
        apiVersions: S,
        handler: (ctx) => this.vmAction(ctx, "delete", false),
      },
      {
        method: "GET",
        path: vms,
        apiVersions: V,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          const expand = (ctx.query.$expand ?? "").toLowerCase().includes("instanceview");
          const nodes = await this.instances(store(), found.id);
          return ok(
            pageOf(
              nodes.map((n) => vmBody(n, found.body, expand)),
              ctx.url,
              this.platform.pageSize,
            ),
          );
        },
      },
      {
        method: "GET",
        path: vm,
        apiVersions: V,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          const node = await this.requireInstance(store(), ctx, found);
          const expand = (ctx.query.$expand ?? "").toLowerCase().includes("instanceview");
          return ok(vmBody(node, found.body, expand));
        },
      },
      {
        method: "GET",
        path: `${vm}/instanceview`,
        apiVersions: V,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          const node = await this.requireInstance(store(), ctx, found);
          return ok(vmInstanceView(node, found.body));
        },
      },
      ...actions.map((action): OperationRoute => ({
        method: "POST",
        path: `${vm}/${action.toLowerCase()}`,
        apiVersions: V,
        handler: (ctx) => this.vmAction(ctx, action, true),
      })),
      { method: "DELETE", path: vm, apiVersions: V, handler: (ctx) => this.vmAction(ctx, "delete", true) },
      {
        method: "GET",
        path: exts,
        apiVersions: E,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          const list = found.body.properties.virtualMachineProfile.extensionProfile.extensions.map((e) =>
            extensionBody(found.body, e),
          );
          return ok(pageOf(list, ctx.url, this.platform.pageSize));
        },
      },
      {
        method: "GET",
        path: ext,
        apiVersions: E,
        handler: async (ctx) => {
          const found = await this.requireScaleSet(store(), ctx);
          const e = found.body.properties.virtualMachineProfile.extensionProfile.extensions.find(
            (x) => x.name.toLowerCase() === ctx.params.vmssExtensionName!.toLowerCase(),
          );
          if (e === undefined) {
            throw notFound(
              `virtualMachineScaleSets/${found.body.name}/extensions`,
              ctx.params.vmssExtensionName!,
              ctx.params.resourceGroupName!,
            );
          }
          return ok(extensionBody(found.body, e));
        },
      },
      { method: "PUT", path: ext, apiVersions: E, handler: (ctx) => this.putExtension(ctx, false) },
      { method: "PATCH", path: ext, apiVersions: E, handler: (ctx) => this.putExtension(ctx, true) },
      { method: "DELETE", path: ext, apiVersions: E, handler: (ctx) => this.deleteExtension(ctx) },
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/providers/microsoft.compute/locations/:location/operations/:operationId",
        apiVersions: apiVersions.operations,
        handler: (ctx) => this.operationStatus(ctx),
      },
    ];
  }
}
