/**
 * The node engine: faults, remedies (a reboot, reimage or redeploy, whoever asks for it), power changes, the
 * protected labels, and node auto-repair as a state machine on the clock (fact sheet §4.3).
 *
 * Auto-repair: a fault makes a node unhealthy; if the node had registered Ready before, auto-repair looks again when
 * the 10-minute detection window has passed (by then the node has also been unhealthy for the 5 minutes AKS
 * requires), then runs reboot → reimage → redeploy (redeploy on Linux only), each step taking emulated time and
 * emitting AKS's events, up to 3 rounds, as `aks-remediator`. Each step is one durable timer carrying the repair's
 * generation, so a fault removed or cured by someone else simply makes the pending timer stale.
 */
import { randomUUID } from "node:crypto";
import { ArmError } from "../arm/errors.js";
import { idKey } from "../arm/resource-id.js";
import type { Clock, TimerContext } from "../clock/clock.js";
import type { CompletionOutcome, OperationRecord, Operations } from "../operations/operations.js";
import type { Store, StoredResource } from "../store/store.js";
import {
  loadClusterNodesState,
  refreshPowerFacts,
  saveClusterNodesState,
  type ClusterNodesState,
} from "./cluster-state.js";
import {
  addEvent,
  bootDelayMs,
  CURED_BY,
  FAILS_ON,
  FAULT_KINDS,
  FAULT_TYPE,
  isProtectedLabel,
  REMEDIATOR,
  REPAIR,
  repairEvents,
  VM_TYPE,
  VMSS_TYPE,
  type FaultKind,
  type NodeState,
  type PowerChange,
  type PowerState,
  type RemedyAction,
} from "./model.js";

export type NodeResource = StoredResource<{ name: string }, NodeState>;

export interface FaultRecord {
  id: string;
  cluster: string;
  node: string;
  fault: FaultKind;
  nodeResourceId: string;
  createdAt: string;
  status: "Active" | "Cured" | "Removed";
  curedBy?: string;
  curedAt?: string;
}

/** What the node engine tells the layers above (policy, activity log) without importing them. */
export interface NodeHooks {
  /**
   * After any change to the nodes of a cluster (health, power, count), except the changes AKS makes as one of its
   * operations ends: the layers above listen to that operation's end, after the node side has followed it.
   */
  nodesChanged?: (store: Store, clusterId: string, now: Date) => Promise<void>;
  /** Auto-repair gave up on a node after its last round. */
  repairGaveUp?: (store: Store, node: NodeState, now: Date) => Promise<void>;
}

/** The little of a managed cluster's stored body the node side reads. */
export interface ClusterDoc {
  properties?: { nodeResourceGroup?: string; powerState?: { code?: string }; provisioningState?: string };
}

/** AKS believes the cluster runs: powered on and not being created, stopped, started or deleted. */
export function clusterRunsForAks(body: ClusterDoc): boolean {
  const p = body.properties;
  return (
    p?.powerState?.code !== "Stopped" &&
    !["Creating", "Stopping", "Starting", "Deleting"].includes(p?.provisioningState ?? "Succeeded")
  );
}

const REPAIR_TIMER = "nodes.autorepair";

interface RepairPayload {
  node: string;
  gen: number;
}

const STEP_KIND = "nodes.autorepair.step";

interface StepPayload {
  node: string;
  gen: number;
  action: RemedyAction;
  round: number;
}

const OPERATION_VERB: Record<RemedyAction, string> = { reboot: "restart", reimage: "reimage", redeploy: "redeploy" };

const STEP_STATUS: Record<RemedyAction, NodeState["repair"]["status"]> = {
  reboot: "Rebooting",
  reimage: "Reimaging",
  redeploy: "Redeploying",
};

function faultId(id: string): string {
  return `/providers/aksemu/faults/${id}`;
}

export class Nodes {
  private readonly hooks: NodeHooks[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly operations: Operations,
  ) {
    clock.on(REPAIR_TIMER, (payload, ctx) => this.onRepairTimer(payload as RepairPayload, ctx));
    operations.onComplete(STEP_KIND, (op, ctx) => this.onStepDone(op, ctx));
  }

  addHooks(hooks: NodeHooks): void {
    this.hooks.push(hooks);
  }

  /**
   * Recomputes the cluster's node facts (for the policy), then tells the layers above. A caller that has just
   * written every node of the cluster passes them with the cluster and its facts (`known`), sparing their re-reading.
   * `atOperationEnd`: the change is AKS's own as one of its operations ends; the layers above are not told, since
   * they hear of the operation's end right after (see `NodeHooks.nodesChanged`).
   */
  async notifyChanged(
    store: Store,
    clusterId: string,
    now: Date = this.clock.now(),
    known?: { cluster: ClusterDoc; nodes: NodeState[]; facts: ClusterNodesState },
    atOperationEnd = false,
  ): Promise<void> {
    const cluster = known?.cluster ?? (await store.getResource<ClusterDoc>(clusterId))?.body;
    if (cluster === undefined) return;
    const nodes = known?.nodes ?? (await this.listForCluster(store, clusterId)).map((n) => n.internal);
    const facts = known?.facts ?? (await loadClusterNodesState(store, clusterId));
    refreshPowerFacts(facts, nodes, clusterRunsForAks(cluster), now);
    await saveClusterNodesState(store, facts, now);
    if (atOperationEnd) return;
    for (const h of this.hooks) if (h.nodesChanged !== undefined) await h.nodesChanged(store, clusterId, now);
  }

  // --- reading ------------------------------------------------------------------------------------------------------

  async get(store: Store, nodeResourceId: string): Promise<NodeResource | undefined> {
    return store.getResource<{ name: string }, NodeState>(nodeResourceId);
  }

  async save(store: Store, node: NodeResource): Promise<void> {
    await store.putResource({
      id: node.id,
      type: VM_TYPE,
      parentId: node.internal.vmssId,
      subscriptionId: node.subscriptionId,
      body: node.body,
      internal: node.internal,
      etag: node.etag,
      at: this.clock.now().toISOString(),
    });
  }

  /** Every node of a cluster: the instances of the scale sets AKS made for its pools, in pool and instance order. */
  async listForCluster(store: Store, clusterId: string): Promise<NodeResource[]> {
    const cluster = await store.getResource<ClusterDoc>(clusterId);
    const nodeRg = cluster?.body.properties?.nodeResourceGroup;
    if (nodeRg === undefined) return [];
    const sub = clusterId.split("/")[2]!;
    const scaleSets = await store.listChildren<Record<string, unknown>, { clusterId?: string }>(
      `/subscriptions/${sub}/resourceGroups/${nodeRg}`,
      VMSS_TYPE,
    );
    const nodes: NodeResource[] = [];
    for (const vmss of scaleSets) {
      if (vmss.internal.clusterId === undefined || idKey(vmss.internal.clusterId) !== idKey(clusterId)) continue;
      const instances = await store.listChildren<{ name: string }, NodeState>(vmss.id, VM_TYPE);
      instances.sort((a, b) => Number(a.internal.instanceId) - Number(b.internal.instanceId));
      nodes.push(...instances);
    }
    return nodes;
  }

  /** A node by name: its scale set and instance id are in the name (`<scale set><instance id in base 36, 6 chars>`). */
  async findByName(store: Store, clusterId: string, name: string): Promise<NodeResource | undefined> {
    const m = /^(.+-vmss)([0-9a-z]{6})$/i.exec(name);
    const cluster = await store.getResource<ClusterDoc>(clusterId);
    const nodeRg = cluster?.body.properties?.nodeResourceGroup;
    if (m === null || nodeRg === undefined) return undefined;
    const sub = clusterId.split("/")[2]!;
    const vmssId = `/subscriptions/${sub}/resourceGroups/${nodeRg}/providers/Microsoft.Compute/virtualMachineScaleSets/${m[1]!}`;
    const node = await this.get(store, `${vmssId}/virtualMachines/${parseInt(m[2]!, 36)}`);
    if (node === undefined || idKey(node.internal.clusterId) !== idKey(clusterId)) return undefined;
    return node.internal.name.toLowerCase() === name.toLowerCase() ? node : undefined;
  }

  // --- faults -------------------------------------------------------------------------------------------------------

  async injectFault(store: Store, clusterId: string, nodeName: string, kind: string): Promise<FaultRecord> {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new ArmError(400, "InvalidFault", `Unknown fault '${kind}'. Use one of: ${FAULT_KINDS.join(", ")}.`, {
        target: "fault",
      });
    }
    const node = await this.findByName(store, clusterId, nodeName);
    if (node === undefined) {
      throw new ArmError(
        404,
        "NodeNotFound",
        `The cluster '${clusterId}' has no node named '${nodeName}'. List its nodes with GET /_emulator/nodes/<cluster ARM id>.`,
        { target: "node" },
      );
    }
    const now = this.clock.now();
    const record: FaultRecord = {
      id: randomUUID(),
      cluster: clusterId,
      node: node.internal.name,
      fault: kind as FaultKind,
      nodeResourceId: node.id,
      createdAt: now.toISOString(),
      status: "Active",
    };
    await store.putResource({
      id: faultId(record.id),
      type: FAULT_TYPE,
      parentId: "/providers/aksemu",
      subscriptionId: node.subscriptionId,
      body: record,
      etag: "",
      at: record.createdAt,
    });
    const state = node.internal;
    const wasReady =
      state.power === "running" && state.faults.length === 0 && now.getTime() >= Date.parse(state.readyAt);
    state.faults.push({ id: record.id, kind: record.fault, since: record.createdAt });
    state.unhealthySince ??= record.createdAt;
    await this.beginDetection(store, node, wasReady, now);
    await this.save(store, node);
    // Readiness is not a fact of the node rules (their facts are power states), so no re-evaluation is needed.
    return record;
  }

  async getFault(store: Store, id: string): Promise<FaultRecord | undefined> {
    return (await store.getResource<FaultRecord>(faultId(id)))?.body;
  }

  async listFaults(store: Store, clusterId?: string): Promise<FaultRecord[]> {
    const all = await store.listChildren<FaultRecord>("/providers/aksemu", FAULT_TYPE);
    return all.map((r) => r.body).filter((f) => clusterId === undefined || idKey(f.cluster) === idKey(clusterId));
  }

  /** Ends a fault: the node reports healthy again at once (its next status update) and auto-repair stands down. */
  async removeFault(store: Store, id: string): Promise<FaultRecord> {
    const stored = await store.getResource<FaultRecord>(faultId(id));
    if (stored === undefined) {
      throw new ArmError(404, "FaultNotFound", `No fault with id '${id}'. List them with GET /_emulator/faults.`);
    }
    const record = stored.body;
    await store.deleteResource(stored.id);
    const removed: FaultRecord = { ...record, status: record.status === "Active" ? "Removed" : record.status };
    const node = await this.get(store, record.nodeResourceId);
    if (node !== undefined && node.internal.faults.some((f) => f.id === id)) {
      const now = this.clock.now();
      node.internal.faults = node.internal.faults.filter((f) => f.id !== id);
      if (node.internal.faults.length === 0) {
        delete node.internal.unhealthySince;
        if (!["Idle", "GaveUp"].includes(node.internal.repair.status)) this.standDown(node.internal, now, "Healthy");
        if (node.internal.repair.status === "GaveUp") this.standDown(node.internal, now, "Healthy");
      }
      await this.save(store, node);
    }
    return removed;
  }

  private async markFaultsCured(store: Store, ids: string[], by: string, now: Date): Promise<void> {
    for (const id of ids) {
      const stored = await store.getResource<FaultRecord>(faultId(id));
      if (stored === undefined) continue;
      await store.putResource({
        id: stored.id,
        type: FAULT_TYPE,
        parentId: stored.parentId,
        subscriptionId: stored.subscriptionId,
        body: { ...stored.body, status: "Cured", curedBy: by, curedAt: now.toISOString() },
        etag: "",
        at: now.toISOString(),
      });
    }
  }

  // --- remedies and power ---------------------------------------------------------------------------------------------

  /**
   * Applies a reboot, reimage or redeploy to a node (from auto-repair, a customer's Compute call or the platform):
   * the faults the action cures are gone, the node boots and registers Ready shortly after. Returns the error code
   * when the VM operation itself fails (a reboot on a failed host), and whether the node is healthy afterwards.
   */
  async remedy(
    store: Store,
    node: NodeResource,
    action: RemedyAction,
    by: string,
    now: Date,
  ): Promise<{ errorCode?: string; cured: boolean }> {
    const state = node.internal;
    const failing = state.faults.find((f) => FAILS_ON[f.kind]?.actions.includes(action) === true);
    if (failing !== undefined) return { errorCode: FAILS_ON[failing.kind]!.code, cured: false };
    const cured = state.faults.filter((f) => CURED_BY[f.kind].includes(action));
    state.faults = state.faults.filter((f) => !CURED_BY[f.kind].includes(action));
    await this.markFaultsCured(
      store,
      cured.map((f) => f.id),
      `${action} by ${by}`,
      now,
    );
    if (state.power === "running") this.boot(state, now);
    if (state.faults.length === 0) delete state.unhealthySince;
    return { cured: state.faults.length === 0 };
  }

  /** The node boots: the kubelet registers Ready 30-60 s later (kwok-like node stages). */
  boot(state: NodeState, now: Date): void {
    const at = now.toISOString();
    state.readyAt = new Date(now.getTime() + bootDelayMs(state.name, at)).toISOString();
  }

  /** Changes a VM's power state (deallocate, power off, start) and records who did it. */
  setPower(state: NodeState, power: PowerState, change: PowerChange, now: Date): void {
    if (state.power === power) {
      state.powerChange = change;
      return;
    }
    state.power = power;
    state.powerChange = change;
    if (power === "running") {
      // A start on a new allocation: host faults stay behind; the node boots.
      if (change.action === "start") {
        state.faults = state.faults.filter(
          (f) => f.kind !== "HostFailure" && f.kind !== "KubeletStopped" && f.kind !== "NoHeartbeat",
        );
      }
      this.boot(state, now);
      if (state.faults.length === 0) delete state.unhealthySince;
    } else {
      state.unhealthySince ??= now.toISOString();
      // Auto-repair skips nodes carrying the cloud provider's shutdown taint.
      if (!["Idle", "GaveUp", "Skipped"].includes(state.repair.status)) this.standDown(state, now, "NodeShutdown");
    }
  }

  // --- labels -------------------------------------------------------------------------------------------------------

  /**
   * `kubectl label node` for the emulator: a change to a protected system label is denied as AKS's node validating
   * webhook denies it (fact sheet §5.1); other labels are set (a null value removes one).
   */
  async patchLabels(store: Store, node: NodeResource, labels: Record<string, unknown>): Promise<NodeResource> {
    const state = node.internal;
    for (const [key, value] of Object.entries(labels)) {
      if (value !== null && typeof value !== "string") {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          `The value of label '${key}' must be a string, or null to remove it.`,
          {
            target: `labels.${key}`,
          },
        );
      }
      if (isProtectedLabel(key) && state.labels[key] !== value) {
        const shown = value === null ? key : `${key}:${value}`;
        throw new ArmError(
          400,
          "BadRequest",
          `admission webhook "aks-node-validating-webhook.azmk8s.io" denied the request: (UID: ${randomUUID()}) User is trying to ${value === null ? "remove" : "add or update"} a non-changeable system label (${shown}). This action is denied..`,
          { target: `labels.${key}` },
        );
      }
      if (
        key.length === 0 ||
        key.length > 317 ||
        !/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)
      ) {
        throw new ArmError(
          400,
          "Invalid",
          `Node "${state.name}" is invalid: metadata.labels: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
          { target: `labels.${key}` },
        );
      }
    }
    for (const [key, value] of Object.entries(labels)) {
      if (value === null) {
        delete state.labels[key];
        delete state.kubectlLabels[key];
      } else {
        state.labels[key] = value as string;
        state.kubectlLabels[key] = value as string;
      }
    }
    await this.save(store, node);
    return node;
  }

  // --- auto-repair --------------------------------------------------------------------------------------------------

  private async schedule(store: Store, state: NodeState, nodeId: string, dueAt: number): Promise<void> {
    await this.clock.schedule(store, dueAt, REPAIR_TIMER, {
      node: nodeId,
      gen: state.repair.gen,
    } satisfies RepairPayload);
  }

  private standDown(state: NodeState, now: Date, outcome: string): void {
    state.repair = {
      status: "Idle",
      round: 0,
      since: now.toISOString(),
      gen: state.repair.gen + 1,
      lastOutcome: outcome,
    };
  }

  /** A node became unhealthy: auto-repair looks again when the detection window has passed. */
  private async beginDetection(store: Store, node: NodeResource, wasReady: boolean, now: Date): Promise<void> {
    const state = node.internal;
    if (!["Idle", "GaveUp", "Skipped"].includes(state.repair.status)) return;
    if (state.repair.status === "GaveUp") return;
    if (!wasReady && Date.parse(state.readyAt) > now.getTime()) {
      // Never registered healthy: auto-repair does not act (fact sheet §4.3).
      state.repair = {
        status: "Skipped",
        round: 0,
        since: now.toISOString(),
        gen: state.repair.gen + 1,
        lastOutcome: "NodeNeverReady",
      };
      return;
    }
    if (state.power !== "running") return;
    state.repair = { status: "Detecting", round: 0, since: now.toISOString(), gen: state.repair.gen + 1 };
    await this.schedule(store, state, node.id, now.getTime() + REPAIR.detectionMs);
  }

  private async clusterRunning(store: Store, clusterId: string): Promise<boolean> {
    const cluster = await store.getResource<ClusterDoc>(clusterId);
    return cluster !== undefined && cluster.body.properties?.powerState?.code !== "Stopped";
  }

  /** After a VM came back (started), a node still faulty is watched by auto-repair again. */
  async recheck(store: Store, node: NodeResource, now: Date): Promise<void> {
    if (node.internal.faults.length > 0 && node.internal.power === "running") {
      await this.beginDetection(store, node, true, now);
    }
  }

  private async startStep(
    store: Store,
    node: NodeResource,
    action: RemedyAction,
    round: number,
    now: Date,
  ): Promise<void> {
    const state = node.internal;
    state.repair = { status: STEP_STATUS[action], round, since: now.toISOString(), gen: state.repair.gen + 1 };
    addEvent(state, repairEvents.start(action), now);
    // Each step is a real operation on the VM, by aks-remediator: the activity log records it like any other.
    await this.operations.begin(store, {
      subscriptionId: node.subscriptionId,
      namespace: "Microsoft.Compute",
      location: state.location,
      resourceId: node.id,
      action: STEP_STATUS[action],
      caller: REMEDIATOR,
      kind: STEP_KIND,
      payload: { node: node.id, gen: state.repair.gen, action, round } satisfies StepPayload,
      durationMs: REPAIR.stepMs[action],
      operationName: `Microsoft.Compute/virtualMachineScaleSets/virtualMachines/${OPERATION_VERB[action]}/action`,
      reason: `Node auto-repair (round ${round} of ${REPAIR.rounds}): node ${state.name} NotReady for more than five minutes.`,
    });
  }

  private ladder(state: NodeState): RemedyAction[] {
    return state.osType === "Linux" ? ["reboot", "reimage", "redeploy"] : ["reboot", "reimage"];
  }

  private async onRepairTimer(payload: RepairPayload, ctx: TimerContext): Promise<void> {
    const { store, now } = ctx;
    const node = await this.get(store, payload.node);
    if (node === undefined) return;
    const state = node.internal;
    if (state.repair.gen !== payload.gen) return;
    const unhealthy = state.faults.length > 0;
    if (state.repair.status === "Detecting") {
      const longEnough =
        state.unhealthySince !== undefined && now.getTime() - Date.parse(state.unhealthySince) >= REPAIR.unhealthyMs;
      if (!unhealthy || state.power !== "running" || !(await this.clusterRunning(store, state.clusterId))) {
        this.standDown(state, now, unhealthy ? "NotEligible" : "Healthy");
      } else if (!longEnough) {
        await this.schedule(store, state, node.id, Date.parse(state.unhealthySince!) + REPAIR.unhealthyMs);
        return;
      } else {
        await this.startStep(store, node, "reboot", 1, now);
      }
      await this.save(store, node);
      return;
    }
  }

  /** The end of an auto-repair step: its effect on the node, its event, and the next step (or the end). */
  private async onStepDone(op: OperationRecord, ctx: { store: Store; now: Date }): Promise<CompletionOutcome | void> {
    const { store, now } = ctx;
    const payload = op.payload as StepPayload;
    const node = await this.get(store, payload.node);
    if (node === undefined) return;
    const state = node.internal;
    if (state.repair.gen !== payload.gen) return;
    const { action, round } = payload;
    const outcome = await this.remedy(store, node, action, REMEDIATOR, now);
    if (outcome.errorCode !== undefined) addEvent(state, repairEvents.error(action, outcome.errorCode), now);
    else addEvent(state, repairEvents.end(action), now);
    if (outcome.cured) {
      this.standDown(state, now, `Repaired by ${action}`);
    } else {
      const ladder = this.ladder(state);
      const next = ladder[ladder.indexOf(action) + 1];
      if (next !== undefined) await this.startStep(store, node, next, round, now);
      else if (round < REPAIR.rounds) await this.startStep(store, node, ladder[0]!, round + 1, now);
      else {
        state.repair = {
          status: "GaveUp",
          round,
          since: now.toISOString(),
          gen: state.repair.gen + 1,
          lastOutcome: `Still NotReady after ${round} rounds of ${ladder.join(" → ")}; auto-repair gave up.`,
        };
        for (const h of this.hooks) if (h.repairGaveUp !== undefined) await h.repairGaveUp(store, state, now);
      }
    }
    await this.save(store, node);
    if (outcome.errorCode !== undefined) {
      return {
        error: {
          code: outcome.errorCode,
          message: `The VM '${state.name}' did not respond: its host is unavailable. Redeploy the VM to move it to a healthy host.`,
        },
      };
    }
  }

  /** Drops a node's pending repair (its VM is being deleted or replaced). */
  forget(state: NodeState, now: Date): void {
    this.standDown(state, now, "Removed");
  }
}
