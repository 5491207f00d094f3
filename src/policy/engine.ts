/**
 * The policy engine: evaluates the rules (rules/*.ts) on a cluster, runs the platform actions that are due, and keeps
 * one durable clock timer per cluster at the next instant something changes.
 *
 * When it runs: when that timer fires; when any operation on the cluster (or one of its pools) ends, whoever started
 * it; and when the cluster's subscription changes state. Each time it re-reads everything from the store, so a timer
 * set for a situation that no longer holds (the cluster was started, the subscription re-enabled) finds nothing to do
 * and moves on to the next instant. Everything it reads is the store and the clock's `now`, and timers fire in (due,
 * creation) order, so advancing a year in one call or in 365 daily calls produces the same actions at the same
 * instants.
 *
 * What it keeps per cluster (a small document outside ARM's tree, `/aksemu/policy/<cluster id>`): the power state it
 * last saw and since when (etcd backups are computed from it), whether the control plane is archived, whether the end
 * of platform support was already dealt with, and its pending timer (so rescheduling is a keyed delete).
 */
import { ArmError } from "../arm/errors.js";
import { idKey, parseResourceId } from "../arm/resource-id.js";
import type { OperationRoute } from "../arm/handler.js";
import type { Clock } from "../clock/clock.js";
import type { OperationPhase, OperationRecord, Operations } from "../operations/operations.js";
import type { ActivityLog } from "../providers/insights/index.js";
import type { Subscriptions } from "../providers/resources/index.js";
import { versionCatalogAt, type VersionCatalog } from "../providers/containerservice/versions/index.js";
import type { Store, StoredResource } from "../store/store.js";
import { PLATFORM_CALLER, type ClusterActions } from "./actions.js";
import { endOfSupportNotice, lastEtcdBackup, RULES, type ScheduledEvent } from "./rules/index.js";
import {
  VERDICT_ORDER,
  type ClusterFacts,
  type Finding,
  type PlannedAction,
  type PolicyRecord,
  type Rule,
  type SupportVerdict,
} from "./types.js";

export const CLUSTER_TYPE = "microsoft.containerservice/managedclusters";
const RECORD_TYPE = "aksemu.policy/clusterrecords";
const RECORD_ROOT = "/aksemu/policy";
const TIMER_KIND = "policy.cluster";
const CLUSTER_PATH =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+)/i;

/** The parts of a stored cluster the policy reads (the wire body as AKS returns it, and the provider's notes). */
interface ClusterDoc {
  id: string;
  name?: string;
  location?: string;
  sku?: { name?: string; tier?: string };
  properties?: {
    provisioningState?: string;
    powerState?: { code?: string };
    kubernetesVersion?: string;
    currentKubernetesVersion?: string;
    nodeResourceGroup?: string;
    supportPlan?: string;
    autoUpgradeProfile?: { upgradeChannel?: string };
  };
}
interface ClusterNotes {
  active?: unknown;
  poolOperations?: Record<string, unknown>;
  stoppedAt?: string;
  stoppedBy?: string;
}

export type FeatureDetector = (
  cluster: StoredResource<ClusterDoc, ClusterNotes>,
  catalog: VersionCatalog,
) => { preview?: string[]; alpha?: string[] };

/** Default detector: a Kubernetes version still in preview is a preview feature. */
const previewVersionDetector: FeatureDetector = (cluster, catalog) => {
  const version = cluster.body.properties?.currentKubernetesVersion ?? cluster.body.properties?.kubernetesVersion;
  if (version === undefined) return {};
  return catalog.minor(version)?.support === "Preview" ? { preview: [`Kubernetes ${version} (preview version)`] } : {};
};

/** Extra facts about a cluster from another layer, merged into `ClusterFacts` before the rules run. */
export type FactSource = (store: Store, clusterId: string, now: Date) => Promise<Record<string, unknown>>;

export interface ClusterSupportability {
  id: string;
  status: SupportVerdict;
  findings: Omit<Finding, "verdict">[];
  upcoming: { action: string; at: string; rule: string; reason: string; targetVersion?: string }[];
  lastEtcdBackup: string | null;
  /** The end-of-support notice AKS would publish now (Resource Graph scheduled event), fact sheet §4.4. */
  scheduledEvents: ScheduledEvent[];
  archived: boolean;
  powerState: string;
  provisioningState: string;
  kubernetesVersion: string;
}

export interface PolicyOptions {
  store: Store;
  clock: Clock;
  operations: Operations;
  subscriptions: Subscriptions;
  activityLog: ActivityLog;
  rules?: readonly Rule[];
}

export class Policy {
  private readonly rules: readonly Rule[];
  private readonly detectors: FeatureDetector[] = [previewVersionDetector];
  private readonly factSources: FactSource[] = [];
  private actions: ClusterActions | undefined;
  /** Clusters being reconciled right now (an action's own operation events must not re-enter). */
  private readonly reconciling = new Set<string>();

  constructor(private readonly options: PolicyOptions) {
    this.rules = options.rules ?? RULES;
    options.clock.on(TIMER_KIND, async (payload, ctx) => {
      const { cluster } = payload as { cluster: string };
      await this.reconcile(ctx.store, cluster, ctx.now, ctx.timer.seq);
    });
    options.operations.listen((phase, op, ctx) => this.onOperation(phase, op, ctx.store, ctx.now));
  }

  /** The ContainerService provider's operations, used for platform actions. */
  attachClusterActions(actions: ClusterActions): void {
    this.actions = actions;
  }

  /** Lets another layer (the node side) add facts about a cluster that its rules read (e.g. `nodes`). */
  addFactSource(source: FactSource): void {
    this.factSources.push(source);
  }

  /** Lets another provider (feature flags) say which preview or alpha features a cluster uses. */
  addFeatureDetector(detector: FeatureDetector): void {
    this.detectors.push(detector);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Triggers

  private async onOperation(phase: OperationPhase, op: OperationRecord, store: Store, now: Date): Promise<void> {
    if (phase === "Started") return;
    const m = CLUSTER_PATH.exec(op.resourceId);
    if (m !== null) {
      await this.reconcile(store, m[1]!, now);
      return;
    }
    // A resource group deleted with clusters in it: forget their records.
    const parsed = parseResourceId(op.resourceId);
    if (parsed?.resourceGroup !== undefined && parsed.namespace === undefined) {
      const prefix = `${RECORD_ROOT}${idKey(op.resourceId)}/`;
      for (const record of await store.listByType<PolicyRecord>(RECORD_TYPE, parsed.subscriptionId)) {
        if (idKey(record.id).startsWith(prefix)) await this.reconcile(store, record.body.clusterId, now);
      }
    }
  }

  /** A subscription changed state: every cluster in it is re-evaluated now (suspension stops them at once). */
  async onSubscriptionState(store: Store, subscriptionId: string, now: Date): Promise<void> {
    for (const cluster of await store.listByType(CLUSTER_TYPE, subscriptionId)) {
      await this.reconcile(store, cluster.id, now);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Evaluation

  private recordId(clusterId: string): string {
    return `${RECORD_ROOT}${idKey(clusterId)}`;
  }

  private async loadRecord(store: Store, clusterId: string): Promise<PolicyRecord | undefined> {
    return (await store.getResource<PolicyRecord>(this.recordId(clusterId)))?.body;
  }

  private async saveRecord(store: Store, subscriptionId: string, record: PolicyRecord, now: Date): Promise<void> {
    await store.putResource({
      id: this.recordId(record.clusterId),
      type: RECORD_TYPE,
      parentId: RECORD_ROOT,
      subscriptionId,
      body: record,
      etag: "",
      at: now.toISOString(),
    });
  }

  /** Notes power transitions (etcd backups and the 12-month rule count from them). */
  private trackPower(record: PolicyRecord, cluster: StoredResource<ClusterDoc, ClusterNotes>, now: Date): void {
    const props = cluster.body.properties ?? {};
    if (props.provisioningState === "Creating") return;
    const power = props.powerState?.code === "Stopped" ? "Stopped" : "Running";
    if (record.power === power) return;
    if (power === "Running") {
      record.runningSince = now.toISOString();
      delete record.stoppedAt;
    } else {
      record.stoppedAt = cluster.internal.stoppedAt ?? now.toISOString();
    }
    record.power = power;
  }

  private async facts(
    store: Store,
    cluster: StoredResource<ClusterDoc, ClusterNotes>,
    record: PolicyRecord,
    now: Date,
  ): Promise<ClusterFacts> {
    const body = cluster.body;
    const props = body.properties ?? {};
    const parsed = parseResourceId(cluster.id);
    const subscriptionId = parsed?.subscriptionId ?? cluster.subscriptionId;
    // The subscription's state is cached by Subscriptions; since when it holds matters only once it is suspended.
    const subBody = await this.options.subscriptions.find(subscriptionId, store);
    const subState =
      subBody === undefined || subBody.state === "Disabled" || subBody.state === "Deleted"
        ? await this.options.subscriptions.stateOf(store, subscriptionId)
        : { state: subBody.state, since: cluster.createdAt };
    const catalog = versionCatalogAt(now);
    // What counts as preview is what AKS offers in the cluster's region (canary regions run ahead of the calendar);
    // the support dates are the calendar's everywhere.
    const offered = versionCatalogAt(now, body.location);
    const preview: string[] = [];
    const alpha: string[] = [];
    for (const detector of this.detectors) {
      const found = detector(cluster, offered);
      preview.push(...(found.preview ?? []));
      alpha.push(...(found.alpha ?? []));
    }
    const stoppedAtText = cluster.internal.stoppedAt ?? record.stoppedAt;
    const extra: Record<string, unknown> = {};
    for (const source of this.factSources) Object.assign(extra, await source(store, cluster.id, now));
    // The sources' facts are merged with Object.assign (the literal's own facts win): an object literal that starts
    // with a spread and goes on with two dozen properties takes V8 about 25 µs to build, this about a microsecond.
    const facts: ClusterFacts = {
      id: cluster.id,
      subscriptionId,
      resourceGroup: parsed?.resourceGroup ?? "",
      name: body.name ?? parsed?.name ?? "",
      location: body.location ?? "",
      nodeResourceGroup: props.nodeResourceGroup,
      powerState: props.powerState?.code === "Stopped" ? "Stopped" : "Running",
      provisioningState: props.provisioningState ?? "Succeeded",
      version: props.currentKubernetesVersion ?? props.kubernetesVersion ?? "",
      lts: props.supportPlan === "AKSLongTermSupport" && body.sku?.tier === "Premium",
      autoUpgradeChannel: props.autoUpgradeProfile?.upgradeChannel,
      // The provider keeps the operations in flight on the cluster and on each of its pools (their locks).
      busy: cluster.internal.active !== undefined || Object.keys(cluster.internal.poolOperations ?? {}).length > 0,
      stoppedAt: stoppedAtText === undefined ? undefined : new Date(Date.parse(stoppedAtText)),
      stoppedBy: cluster.internal.stoppedBy,
      subscriptionState: subState?.state ?? "Enabled",
      subscriptionStateSince: new Date(Date.parse(subState?.since ?? cluster.createdAt)),
      record,
      catalog,
      catalogAt: versionCatalogAt,
      previewFeatures: preview,
      alphaFeatures: alpha,
      createdAt: cluster.createdAt,
    };
    return Object.assign(extra, facts);
  }

  private evaluate(facts: ClusterFacts, now: Date): { findings: Finding[]; actions: PlannedAction[]; next?: number } {
    const findings: Finding[] = [];
    const actions: PlannedAction[] = [];
    let next: number | undefined;
    const consider = (at: Date): void => {
      const t = at.getTime();
      if (t > now.getTime() && (next === undefined || t < next)) next = t;
    };
    for (const rule of this.rules) {
      const result = rule.evaluate(facts, now);
      findings.push(...result.findings);
      actions.push(...result.actions);
      result.actions.forEach((a) => consider(a.at));
      result.checkpoints.forEach(consider);
    }
    // Stable: by instant, then rule order (the rules' order in RULES).
    const order = new Map(this.rules.map((r, i) => [r.id, i]));
    actions.sort((a, b) => a.at.getTime() - b.at.getTime() || (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0));
    return next === undefined ? { findings, actions } : { findings, actions, next };
  }

  /**
   * Re-evaluates one cluster at `now`: runs the platform actions that are due, then keeps one timer at the next
   * instant that matters. `firedSeq` is the timer being fired (already removed by the clock), if any.
   */
  async reconcile(store: Store, clusterId: string, now: Date, firedSeq?: number): Promise<void> {
    const key = idKey(clusterId);
    if (this.reconciling.has(key)) return;
    this.reconciling.add(key);
    try {
      const cluster = await store.getResource<ClusterDoc, ClusterNotes>(clusterId);
      const existing = await this.loadRecord(store, clusterId);
      if (cluster === undefined || cluster.type !== CLUSTER_TYPE) {
        if (existing !== undefined) {
          if (existing.timerSeq !== undefined && existing.timerSeq !== firedSeq)
            await store.deleteTimer(existing.timerSeq);
          await store.deleteResource(this.recordId(clusterId));
        }
        return;
      }
      const record: PolicyRecord = existing ?? { clusterId: cluster.id };
      if (firedSeq !== undefined && record.timerSeq === firedSeq) {
        delete record.timerSeq;
        delete record.timerDue;
      }
      const before = JSON.stringify(record);
      this.trackPower(record, cluster, now);
      const facts = await this.facts(store, cluster, record, now);
      const evaluation = this.evaluate(facts, now);
      let acted = false;
      for (const action of evaluation.actions) {
        if (action.at.getTime() > now.getTime()) break;
        const outcome = await this.execute(store, facts, action, now);
        if (outcome === "acted") acted = true;
        if (outcome === "acted" && action.action === "delete") break;
      }
      // An action began an operation on the cluster: its end (or cancellation) re-evaluates the cluster and sets the
      // next timer, so none is needed until then.
      await this.reschedule(store, record, acted ? undefined : evaluation.next);
      if (existing === undefined || JSON.stringify(record) !== before) {
        await this.saveRecord(store, facts.subscriptionId, record, now);
      }
    } finally {
      this.reconciling.delete(key);
    }
  }

  private async reschedule(store: Store, record: PolicyRecord, next: number | undefined): Promise<void> {
    if (record.timerDue === next) return;
    if (record.timerSeq !== undefined) await store.deleteTimer(record.timerSeq);
    delete record.timerSeq;
    delete record.timerDue;
    if (next === undefined) return;
    record.timerSeq = await this.options.clock.schedule(store, next, TIMER_KIND, { cluster: idKey(record.clusterId) });
    record.timerDue = next;
  }

  /** Runs one due action; "skipped" when the cluster cannot take it now (it is retried when its operation ends). */
  private async execute(
    store: Store,
    facts: ClusterFacts,
    action: PlannedAction,
    now: Date,
  ): Promise<"acted" | "skipped" | "noted"> {
    const record = facts.record;
    switch (action.action) {
      case "archive": {
        if (record.archivedAt !== undefined) return "skipped";
        record.archivedAt = action.at.toISOString();
        record.archivedReason = action.reason;
        await this.logPlatformEvent(store, facts, "archive", action.reason, now);
        return "noted";
      }
      case "restore": {
        if (record.archivedAt === undefined) return "skipped";
        delete record.archivedAt;
        delete record.archivedReason;
        await this.logPlatformEvent(store, facts, "restore", action.reason, now);
        return "noted";
      }
      case "stop": {
        if (facts.busy || facts.powerState !== "Running" || this.actions === undefined) return "skipped";
        return this.attempt(() => this.actions!.stop(store, facts.id, PLATFORM_CALLER, action.reason));
      }
      case "delete": {
        if (facts.provisioningState === "Deleting" || this.actions === undefined) return "skipped";
        return this.attempt(() => this.actions!.delete(store, facts.id, PLATFORM_CALLER, action.reason));
      }
      case "upgrade": {
        if (this.actions === undefined || action.targetVersion === undefined) return "skipped";
        const minor = facts.catalog.minor(facts.version)?.minor ?? facts.version;
        if (facts.powerState !== "Running" || (facts.provisioningState !== "Succeeded" && !facts.busy)) {
          record.platformUpgradeHandled = {
            minor,
            at: now.toISOString(),
            outcome: `not upgraded: the cluster was ${facts.powerState === "Running" ? facts.provisioningState : "stopped"}; left out of support`,
          };
          return "noted";
        }
        if (facts.busy) return "skipped";
        const outcome = await this.attempt(() =>
          this.actions!.upgrade(store, facts.id, action.targetVersion!, PLATFORM_CALLER, action.reason),
        );
        record.platformUpgradeHandled = {
          minor,
          at: now.toISOString(),
          outcome: outcome === "acted" ? `upgraded to ${action.targetVersion}` : "upgrade refused; left out of support",
        };
        return outcome === "acted" ? "acted" : "noted";
      }
    }
  }

  private async attempt(run: () => Promise<void>): Promise<"acted" | "skipped"> {
    try {
      await run();
      return "acted";
    } catch (error) {
      if (error instanceof ArmError) return "skipped";
      throw error;
    }
  }

  /** Platform actions that are not provider operations (archive, restore) go to the activity log directly. */
  private async logPlatformEvent(
    store: Store,
    facts: ClusterFacts,
    verb: "archive" | "restore",
    reason: string,
    now: Date,
  ): Promise<void> {
    const correlationId = `${verb}-${idKey(facts.id)
      .replace(/[^a-z0-9]/g, "")
      .slice(-20)}-${now.getTime()}`;
    const base = {
      subscriptionId: facts.subscriptionId,
      resourceId: facts.id,
      operationName: `Microsoft.ContainerService/managedClusters/${verb}/action`,
      caller: PLATFORM_CALLER,
      correlationId,
      reason,
    };
    await this.options.activityLog.record(store, { ...base, status: "Started" }, now);
    await this.options.activityLog.record(store, { ...base, status: "Succeeded" }, now);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Views

  /** The supportability verdict of one cluster at `now` (undefined when there is no such cluster). */
  async supportability(store: Store, clusterId: string, now: Date): Promise<ClusterSupportability | undefined> {
    const cluster = await store.getResource<ClusterDoc, ClusterNotes>(clusterId);
    if (cluster === undefined || cluster.type !== CLUSTER_TYPE) return undefined;
    const record = (await this.loadRecord(store, clusterId)) ?? { clusterId: cluster.id };
    const copy: PolicyRecord = { ...record };
    this.trackPower(copy, cluster, now);
    const facts = await this.facts(store, cluster, copy, now);
    const { findings, actions } = this.evaluate(facts, now);
    let status: SupportVerdict = "Supported";
    for (const f of findings) if (VERDICT_ORDER.indexOf(f.verdict) > VERDICT_ORDER.indexOf(status)) status = f.verdict;
    const backup = lastEtcdBackup(copy, now);
    return {
      id: cluster.id,
      status,
      findings: findings.map(({ verdict: _verdict, ...rest }) => rest),
      upcoming: actions
        .filter((a) => a.action !== "restore")
        .map((a) => ({
          action: a.action,
          at: a.at.toISOString(),
          rule: a.rule,
          reason: a.reason,
          ...(a.targetVersion === undefined ? {} : { targetVersion: a.targetVersion }),
        })),
      lastEtcdBackup: backup === undefined ? null : backup.toISOString(),
      scheduledEvents: [endOfSupportNotice(facts, now)].filter((e): e is ScheduledEvent => e !== undefined),
      archived: copy.archivedAt !== undefined,
      powerState: facts.powerState,
      provisioningState: facts.provisioningState,
      kubernetesVersion: facts.version,
    };
  }

  /** Every cluster's verdict (the fleet view). */
  async fleet(store: Store, now: Date): Promise<ClusterSupportability[]> {
    const out: ClusterSupportability[] = [];
    for (const cluster of await store.listByType(CLUSTER_TYPE)) {
      const view = await this.supportability(store, cluster.id, now);
      if (view !== undefined) out.push(view);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Archived control planes: credentials and the command API are refused.

  /** Throws when the cluster's control plane is archived. */
  async assertNotArchived(store: Store, clusterId: string): Promise<void> {
    const record = await this.loadRecord(store, clusterId);
    if (record?.archivedAt === undefined) return;
    const name = parseResourceId(clusterId)?.name ?? clusterId;
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `The control plane of managed cluster '${name}' was archived on ${record.archivedAt} because it stayed out of support for 30 days or more (${record.archivedReason ?? "Kubernetes version out of support"}). Its credentials and API are unavailable while it is archived. Upgrade the cluster to a supported version (az aks get-upgrades lists them; az aks upgrade sends the PUT) to bring it back into support: that restores the control plane.`,
    );
  }

  /** Wraps the credential and command routes of managed clusters so that archived control planes refuse them. */
  guardRoutes(routes: OperationRoute[]): OperationRoute[] {
    const guarded =
      /\/(listclusterusercredential|listclusteradmincredential|listclustermonitoringusercredential|runcommand|commandresults)(\/|$)/i;
    return routes.map((route) => {
      if (!guarded.test(route.path)) return route;
      return {
        ...route,
        handler: async (ctx) => {
          const m = CLUSTER_PATH.exec(decodeURIComponent(ctx.url.pathname));
          if (m !== null) await this.assertNotArchived(this.options.store, m[1]!);
          return route.handler(ctx);
        },
      };
    });
  }
}
