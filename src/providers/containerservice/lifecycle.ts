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
import { finalizeCluster, withEffectiveOutboundIps } from "./cluster-spec.js";
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

/** Timer: the cluster autoscaler's scan after an operation ends. */
const AUTOSCALER_SCAN = "containerservice.autoscalerScan";

/**
 * When the cluster autoscaler brings an autoscaled pool left below its `minCount` up to it: on its first scan after
 * the operation ends. Recording test_aks_create_autoscaler_then_update (2025 CLI): the update that turned the
 * autoscaler on with minCount 2 ended with the pool at 1; a read a second later showed 2, with no request between
 * (the az 2.45 run read 1 well under a second after the end). Other recordings show the raise in the first read after
 * the operation (az aks update --update-cluster-autoscaler 2 → 3; az aks nodepool update, 0 → 1).
 */
const AUTOSCALER_SCAN_MS = 1000;

/** Told when the cluster autoscaler changed pool counts outside an operation (the scale sets follow). */
export type AutoscaledListener = (store: Store, clusterId: string, now: Date) => Promise<void>;

/** Timer: a cluster create's network is up (its outbound IPs exist) while the rest of the create goes on. */
const OUTBOUND_READY = "containerservice.outboundReady";

/**
 * How far into a create its outbound IPs show. In the recordings a standard load balancer's `effectiveOutboundIPs`
 * appear between 31 s and 122 s into creates of 216–335 s (18 creates polled with `aks wait`, both CLIs), about a
 * fifth of the way in.
 */
const OUTBOUND_READY_SHARE = 0.2;

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
  private readonly autoscaledListeners: AutoscaledListener[] = [];

  constructor(
    readonly platform: Platform,
    readonly resourceGroups: ResourceGroups,
    readonly realisticTimings: boolean,
  ) {
    platform.operations.onComplete(OPERATION_KIND, (op, ctx) => this.complete(op, ctx));
    platform.cascades.set(CLUSTER_TYPE, (store, resource) => this.cascade(store, resource.id));
    platform.clock.on(OUTBOUND_READY, (payload, ctx) => this.outboundReady(payload as { operationId: string }, ctx));
    platform.clock.on(AUTOSCALER_SCAN, (payload, ctx) => this.autoscalerScan(payload as { clusterId: string }, ctx));
  }

  onAutoscaled(listener: AutoscaledListener): void {
    this.autoscaledListeners.push(listener);
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

  /**
   * The running operations: the cluster's own, then each pool's (the documents keep a lock until completion, abort or
   * preemption releases it; a lock whose operation ended otherwise is ignored).
   */
  async runningOperations(store: Store, cluster: ClusterDuring): Promise<ActiveOperation[]> {
    const locks = [
      ...(cluster.internal.active === undefined ? [] : [cluster.internal.active]),
      ...Object.values(cluster.internal.poolOperations ?? {}),
    ];
    const running: ActiveOperation[] = [];
    for (const lock of locks) {
      const op = await this.platform.operations.get(store, lock.id);
      if (op !== undefined && op.status === "InProgress") running.push(lock);
    }
    return running;
  }

  /**
   * The running operation that concerns `pool` (its own, or the cluster's), or without `pool` the cluster's own or
   * else the latest pool operation: what an abort stops and what the policy sees as the cluster being busy.
   */
  async activeOperation(store: Store, cluster: ClusterDuring, pool?: string): Promise<ActiveOperation | undefined> {
    const running = await this.runningOperations(store, cluster);
    const own = running.find((a) => a.pool === undefined);
    if (pool === undefined) return own ?? running.filter((a) => a.pool !== undefined).at(-1);
    return running.find((a) => a.pool?.toLowerCase() === pool.toLowerCase()) ?? own;
  }

  /**
   * Throws AKS's error unless the cluster may start `action` now, and the power-state table (a stopped cluster takes
   * only start and delete). An operation on the cluster excludes every other, a pool's excludes others on that pool
   * only; a cluster delete preempts them all instead.
   */
  async assertAllowed(
    store: Store,
    record: ClusterRecord,
    action: ClusterAction,
    pool?: { name: string; action: PoolAction },
  ): Promise<void> {
    const { cluster } = record;
    const clusterDelete = action === "Deleting" && pool === undefined;
    for (const active of await this.runningOperations(store, cluster)) {
      const samePool = pool !== undefined && active.pool?.toLowerCase() === pool.name.toLowerCase();
      if (pool !== undefined && active.pool !== undefined && !samePool) continue;
      if (active.action === "Deleting" && active.pool === undefined) {
        throw aksErrors.poolBeingDeleted(pool?.action ?? action, cluster.body.name);
      }
      if (active.action === "Deleting" && samePool && pool.action !== "Deleting") {
        throw aksErrors.poolBeingDeleted(pool.action, pool.name);
      }
      if (!clusterDelete) throw aksErrors.anotherOperation(active.action, active.pool, pool !== undefined);
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

  /** The cluster's internal document with what a pool's operation makes current when it completes (`changes`). */
  withPoolPending(internal: ClusterInternal, pool: string, changes: Record<string, unknown>): ClusterInternal {
    const pools = { ...internal.pending?.pools };
    if (Object.keys(changes).length > 0) pools[pool] = changes;
    else delete pools[pool];
    return { ...internal, pending: { ...internal.pending, pools } };
  }

  /** The cluster's internal document without `lock` and what its operation would have made current. */
  release(internal: ClusterInternal, lock: ActiveOperation): ClusterInternal {
    if (lock.pool === undefined) {
      const { active: _a, pending: _p, ...rest } = internal;
      return rest;
    }
    const key = lock.pool.toLowerCase();
    const { poolOperations, pending, ...rest } = internal;
    const others = Object.fromEntries(Object.entries(poolOperations ?? {}).filter(([k]) => k !== key));
    const pools = Object.fromEntries(Object.entries(pending?.pools ?? {}).filter(([k]) => k.toLowerCase() !== key));
    const next: ClusterInternal = { ...rest };
    if (Object.keys(others).length > 0) next.poolOperations = others;
    if (pending !== undefined && (Object.keys(pools).length > 0 || pending.currentKubernetesVersion !== undefined)) {
      next.pending = { ...pending, pools };
    }
    return next;
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
    // Operations on other pools run on beside a pool's; only a cluster delete gets here with operations running that
    // it must end (assertAllowed). It takes every lock; the preempted operations' listeners must already see the new
    // state (a delete in progress).
    const preempted = options.pool === undefined ? await this.runningOperations(store, cluster) : [];
    let internal = cluster.internal;
    if (preempted.length > 0) {
      const { poolOperations: _p, ...rest } = internal;
      internal = rest;
      await this.writeCluster(store, cluster.body, internal);
      for (const previous of preempted) {
        const op = await this.platform.operations.get(store, previous.id);
        if (op === undefined) continue;
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
    const duration = durationMs(isPool ? "pool" : "cluster", options.action, this.realisticTimings, this.platform.operations.defaultDurationMs); // prettier-ignore
    const op = await this.platform.operations.begin(store, {
      subscriptionId: parsed.subscriptionId,
      namespace: NAMESPACE,
      location: cluster.body.location,
      resourceId: isPool ? `${cluster.id}/agentPools/${options.pool!}` : cluster.id,
      action: options.action,
      caller: options.caller,
      kind: OPERATION_KIND,
      payload,
      durationMs: duration,
      ...(options.resultResourceId === undefined ? {} : { resultResourceId: options.resultResourceId }),
    });
    const active: ActiveOperation = {
      id: op.id,
      action: options.action,
      startedAt: op.startTime,
      caller: options.caller,
      ...(options.pool === undefined ? {} : { pool: options.pool }),
    };
    const locked: ClusterInternal = isPool
      ? { ...internal, poolOperations: { ...internal.poolOperations, [options.pool!.toLowerCase()]: active } }
      : { ...internal, active };
    await this.writeCluster(store, cluster.body, locked, isPool ? cluster.etag : undefined);
    if (!isPool && options.action === "Creating") {
      const due = this.platform.clock.nowMs() + Math.round(duration * OUTBOUND_READY_SHARE);
      await this.platform.clock.schedule(store, due, OUTBOUND_READY, { operationId: op.id });
    }
    await this.emit(store, this.event("Started", op));
    return op;
  }

  /** A create's outbound IPs exist: the cluster shows them while the create runs on (same ETag: no one wrote it). */
  private async outboundReady(payload: { operationId: string }, ctx: TimerContext): Promise<void> {
    const op = await this.platform.operations.get(ctx.store, payload.operationId);
    if (op === undefined || op.status !== "InProgress") return;
    const cluster = await this.getCluster(ctx.store, (op.payload as OperationPayload).clusterId);
    if (cluster === undefined || cluster.internal.active?.id !== op.id) return;
    const body = withEffectiveOutboundIps(cluster.body, cluster.subscriptionId);
    await this.writeCluster(ctx.store, body, cluster.internal, cluster.etag);
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
    const lock = payload.pool === undefined ? cluster.internal.active : cluster.internal.poolOperations?.[payload.pool.toLowerCase()]; // prettier-ignore
    if (lock !== undefined && lock.id !== op.id) return;
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
      const released = this.release(cluster.internal, lock ?? { id: op.id, action: payload.action, pool: payload.pool, startedAt: op.startTime, caller: op.caller }); // prettier-ignore
      await this.writeCluster(store, cluster.body, { ...released, lastOperation }, cluster.etag);
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
    if (record.pools.some((p) => p.body.properties.enableAutoScaling === true)) {
      await this.platform.clock.schedule(store, ctx.now.getTime() + AUTOSCALER_SCAN_MS, AUTOSCALER_SCAN, { clusterId: cluster.id }); // prettier-ignore
    }
    await this.emit(store, this.event("Succeeded", { ...op, status: "Succeeded", endTime: at }));
  }

  /**
   * The cluster autoscaler's scan: every autoscaled, running pool that no operation holds and that is below its
   * `minCount` goes up to it (AKS shows no operation for it: the count changes, the pool stays Succeeded). While an
   * operation runs on the cluster the scan waits for the one its end schedules.
   */
  private async autoscalerScan(payload: { clusterId: string }, ctx: TimerContext): Promise<void> {
    const record = await this.load(ctx.store, payload.clusterId);
    if (record === undefined) return;
    const running = await this.runningOperations(ctx.store, record.cluster);
    if (running.some((a) => a.pool === undefined)) return;
    let scaled = false;
    for (const pool of record.pools) {
      const p = pool.body.properties;
      const held = running.some((a) => a.pool?.toLowerCase() === pool.body.name.toLowerCase());
      if (held || p.enableAutoScaling !== true || p.powerState.code !== "Running" || !TERMINAL_STATES.has(p.provisioningState)) continue; // prettier-ignore
      if (typeof p.minCount !== "number" || p.count >= p.minCount) continue;
      await this.writePool(ctx.store, record.cluster.id, { ...pool.body, properties: { ...p, count: p.minCount } }, pool.internal); // prettier-ignore
      scaled = true;
    }
    if (scaled) for (const listener of this.autoscaledListeners) await listener(ctx.store, record.cluster.id, ctx.now);
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
    for (const active of await this.runningOperations(store, record.cluster)) {
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
