/**
 * The engine of managed clusters and agent pools: storage, the one-operation-at-a-time lock, the power-state rules,
 * beginning and completing long-running operations, and the cascade when a resource group goes away.
 *
 * HTTP handlers and platform actions (policy rules, node rules) go through the same methods, so a platform stop is
 * the same operation a user's `az aks stop` is; only `caller` differs (a user's object id, or "AKS platform").
 */
import { newEtag } from "../../arm/etag.js";
import { idKey, parseResourceId } from "../../arm/resource-id.js";
import type { JsonObject } from "../../arm/body.js";
import type { TimerContext } from "../../clock/clock.js";
import type { CompletionOutcome, OperationRecord } from "../../operations/operations.js";
import type { Store, StoredResource } from "../../store/store.js";
import type { Platform } from "../platform.js";
import type { ResourceGroups } from "../resources/index.js";
import { finalizeCluster } from "./cluster-spec.js";
import { aksErrors } from "./errors.js";
import { newCredentials } from "./kubeconfig.js";
import {
  CLUSTER_TYPE,
  NAMESPACE,
  POOL_TYPE,
  type ActiveOperation,
  type ClusterBody,
  type ClusterInternal,
  type OperationPayload,
  type PendingChanges,
  type PoolBody,
  type PowerCode,
  type ProvisioningState,
} from "./model.js";
import {
  ALLOWED_BY_POWER,
  CLUSTER_ACTIONS,
  POOL_ACTIONS,
  TERMINAL_STATES,
  durationMs,
  type ClusterAction,
  type PoolAction,
} from "./state.js";

export const OPERATION_KIND = "containerservice.operation";

export interface PoolInternal extends JsonObject {
  /** The count to restore when a stopped pool starts. */
  countBeforeStop?: number;
  /** The pool was stopped on its own (stays stopped when the cluster starts). */
  userStopped?: boolean;
}

export type StoredCluster = StoredResource<ClusterBody, ClusterInternal>;
export type StoredPool = StoredResource<PoolBody, PoolInternal>;

/**
 * A cluster as an operation begins on it: its id and the documents to store (not yet written), and its stored ETag,
 * which an agent pool's operation keeps (see `writeCluster`).
 */
export type ClusterDuring = Pick<StoredCluster, "id" | "body" | "internal"> & { etag?: string };

export interface ClusterRecord {
  cluster: StoredCluster;
  pools: StoredPool[];
}

/** A cluster operation, as the activity log and the policy engine see it. */
export interface ClusterOperationEvent {
  phase: "Started" | "Succeeded" | "Failed" | "Canceled";
  operation: OperationRecord;
  clusterId: string;
  action: ProvisioningState;
  pool?: string;
  caller: string;
  reason?: string;
  at: string;
}

export type ClusterOperationListener = (event: ClusterOperationEvent, store: Store) => Promise<void>;

export interface BeginOptions {
  action: ClusterAction | PoolAction;
  pool?: string;
  caller: string;
  reason?: string;
  resultResourceId?: string;
}

export class Lifecycle {
  private readonly listeners: ClusterOperationListener[] = [];

  constructor(
    readonly platform: Platform,
    readonly resourceGroups: ResourceGroups,
    readonly realisticTimings: boolean,
  ) {
    platform.operations.onComplete(OPERATION_KIND, (op, ctx) => this.complete(op, ctx));
    platform.cascades.set(CLUSTER_TYPE, (store, resource) => this.cascade(store, resource.id));
  }

  onOperation(listener: ClusterOperationListener): void {
    this.listeners.push(listener);
  }

  private async emit(store: Store, event: ClusterOperationEvent): Promise<void> {
    for (const listener of this.listeners) await listener(event, store);
  }

  now(): string {
    return this.platform.clock.now().toISOString();
  }

  // ---- storage -------------------------------------------------------------------------------------------------

  async getCluster(store: Store, clusterId: string): Promise<StoredCluster | undefined> {
    const found = await store.getResource<ClusterBody, ClusterInternal>(clusterId);
    return found !== undefined && found.type === CLUSTER_TYPE ? found : undefined;
  }

  async load(store: Store, clusterId: string): Promise<ClusterRecord | undefined> {
    const cluster = await this.getCluster(store, clusterId);
    if (cluster === undefined) return undefined;
    const pools = await store.listChildren<PoolBody, PoolInternal>(cluster.id, POOL_TYPE);
    return { cluster, pools };
  }

  /** The cluster a request addresses, or AKS's 404 for child operations. */
  async require(store: Store, clusterId: string): Promise<ClusterRecord> {
    const found = await this.load(store, clusterId);
    if (found === undefined) {
      const parsed = parseResourceId(clusterId);
      throw aksErrors.clusterNotFound(parsed?.name ?? clusterId, parsed?.subscriptionId ?? "", parsed?.resourceGroup ?? ""); // prettier-ignore
    }
    return found;
  }

  /** The wire body of a cluster: its stored body with `agentPoolProfiles` composed from its pools. */
  compose(record: ClusterRecord): ClusterBody {
    const { properties } = record.cluster.body;
    const profiles = record.pools.map((p) => ({ name: p.body.name, ...p.body.properties }));
    const ordered: JsonObject = {};
    for (const [k, v] of Object.entries(properties)) {
      ordered[k] = v;
      if (k === "azurePortalFQDN") ordered.agentPoolProfiles = profiles;
    }
    if (!("agentPoolProfiles" in ordered)) ordered.agentPoolProfiles = profiles;
    return { ...record.cluster.body, properties: ordered as ClusterBody["properties"] };
  }

  /**
   * Writes the cluster's documents with a new ETag, or with `keepEtag`: an agent pool's operation leaves the cluster
   * as it was (its lock is not part of it) and AKS changes only the pool's eTag then.
   */
  async writeCluster(store: Store, body: ClusterBody, internal: ClusterInternal, keepEtag?: string): Promise<string> {
    const parsed = parseResourceId(body.id)!;
    const etag = keepEtag ?? newEtag();
    await store.putResource({
      id: body.id,
      type: CLUSTER_TYPE,
      parentId: `/subscriptions/${parsed.subscriptionId}/resourceGroups/${parsed.resourceGroup!}`,
      subscriptionId: parsed.subscriptionId,
      body,
      internal,
      etag,
      at: this.now(),
    });
    return etag;
  }

  async writePool(store: Store, clusterId: string, body: PoolBody, internal: PoolInternal): Promise<void> {
    const parsed = parseResourceId(clusterId)!;
    await store.putResource({
      id: body.id,
      type: POOL_TYPE,
      parentId: clusterId,
      subscriptionId: parsed.subscriptionId,
      body,
      internal,
      etag: newEtag(),
      at: this.now(),
    });
  }

  newInternal(resourceGroup: string, caller: string): ClusterInternal {
    const now = this.now();
    return { resourceGroup, credentials: newCredentials(1, now), createdAt: now, createdBy: caller };
  }

  // ---- rules -----------------------------------------------------------------------------------------------------

  /** The operation holding the cluster's lock, if it is still running. */
  async activeOperation(store: Store, cluster: ClusterDuring): Promise<ActiveOperation | undefined> {
    const active = cluster.internal.active;
    if (active === undefined) return undefined;
    const op = await this.platform.operations.get(store, active.id);
    return op !== undefined && op.status === "InProgress" ? active : undefined;
  }

  /**
   * Throws AKS's error unless the cluster may start `action` now: one operation at a time (a delete preempts the
   * running one instead), and the power-state table (a stopped cluster takes only start and delete).
   */
  async assertAllowed(
    store: Store,
    record: ClusterRecord,
    action: ClusterAction,
    pool?: { name: string; action: PoolAction },
  ): Promise<void> {
    const { cluster } = record;
    const active = await this.activeOperation(store, cluster);
    if (active !== undefined) {
      if (active.action === "Deleting" && active.pool === undefined) {
        throw aksErrors.poolBeingDeleted(pool?.action ?? action, cluster.body.name);
      }
      if (
        active.action === "Deleting" &&
        pool !== undefined &&
        active.pool?.toLowerCase() === pool.name.toLowerCase()
      ) {
        // prettier-ignore
        if (pool.action !== "Deleting") throw aksErrors.poolBeingDeleted(pool.action, pool.name);
      }
      if (!(action === "Deleting" && pool === undefined)) {
        throw aksErrors.anotherOperation(active.action, active.pool, pool !== undefined);
      }
    }
    const power: PowerCode = cluster.body.properties.powerState.code;
    if (!ALLOWED_BY_POWER[power].has(action)) {
      if (action === "Stopping") {
        throw aksErrors.notRunningCannotStop(cluster.internal.stoppedAt, this.elapsed(cluster.internal.stoppedAt));
      }
      if (action === "Starting") throw aksErrors.alreadyRunningCannotStart();
      throw aksErrors.clusterStopped(pool?.action ?? action, cluster.internal.stoppedAt);
    }
  }

  private elapsed(since: string | undefined): string {
    if (since === undefined) return "00:00:00";
    let s = Math.max(0, Math.floor((this.platform.clock.nowMs() - Date.parse(since)) / 1000));
    const days = Math.floor(s / 86400);
    s -= days * 86400;
    const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, "0")).join(":"); // prettier-ignore
    return days > 0 ? `${days} days and ${hms}` : hms;
  }

  // ---- operations ------------------------------------------------------------------------------------------------

  /**
   * Records the operation and takes the cluster's lock. `cluster` is the cluster in its "during" state, written here
   * together with the lock (one write of the document); the caller has already written the pools. A running
   * operation (only possible for a delete) is preempted.
   */
  async begin(store: Store, cluster: ClusterDuring, options: BeginOptions): Promise<OperationRecord> {
    const previous = await this.activeOperation(store, cluster);
    if (previous !== undefined) {
      // The preempted operation's listeners must already see the new state (a delete in progress).
      await this.writeCluster(store, cluster.body, cluster.internal);
      const op = await this.platform.operations.get(store, previous.id);
      if (op !== undefined) {
        await this.platform.operations.cancel(store, op, "Canceled", {
          code: "NotLatestOperation",
          message: "The operation has been preempted by another one. Please wait for the other operation to complete and try again..", // prettier-ignore
        });
        await this.emit(store, this.event("Canceled", op));
      }
    }
    const isPool = options.pool !== undefined;
    const payload: OperationPayload = {
      clusterId: cluster.id,
      action: options.action,
      ...(options.pool === undefined ? {} : { pool: options.pool }),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
    const parsed = parseResourceId(cluster.id)!;
    const op = await this.platform.operations.begin(store, {
      subscriptionId: parsed.subscriptionId,
      namespace: NAMESPACE,
      location: cluster.body.location,
      resourceId: isPool ? `${cluster.id}/agentPools/${options.pool!}` : cluster.id,
      action: options.action,
      caller: options.caller,
      kind: OPERATION_KIND,
      payload,
      durationMs: durationMs(isPool ? "pool" : "cluster", options.action, this.realisticTimings, this.platform.operations.defaultDurationMs), // prettier-ignore
      ...(options.resultResourceId === undefined ? {} : { resultResourceId: options.resultResourceId }),
    });
    const active: ActiveOperation = {
      id: op.id,
      action: options.action,
      startedAt: op.startTime,
      caller: options.caller,
      ...(options.pool === undefined ? {} : { pool: options.pool }),
    };
    await this.writeCluster(store, cluster.body, { ...cluster.internal, active }, isPool ? cluster.etag : undefined);
    await this.emit(store, this.event("Started", op));
    return op;
  }

  private event(phase: ClusterOperationEvent["phase"], op: OperationRecord): ClusterOperationEvent {
    const payload = op.payload as OperationPayload;
    return {
      phase,
      operation: op,
      clusterId: payload.clusterId,
      action: payload.action,
      ...(payload.pool === undefined ? {} : { pool: payload.pool }),
      caller: op.caller,
      ...(payload.reason === undefined ? {} : { reason: payload.reason }),
      at: this.now(),
    };
  }

  /** Completion of every Microsoft.ContainerService operation (the clock calls it when the operation is due). */
  private async complete(op: OperationRecord, ctx: TimerContext): Promise<CompletionOutcome | void> {
    const { store } = ctx;
    const payload = op.payload as OperationPayload;
    const record = await this.load(store, payload.clusterId);
    if (record === undefined) return;
    const { cluster } = record;
    if (cluster.internal.active !== undefined && cluster.internal.active.id !== op.id) return;
    const at = ctx.now.toISOString();
    const lastOperation = { id: op.id, action: payload.action, endedAt: at, caller: op.caller, status: "Succeeded" };

    if (payload.pool !== undefined) {
      const transition = POOL_ACTIONS[payload.action as PoolAction];
      const pool = record.pools.find((p) => p.body.name.toLowerCase() === payload.pool!.toLowerCase());
      if (pool !== undefined) {
        if (transition.completion === "remove") {
          await store.deleteUnder(pool.id);
        } else {
          const pending = cluster.internal.pending?.pools?.[pool.body.name];
          const properties = { ...pool.body.properties, provisioningState: "Succeeded" as const, ...(pending ?? {}) };
          await this.writePool(store, cluster.id, { ...pool.body, properties }, pool.internal);
        }
      }
      const { active: _a, pending: _p, ...rest } = cluster.internal;
      await this.writeCluster(store, cluster.body, { ...rest, lastOperation }, cluster.etag);
    } else {
      const transition = CLUSTER_ACTIONS[payload.action as ClusterAction];
      if (transition.completion === "remove") {
        await this.removeCluster(store, record);
      } else {
        const pending: PendingChanges = cluster.internal.pending ?? {};
        const properties = { ...cluster.body.properties, provisioningState: "Succeeded" as const };
        if (pending.currentKubernetesVersion !== undefined) properties.currentKubernetesVersion = pending.currentKubernetesVersion; // prettier-ignore
        for (const pool of record.pools) {
          const poolPending = pending.pools?.[pool.body.name];
          const state = pool.body.properties.provisioningState;
          if (poolPending === undefined && TERMINAL_STATES.has(state)) continue;
          const props = { ...pool.body.properties, ...(poolPending ?? {}), provisioningState: "Succeeded" as const };
          await this.writePool(store, cluster.id, { ...pool.body, properties: props }, pool.internal);
        }
        const { active: _a, pending: _p, ...rest } = cluster.internal;
        const internal: ClusterInternal = { ...rest, lastOperation };
        if (payload.action === "RotatingClusterCertificates") {
          internal.credentials = newCredentials(cluster.internal.credentials.generation + 1, at);
        }
        const autoscaling = record.pools.some((p) => p.body.properties.enableAutoScaling); // prettier-ignore
        await this.writeCluster(store, finalizeCluster({ ...cluster.body, properties }, cluster.subscriptionId, { nowMs: ctx.now.getTime(), autoscaling }), internal); // prettier-ignore
      }
    }
    await this.emit(store, this.event("Succeeded", { ...op, status: "Succeeded", endTime: at }));
  }

  /** Removes a cluster, its pools and maintenance configurations, and its node resource group. */
  async removeCluster(store: Store, record: ClusterRecord): Promise<void> {
    const { cluster } = record;
    await store.deleteUnder(cluster.id);
    await this.deleteNodeResourceGroup(store, cluster);
  }

  private async deleteNodeResourceGroup(store: Store, cluster: StoredCluster): Promise<void> {
    const nodeRg = cluster.body.properties.nodeResourceGroup;
    const group = await this.resourceGroups.get(store, cluster.subscriptionId, nodeRg);
    if (group !== undefined && idKey(group.body.managedBy ?? "") === idKey(cluster.id)) {
      await this.resourceGroups.deleteNow(store, cluster.subscriptionId, nodeRg);
    }
  }

  /** A resource group holding the cluster is being deleted: its operations end, its node resource group goes. */
  private async cascade(store: Store, clusterId: string): Promise<void> {
    const record = await this.load(store, clusterId);
    if (record === undefined) return;
    const active = await this.activeOperation(store, record.cluster);
    if (active !== undefined) {
      const op = await this.platform.operations.get(store, active.id);
      if (op !== undefined) await this.platform.operations.cancel(store, op, "Canceled");
    }
    for (const pool of record.pools) {
      for (const op of await this.platform.operations.running(store, pool.id)) {
        await this.platform.operations.cancel(store, op, "Canceled");
      }
    }
    await this.deleteNodeResourceGroup(store, record.cluster);
  }
}
