/**
 * Long-running operations, one mechanism for every provider.
 *
 * A write that takes time records an operation (status `InProgress`) and a clock timer in the same transaction as the
 * resource change, and answers with ARM's `Azure-AsyncOperation` / `Location` headers. When the clock reaches the
 * timer, the provider's completion handler finishes the work (for example, a cluster becomes `Succeeded`) and the
 * operation becomes `Succeeded` or `Failed`. Because operations and timers are stored, an operation accepted before a
 * crash finishes after the restart; because they run on the clock, a frozen clock holds them `InProgress`.
 */
import { randomUUID } from "node:crypto";
import type { Clock, TimerContext } from "../clock/clock.js";
import type { Store } from "../store/store.js";
import type { ArmErrorBody } from "../arm/errors.js";
import { currentRequestScope } from "../arm/request-scope.js";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

export interface OperationRecord {
  id: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: ArmErrorBody;
  /** HTTP status the result URL answers with when the operation failed. */
  errorStatus?: number;
  subscriptionId: string;
  /** Resource provider namespace that owns the operation, e.g. `Microsoft.ContainerService`. */
  namespace: string;
  location: string;
  /** The resource acted on. */
  resourceId: string;
  /** What the operation does, as AKS names it in its errors, e.g. `Creating`, `Stopping`. */
  action: string;
  /** Who started it: a user request or the platform (a policy rule). */
  caller: string;
  /** Completion handler kind, registered by the provider. */
  kind: string;
  payload: unknown;
  /** When set, the result URL answers 200 with this resource's current body once the operation succeeded. */
  resultResourceId?: string;
  /** ARM's operation name for the activity log, e.g. `Microsoft.ContainerService/managedClusters/write`. */
  operationName?: string;
  /** The request's correlation id (a fresh one for platform actions). */
  correlationId?: string;
  /** Why the platform acted (the policy rule), for the activity log. */
  reason?: string;
}

export interface CompletionOutcome {
  error?: ArmErrorBody;
  errorStatus?: number;
}

export type CompletionHandler = (operation: OperationRecord, ctx: TimerContext) => Promise<CompletionOutcome | void>;

export interface BeginOptions {
  subscriptionId: string;
  namespace: string;
  location: string;
  resourceId: string;
  action: string;
  caller?: string;
  kind: string;
  payload?: unknown;
  /** Emulated duration; defaults to the server's operation duration. */
  durationMs?: number;
  resultResourceId?: string;
  operationName?: string;
  correlationId?: string;
  reason?: string;
}

/** What happened to an operation: the activity log and the policy listen to these. */
export type OperationPhase = "Started" | "Succeeded" | "Failed" | "Canceled";

/** Called inside the transaction that started or ended the operation (after a completion handler ran). */
export type OperationListener = (
  phase: OperationPhase,
  operation: OperationRecord,
  ctx: { store: Store; now: Date },
) => Promise<void>;

const COMPLETE = "operations.complete";

export class Operations {
  private readonly completions = new Map<string, CompletionHandler>();
  private readonly listeners: OperationListener[] = [];

  constructor(
    private readonly clock: Clock,
    /** Default emulated duration of an operation, in milliseconds. */
    readonly defaultDurationMs: number,
  ) {
    clock.on(COMPLETE, (payload, ctx) => this.complete(payload as { operationId: string }, ctx));
  }

  /** Registers how a kind of operation finishes. */
  onComplete(kind: string, handler: CompletionHandler): void {
    if (this.completions.has(kind)) throw new Error(`Operation kind '${kind}' is already registered.`);
    this.completions.set(kind, handler);
  }

  /** Registers a listener of operation starts and ends (activity log, policy). Listeners run in registration order. */
  listen(listener: OperationListener): void {
    this.listeners.push(listener);
  }

  private async emit(phase: OperationPhase, record: OperationRecord, store: Store): Promise<void> {
    for (const listener of this.listeners) await listener(phase, record, { store, now: this.clock.now() });
  }

  /** Records an operation and schedules its completion, inside the caller's transaction. */
  async begin(store: Store, options: BeginOptions): Promise<OperationRecord> {
    const record: OperationRecord = {
      id: randomUUID(),
      status: "InProgress",
      startTime: this.clock.now().toISOString(),
      subscriptionId: options.subscriptionId,
      namespace: options.namespace,
      location: options.location,
      resourceId: options.resourceId,
      action: options.action,
      caller: options.caller ?? "user",
      kind: options.kind,
      payload: options.payload ?? null,
      ...(options.resultResourceId === undefined ? {} : { resultResourceId: options.resultResourceId }),
      ...(options.operationName === undefined ? {} : { operationName: options.operationName }),
      // A request's own id (see arm/request-scope.ts); work started by the clock gets a fresh one.
      correlationId: options.correlationId ?? currentRequestScope()?.correlationId ?? randomUUID(),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
    await store.putOperation(record.id, record.subscriptionId, record.resourceId, record);
    const due = this.clock.nowMs() + (options.durationMs ?? this.defaultDurationMs);
    await this.clock.schedule(store, due, COMPLETE, { operationId: record.id });
    await this.emit("Started", record, store);
    return record;
  }

  get(store: Store, id: string): Promise<OperationRecord | undefined> {
    return store.getOperation<OperationRecord>(id);
  }

  /**
   * An operation as a provider's status URL finds it: one of its own namespace in the subscription of the URL
   * (another provider's or another subscription's operation is not there, as in ARM).
   */
  async find(
    store: Store,
    id: string,
    namespace: string,
    subscriptionId: string,
  ): Promise<OperationRecord | undefined> {
    const op = await this.get(store, id);
    const own = op?.namespace === namespace && op.subscriptionId.toLowerCase() === subscriptionId.toLowerCase();
    return own ? op : undefined;
  }

  /** Operations still running on a resource (the "one operation at a time" rule reads this). */
  running(store: Store, resourceId: string): Promise<OperationRecord[]> {
    return store.listOperationsForResource<OperationRecord>(resourceId, "InProgress");
  }

  /** Ends an operation at once, without its completion handler (used when its resource is deleted under it). */
  async cancel(store: Store, record: OperationRecord, status: OperationStatus, error?: ArmErrorBody): Promise<void> {
    const ended: OperationRecord = { ...record, status, endTime: this.clock.now().toISOString() };
    if (error !== undefined) ended.error = error;
    await store.putOperation(ended.id, ended.subscriptionId, ended.resourceId, ended);
    await this.emit(status === "InProgress" ? "Canceled" : status, ended, store);
  }

  private async complete(payload: { operationId: string }, ctx: TimerContext): Promise<void> {
    const record = await ctx.store.getOperation<OperationRecord>(payload.operationId);
    if (record === undefined || record.status !== "InProgress") return;
    const handler = this.completions.get(record.kind);
    let outcome: CompletionOutcome | void = undefined;
    if (handler !== undefined) outcome = await handler(record, ctx);
    const ended: OperationRecord = { ...record, endTime: ctx.now.toISOString(), status: "Succeeded" };
    if (outcome?.error !== undefined) {
      ended.status = "Failed";
      ended.error = outcome.error;
      if (outcome.errorStatus !== undefined) ended.errorStatus = outcome.errorStatus;
    }
    await ctx.store.putOperation(ended.id, ended.subscriptionId, ended.resourceId, ended);
    await this.emit(ended.status === "InProgress" ? "Canceled" : ended.status, ended, ctx.store);
  }
}

/** The operation-status resource as ARM and AKS return it. */
export function operationStatusBody(record: OperationRecord, statusUrlId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: statusUrlId,
    name: record.id,
    status: record.status,
    startTime: record.startTime,
  };
  if (record.endTime !== undefined) body.endTime = record.endTime;
  if (record.error !== undefined) body.error = record.error;
  return body;
}
