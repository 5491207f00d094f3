/**
 * Managed cluster and agent pool writes: create/update plans, stop, start, delete, certificate rotation, pool
 * writes and node image upgrades. Each method works inside the caller's transaction and returns the operation it
 * began, so HTTP handlers and platform actions share one path.
 */
import { ArmError } from "../../arm/errors.js";
import { isObject, optionalArray, optionalObject, optionalString, type JsonObject } from "../../arm/body.js";
import { normalizeLocation } from "../../arm/locations.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Store } from "../../store/store.js";
import { compareVersions, versionCatalogAt, type VersionCatalog } from "./versions/index.js";
import { planCluster, versionDefaultNetwork } from "./cluster-spec.js";
import { aksErrors } from "./errors.js";
import type { ClusterRecord, Lifecycle, PoolInternal, StoredPool } from "./lifecycle.js";
import {
  NAMESPACE,
  POOL_WIRE_TYPE,
  type ClusterBody,
  type ClusterInternal,
  type OperationPayload,
  type PendingChanges,
  type PoolBody,
  type PoolProperties,
} from "./model.js";
import {
  isMinorAlias,
  inEdgeZone,
  nodeImageOptionsOf,
  planPool,
  skewError,
  versionError,
  type PoolContext,
  type PoolPlan,
} from "./pool-spec.js";
import { behaviourSince, CLUSTER_ACTIONS, POOL_ACTIONS, type ClusterAction, type PoolAction } from "./state.js";
import { validatePoolName } from "./validation.js";

export function clusterIdOf(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

/** A write that began an operation (the caller reads the resources back if it answers with them). */
export interface WriteResult {
  op: OperationRecord;
  created: boolean;
}

export interface ClusterPutInput {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  body: JsonObject;
  tags: Record<string, string> | undefined;
  caller: string;
  tenantId: string;
  reason?: string;
  /** The request's api-version (undefined: a write of the platform's own, at the newest). */
  apiVersion?: string;
}

/**
 * For a few seconds after a cluster's delete ends, ARM still routes requests for it to AKS, which answers its own 404
 * `NotFound`; later ARM answers `ResourceNotFound` itself (recordings: AKS's answer 2-5 s after the end, ARM's from
 * 19 s on).
 */
const JUST_DELETED_MS = 10_000;

/** Whether a subscription has a preview flag `Registered` (Microsoft.Features; the server wires it). */
export type FeatureRegistered = (store: Store, subscriptionId: string, namespace: string, flag: string) => Promise<boolean>; // prettier-ignore

export class ClusterWrites {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly featureRegistered: FeatureRegistered = () => Promise.resolve(false),
  ) {}

  /** New Ubuntu pools boot Trusted Launch images: the subscription registered its preview flag before the GA. */
  private async trustedLaunchByDefault(store: Store, subscriptionId: string): Promise<boolean> {
    if (behaviourSince("trustedLaunchGa", this.lifecycle.platform.clock.nowMs())) return false;
    return this.featureRegistered(store, subscriptionId, NAMESPACE, "TrustedLaunchPreview");
  }

  /** Whether a delete of the cluster ended within the last seconds (see JUST_DELETED_MS). */
  async justDeleted(store: Store, clusterId: string): Promise<boolean> {
    const now = this.lifecycle.platform.clock.nowMs();
    const ops = await store.listOperationsForResource<OperationRecord>(clusterId, "Succeeded");
    return ops.some((op) => {
      const payload = op.payload as OperationPayload | undefined;
      if (op.action !== "Deleting" || payload?.pool !== undefined || op.endTime === undefined) return false;
      const ended = Date.parse(op.endTime);
      return now >= ended && now - ended <= JUST_DELETED_MS;
    });
  }

  /** The version catalog now, as AKS offers it in `location` (canary regions run ahead). */
  catalog(location: string): VersionCatalog {
    return versionCatalogAt(this.lifecycle.platform.clock.now(), location);
  }

  // ---- managed cluster PUT -----------------------------------------------------------------------------------

  async put(store: Store, input: ClusterPutInput): Promise<WriteResult> {
    const clusterId = clusterIdOf(input.subscriptionId, input.resourceGroup, input.name);
    return this.putOver(store, input, clusterId, await this.lifecycle.load(store, clusterId));
  }

  /** A PUT over what the caller already read of the cluster (`existing`, undefined when there is none). */
  private async putOver(
    store: Store,
    input: ClusterPutInput,
    clusterId: string,
    existing: ClusterRecord | undefined,
  ): Promise<WriteResult> {
    const rawLocation = optionalString(input.body, "location", "location");
    if (existing === undefined) {
      if (rawLocation === undefined || rawLocation.trim() === "") {
        throw new ArmError(400, "LocationRequired", "The location property is required for this definition.", {
          target: "location",
        });
      }
      const location = normalizeLocation(rawLocation);
      if (location === undefined) {
        throw new ArmError(
          400,
          "LocationNotAvailableForResourceType",
          `The provided location '${rawLocation}' is not available for resource type 'Microsoft.ContainerService/managedClusters'. Choose an Azure region such as eastus, westeurope or westus2.`,
          { target: "location" },
        );
      }
      return this.create(store, input, clusterId, location);
    }
    if (rawLocation !== undefined && normalizeLocation(rawLocation) !== existing.cluster.body.location) {
      throw new ArmError(400, "PropertyChangeNotAllowed", "Changing property 'location' is not allowed.", {
        target: "location",
      });
    }
    return this.update(store, input, existing);
  }

  private async create(
    store: Store,
    input: ClusterPutInput,
    clusterId: string,
    location: string,
  ): Promise<WriteResult> {
    const catalog = this.catalog(location);
    const tlDefault = await this.trustedLaunchByDefault(store, input.subscriptionId);
    const spec = planCluster(input.body, {
      subscriptionId: input.subscriptionId,
      resourceGroup: input.resourceGroup,
      name: input.name,
      location,
      clusterId,
      tenantId: input.tenantId,
      nowMs: this.lifecycle.platform.clock.nowMs(),
      existing: undefined,
    });
    const requested = spec.requestedVersion;
    const resolved = catalog.resolve(requested ?? "", { lts: spec.lts });
    if ("code" in resolved) throw versionError(resolved, "properties.kubernetesVersion");
    const cp = resolved.version;
    const body = spec.body;
    body.properties.kubernetesVersion = requested !== undefined && requested !== "" ? requested : cp;
    body.properties.currentKubernetesVersion = cp;
    versionDefaultNetwork(spec, cp, this.lifecycle.platform.clock.nowMs(), input.apiVersion);
    body.properties.provisioningState = "Creating";
    body.properties.powerState = { code: "Running" };
    if (input.tags !== undefined) body.tags = input.tags;

    const items = this.poolItems(input.body);
    if (items.length === 0) {
      throw aksErrors.invalidParameter(
        "A managed cluster needs at least one agent pool: send properties.agentPoolProfiles with a System mode pool.",
        "properties.agentPoolProfiles",
      );
    }
    const noneExplicit = items.every((i) => i.item.mode === undefined || i.item.mode === null);
    const pools: { name: string; plan: PoolPlan }[] = [];
    for (const [i, { name, item }] of items.entries()) {
      const plan = planPool(item, undefined, undefined, {
        ...this.poolContext(catalog, spec.lts, cp, body, i === 0 && noneExplicit ? "System" : "User", tlDefault),
        name,
        path: `properties.agentPoolProfiles[${i}]`,
      });
      pools.push({ name, plan });
    }
    // Availability-set clusters have a single agent pool.
    if (pools[0]?.plan.properties.type === "AvailabilitySet") body.properties.maxAgentPools = 1;
    if (!pools.some((p) => p.plan.properties.mode === "System")) {
      throw aksErrors.invalidParameter(
        "A managed cluster needs at least one System mode agent pool. Set mode System on one of properties.agentPoolProfiles.",
        "properties.agentPoolProfiles",
      );
    }

    // The node resource group, managed by the cluster.
    const nodeRg = body.properties.nodeResourceGroup;
    const group = await this.lifecycle.resourceGroups.get(store, input.subscriptionId, nodeRg);
    if (group !== undefined && (group.body.managedBy ?? "").toLowerCase() !== clusterId.toLowerCase()) {
      throw aksErrors.conflictNodeResourceGroup(nodeRg);
    }
    if (nodeRg.toLowerCase() === input.resourceGroup.toLowerCase()) throw aksErrors.conflictNodeResourceGroup(nodeRg);
    await this.lifecycle.resourceGroups.ensureManaged(store, input.subscriptionId, nodeRg, location, clusterId, {
      "aks-managed-cluster-name": input.name,
      "aks-managed-cluster-rg": input.resourceGroup,
    });

    const internal: ClusterInternal = this.lifecycle.newInternal(input.resourceGroup, input.caller);
    const pending: PendingChanges = { pools: {} };
    internal.pending = pending;
    for (const { name, plan } of pools) {
      plan.properties.provisioningState = "Creating";
      pending.pools![name] = plan.pending;
      await this.lifecycle.writePool(store, clusterId, this.poolBody(clusterId, name, plan.properties), {});
    }
    const op = await this.lifecycle.begin(store, { id: clusterId, body, internal }, this.beginOptions("Creating", input.caller, input.reason)); // prettier-ignore
    return { op, created: true };
  }

  private async update(store: Store, input: ClusterPutInput, record: ClusterRecord): Promise<WriteResult> {
    const { cluster } = record;
    // Cheap refusals first: a stopped cluster or a running operation.
    await this.lifecycle.assertAllowed(store, record, "Updating");
    const catalog = this.catalog(cluster.body.location);
    const tlDefault = await this.trustedLaunchByDefault(store, cluster.subscriptionId);
    const spec = planCluster(input.body, {
      subscriptionId: input.subscriptionId,
      resourceGroup: cluster.internal.resourceGroup,
      name: cluster.body.name,
      location: cluster.body.location,
      clusterId: cluster.id,
      tenantId: input.tenantId,
      nowMs: this.lifecycle.platform.clock.nowMs(),
      existing: cluster.body,
    });
    const body = spec.body;
    const ex = cluster.body.properties;
    const current = ex.currentKubernetesVersion;
    const requested = spec.requestedVersion;
    let target = current;
    let versionText = ex.kubernetesVersion;
    // `1.y` on a cluster already on 1.y.z does not upgrade it, even if a newer patch exists (AKS's documented rule).
    const sameMinorAlias = requested !== undefined && isMinorAlias(requested, current);
    if (
      requested !== undefined &&
      requested !== "" &&
      requested !== ex.kubernetesVersion &&
      requested !== current &&
      !sameMinorAlias
    ) {
      // prettier-ignore
      const resolved = catalog.resolve(requested, { lts: spec.lts });
      if ("code" in resolved) {
        const upgrades = catalog.upgradesFrom(current, spec.lts);
        if (
          resolved.code === "K8sVersionNotSupported" &&
          upgrades.length > 0 &&
          compareVersions(requested, current) > 0
        ) {
          throw aksErrors.upgradeNotAllowed(current, requested, [...upgrades].reverse());
        }
        throw versionError(resolved, "properties.kubernetesVersion");
      }
      if (compareVersions(resolved.version, current) < 0) {
        throw aksErrors.downgradeNotAllowed(current, requested, "properties.kubernetesVersion");
      }
      if (resolved.version !== current && !catalog.upgradesFrom(current, spec.lts).includes(resolved.version)) {
        throw aksErrors.upgradeNotAllowed(current, requested, [...catalog.upgradesFrom(current, spec.lts)].reverse());
      }
      target = resolved.version;
      versionText = requested;
    } else if (requested !== undefined && requested !== "") {
      versionText = requested;
    }
    const cpUpgrade = target !== current;
    body.properties.kubernetesVersion = versionText;
    // Real AKS shows the target as the current version from the start of an upgrade (recordings: the PUT's answer to
    // 1.27.1 → 1.28.0 already says currentKubernetesVersion 1.28.0 while Upgrading).
    body.properties.currentKubernetesVersion = target;
    body.tags = input.tags ?? {};
    if (input.tags === undefined) delete body.tags;

    // Pools: the managed cluster API may scale and upgrade them, and add new ones.
    const items = this.poolItems(input.body);
    const byName = new Map(items.map((i) => [i.name.toLowerCase(), i]));
    if (cpUpgrade) this.checkFullUpgrade(record, byName, requested!, target, spec.autoUpgradeChannel);
    const plans: { name: string; plan: PoolPlan; existing?: StoredPool }[] = [];
    for (const pool of record.pools) {
      const entry = byName.get(pool.body.name.toLowerCase());
      const item: JsonObject = { ...(entry?.item ?? {}) };
      delete item.powerState;
      const ov = item.orchestratorVersion;
      if (cpUpgrade && (ov === undefined || ov === null || ov === "")) item.orchestratorVersion = requested;
      const index = entry === undefined ? -1 : items.indexOf(entry);
      const plan = planPool(item, pool.body.properties, pool.internal, {
        ...this.poolContext(catalog, spec.lts, target, body, "User", tlDefault),
        name: pool.body.name,
        path: index < 0 ? `properties.agentPoolProfiles` : `properties.agentPoolProfiles[${index}]`,
      });
      plans.push({ name: pool.body.name, plan, existing: pool });
    }
    for (const [i, { name, item }] of items.entries()) {
      if (record.pools.some((p) => p.body.name.toLowerCase() === name.toLowerCase())) continue;
      if (record.pools.length + plans.filter((p) => p.existing === undefined).length >= 100) {
        throw aksErrors.invalidParameter("A managed cluster can have at most 100 agent pools.", "properties.agentPoolProfiles"); // prettier-ignore
      }
      const plan = planPool(item, undefined, undefined, {
        ...this.poolContext(catalog, spec.lts, target, body, "User", tlDefault),
        name,
        path: `properties.agentPoolProfiles[${i}]`,
      });
      plans.push({ name, plan });
    }
    if (!plans.some((p) => p.plan.properties.mode === "System")) {
      throw aksErrors.lastSystemPool(record.pools.find((p) => p.body.properties.mode === "System")?.body.name ?? "");
    }

    // Through the managed cluster API a scale shows as Updating (cluster and pool), as in the recordings of az aks
    // scale (as Scaling during a few months of 2024); a version change shows as Upgrading, and so does a change that
    // re-images the nodes (enabling gMSA).
    const nowMs = this.lifecycle.platform.clock.nowMs();
    const reimage = gmsaEnabled(body) && !gmsaEnabled(cluster.body);
    const scaling = plans.some((p) => p.plan.countChanged) && behaviourSince("scaleShownAsScaling", nowMs) && !behaviourSince("scaleShownAsUpdatingAgain", nowMs); // prettier-ignore
    const action: ClusterAction = cpUpgrade || reimage || plans.some((p) => p.plan.versionChanged) ? "Upgrading" : scaling ? "Scaling" : "Updating"; // prettier-ignore
    const poolsReimaged = reimage && !behaviourSince("poolsStayStillOnReimage", nowMs);
    await this.lifecycle.assertAllowed(store, record, action);
    body.properties.provisioningState = CLUSTER_ACTIONS[action].during;
    const pending: PendingChanges = { pools: {} };
    if (cpUpgrade) pending.currentKubernetesVersion = target;
    for (const { name, plan, existing } of plans) {
      const props = plan.properties;
      if (plan.created) props.provisioningState = "Creating";
      else if (plan.versionChanged || poolsReimaged) props.provisioningState = "Upgrading";
      else if (plan.countChanged && action === "Scaling") props.provisioningState = "Scaling";
      else if (plan.countChanged || action === "Updating") props.provisioningState = "Updating";
      if (Object.keys(plan.pending).length > 0) pending.pools![name] = plan.pending;
      const body2 = existing?.body ?? this.poolBody(cluster.id, name, props);
      await this.lifecycle.writePool(store, cluster.id, { ...body2, properties: props }, existing?.internal ?? {});
    }
    const op = await this.lifecycle.begin(store, { id: cluster.id, body, internal: { ...cluster.internal, pending } }, this.beginOptions(action, input.caller, input.reason)); // prettier-ignore
    return { op, created: false };
  }

  /**
   * A control-plane upgrade through the managed cluster API: pools' orchestratorVersion must be all unspecified
   * (every pool follows), or all specified and each either unchanged (control-plane-only) or the new version.
   */
  private checkFullUpgrade(
    record: ClusterRecord,
    byName: Map<string, { name: string; item: JsonObject }>,
    requested: string,
    target: string,
    autoUpgradeChannel: string | undefined,
  ): void {
    const specified = record.pools.map((pool) => {
      const v = byName.get(pool.body.name.toLowerCase())?.item.orchestratorVersion;
      return { pool, v: typeof v === "string" && v !== "" ? v : undefined };
    });
    if (specified.every((s) => s.v === undefined)) return;
    let controlPlaneOnly = false;
    for (const { pool, v } of specified) {
      const p = pool.body.properties;
      const unchanged = v === p.orchestratorVersion || v === p.currentOrchestratorVersion;
      const toTarget = v === requested || v === target;
      if (v === undefined || (!unchanged && !toTarget)) throw aksErrors.controlPlaneOnlyWithAutoUpgrade();
      if (unchanged && !toTarget) {
        controlPlaneOnly = true;
        const skew = skewError(p.currentOrchestratorVersion, target, "properties.kubernetesVersion");
        if (skew !== undefined) throw skew;
      }
    }
    if (controlPlaneOnly && autoUpgradeChannel !== undefined && autoUpgradeChannel !== "none") {
      throw aksErrors.controlPlaneOnlyWithAutoUpgrade();
    }
  }

  private poolItems(body: JsonObject): { name: string; item: JsonObject }[] {
    const props = optionalObject(body, "properties", "properties") ?? {};
    const list = optionalArray(props, "agentPoolProfiles", "properties.agentPoolProfiles") ?? [];
    const seen = new Set<string>();
    return list.map((raw, i) => {
      const path = `properties.agentPoolProfiles[${i}]`;
      if (!isObject(raw)) throw aksErrors.invalidParameter(`${path} must be a JSON object.`, path);
      const name = optionalString(raw, "name", `${path}.name`);
      if (name === undefined) throw aksErrors.invalidParameter(`${path}.name is required.`, `${path}.name`);
      validatePoolName(name, `${path}.name`);
      if (seen.has(name)) throw aksErrors.invalidParameter(`Agent pool name '${name}' is used twice.`, `${path}.name`);
      seen.add(name);
      return { name, item: raw };
    });
  }

  private poolContext(
    catalog: VersionCatalog,
    lts: boolean,
    cp: string,
    body: ClusterBody,
    defaultMode: "System" | "User",
    trustedLaunchByDefault: boolean,
  ): Omit<PoolContext, "name" | "path"> {
    const net = (body.properties.networkProfile as JsonObject | undefined) ?? {};
    return {
      catalog,
      lts,
      controlPlaneVersion: cp,
      networkPlugin: (net.networkPlugin as string | undefined) ?? "kubenet",
      networkPluginMode: net.networkPluginMode as string | undefined,
      clusterPower: body.properties.powerState.code,
      edgeZone: inEdgeZone(body),
      trustedLaunchByDefault,
      defaultMode,
    };
  }

  poolBody(clusterId: string, name: string, properties: PoolProperties): PoolBody {
    return { id: `${clusterId}/agentPools/${name}`, name, type: POOL_WIRE_TYPE, properties };
  }

  private beginOptions(
    action: ClusterAction | PoolAction,
    caller: string,
    reason: string | undefined,
    pool?: string,
    resultResourceId?: string,
  ): Parameters<Lifecycle["begin"]>[2] {
    return {
      action,
      caller,
      ...(reason === undefined ? {} : { reason }),
      ...(pool === undefined ? {} : { pool }),
      ...(resultResourceId === undefined ? {} : { resultResourceId }),
    };
  }

  // ---- cluster actions ---------------------------------------------------------------------------------------

  async stop(store: Store, clusterId: string, caller: string, reason?: string): Promise<WriteResult> {
    const record = await this.lifecycle.require(store, clusterId);
    await this.lifecycle.assertAllowed(store, record, "Stopping");
    const { cluster } = record;
    const now = this.lifecycle.now();
    const body: ClusterBody = {
      ...cluster.body,
      properties: { ...cluster.body.properties, provisioningState: "Stopping", powerState: { code: "Stopped" } },
    };
    for (const pool of record.pools) {
      if (pool.body.properties.powerState.code === "Stopped") continue;
      const props = { ...pool.body.properties, provisioningState: "Stopping" as const, powerState: { code: "Stopped" as const } }; // prettier-ignore
      await this.lifecycle.writePool(store, clusterId, { ...pool.body, properties: props }, pool.internal);
    }
    const internal = { ...cluster.internal, stoppedAt: now, stoppedBy: caller };
    const op = await this.lifecycle.begin(store, { id: clusterId, body, internal }, this.beginOptions("Stopping", caller, reason)); // prettier-ignore
    return { op, created: false };
  }

  async start(store: Store, clusterId: string, caller: string, reason?: string): Promise<WriteResult> {
    const record = await this.lifecycle.require(store, clusterId);
    await this.lifecycle.assertAllowed(store, record, "Starting");
    const { cluster } = record;
    const body: ClusterBody = {
      ...cluster.body,
      properties: { ...cluster.body.properties, provisioningState: "Starting", powerState: { code: "Running" } },
    };
    const { stoppedAt: _s, stoppedBy: _b, ...internal } = cluster.internal;
    for (const pool of record.pools) {
      if (pool.internal.userStopped === true) continue;
      const props = { ...pool.body.properties, provisioningState: "Starting" as const, powerState: { code: "Running" as const } }; // prettier-ignore
      await this.lifecycle.writePool(store, clusterId, { ...pool.body, properties: props }, pool.internal);
    }
    const op = await this.lifecycle.begin(store, { id: clusterId, body, internal }, this.beginOptions("Starting", caller, reason)); // prettier-ignore
    return { op, created: false };
  }

  /** Deletes a cluster (idempotent while a delete runs; preempts any other running operation). */
  async delete(store: Store, clusterId: string, caller: string, reason?: string): Promise<WriteResult | undefined> {
    const record = await this.lifecycle.load(store, clusterId);
    if (record === undefined) return undefined;
    const { cluster } = record;
    const active = await this.lifecycle.activeOperation(store, cluster);
    if (active !== undefined && active.action === "Deleting" && active.pool === undefined) {
      const op = (await this.lifecycle.platform.operations.get(store, active.id))!;
      return { op, created: false };
    }
    await this.lifecycle.assertAllowed(store, record, "Deleting");
    const body: ClusterBody = { ...cluster.body, properties: { ...cluster.body.properties, provisioningState: "Deleting" } }; // prettier-ignore
    for (const pool of record.pools) {
      const props = { ...pool.body.properties, provisioningState: "Deleting" as const };
      await this.lifecycle.writePool(store, clusterId, { ...pool.body, properties: props }, pool.internal);
    }
    const op = await this.lifecycle.begin(store, { id: clusterId, body, internal: cluster.internal }, this.beginOptions("Deleting", caller, reason)); // prettier-ignore
    return { op, created: false };
  }

  async rotateCertificates(store: Store, clusterId: string, caller: string, reason?: string): Promise<WriteResult> {
    const record = await this.lifecycle.require(store, clusterId);
    await this.lifecycle.assertAllowed(store, record, "RotatingClusterCertificates");
    const { cluster } = record;
    const body: ClusterBody = { ...cluster.body, properties: { ...cluster.body.properties, provisioningState: "RotatingClusterCertificates" } }; // prettier-ignore
    const op = await this.lifecycle.begin(store, { id: clusterId, body, internal: cluster.internal }, this.beginOptions("RotatingClusterCertificates", caller, reason)); // prettier-ignore
    return { op, created: false };
  }

  /**
   * A full upgrade (control plane, then every pool) to `version`, as `az aks upgrade --kubernetes-version` sends it:
   * the current cluster with the new `kubernetesVersion` and every pool's `orchestratorVersion`.
   */
  async upgrade(
    store: Store,
    clusterId: string,
    version: string,
    caller: string,
    tenantId: string,
    reason?: string,
  ): Promise<WriteResult> {
    const record = await this.lifecycle.require(store, clusterId);
    const composed = this.lifecycle.compose(record);
    const props = composed.properties as JsonObject;
    const agentPoolProfiles = (props.agentPoolProfiles as JsonObject[]).map((p) => ({ ...p, orchestratorVersion: version })); // prettier-ignore
    const body: JsonObject = {
      ...composed,
      properties: { ...props, kubernetesVersion: version, agentPoolProfiles },
    };
    return this.putOver(
      store,
      {
        subscriptionId: record.cluster.subscriptionId,
        resourceGroup: record.cluster.internal.resourceGroup,
        name: record.cluster.body.name,
        body,
        tags: record.cluster.body.tags,
        caller,
        tenantId,
        ...(reason === undefined ? {} : { reason }),
      },
      record.cluster.id,
      record,
    );
  }

  // ---- agent pools -------------------------------------------------------------------------------------------

  async putPool(
    store: Store,
    clusterId: string,
    name: string,
    input: JsonObject,
    caller: string,
    reason?: string,
  ): Promise<WriteResult & { pool: StoredPool }> {
    validatePoolName(name);
    const record = await this.lifecycle.require(store, clusterId);
    const { cluster } = record;
    const existing = record.pools.find((p) => p.body.name.toLowerCase() === name.toLowerCase());
    const poolName = existing?.body.name ?? name;
    const props = optionalObject(input, "properties", "properties") ?? {};
    if (existing === undefined && cluster.body.properties.powerState.code === "Stopped") {
      throw aksErrors.clusterStopped("Creating", cluster.internal.stoppedAt);
    }
    await this.lifecycle.assertAllowed(store, record, "Updating", { name: poolName, action: existing === undefined ? "Creating" : "Updating" }); // prettier-ignore
    if (existing === undefined && record.pools.length >= 100) {
      throw aksErrors.invalidParameter("A managed cluster can have at most 100 agent pools. Delete an agent pool first.", "agentPoolName"); // prettier-ignore
    }
    const catalog = this.catalog(cluster.body.location);
    const lts = cluster.body.properties.supportPlan === "AKSLongTermSupport";
    const plan = planPool(props, existing?.body.properties, existing?.internal, {
      ...this.poolContext(
        catalog,
        lts,
        cluster.body.properties.currentKubernetesVersion,
        cluster.body,
        "User",
        await this.trustedLaunchByDefault(store, cluster.subscriptionId),
      ),
      name: poolName,
      path: "properties",
    });
    if (plan.properties.osType === "Windows" && poolName.length > 6) {
      throw aksErrors.invalidParameter(`Windows agent pool names can have at most 6 characters; '${poolName}' has ${poolName.length}.`, "agentPoolName"); // prettier-ignore
    }
    if (
      existing?.body.properties.mode === "System" &&
      plan.properties.mode !== "System" &&
      !record.pools.some((p) => p !== existing && p.body.properties.mode === "System")
    ) {
      throw aksErrors.lastSystemPool(poolName);
    }
    const action: PoolAction = plan.created
      ? "Creating"
      : plan.power === "stop"
        ? "Stopping"
        : plan.power === "start"
          ? "Starting"
          : plan.versionChanged
            ? "Upgrading"
            : plan.countChanged
              ? "Scaling"
              : "Updating";
    await this.lifecycle.assertAllowed(store, record, "Updating", { name: poolName, action });
    plan.properties.provisioningState = POOL_ACTIONS[action].during;
    const internal: PoolInternal = { ...(existing?.internal ?? {}) };
    if (plan.countBeforeStop !== undefined) internal.countBeforeStop = plan.countBeforeStop;
    else delete internal.countBeforeStop;
    if (plan.power === "stop") internal.userStopped = true;
    if (plan.power === "start") delete internal.userStopped;
    const body = { ...(existing?.body ?? this.poolBody(clusterId, poolName, plan.properties)), properties: plan.properties }; // prettier-ignore
    await this.lifecycle.writePool(store, clusterId, body, internal);
    const internalWithPending = this.lifecycle.withPoolPending(cluster.internal, poolName, plan.pending);
    const op = await this.lifecycle.begin(store, { id: clusterId, body: cluster.body, internal: internalWithPending, etag: cluster.etag }, this.beginOptions(action, caller, reason, poolName)); // prettier-ignore
    const pool = (await store.getResource<PoolBody, PoolInternal>(body.id))!;
    return { op, created: plan.created, pool };
  }

  async deletePool(
    store: Store,
    clusterId: string,
    name: string,
    caller: string,
    reason?: string,
  ): Promise<WriteResult | undefined> {
    const record = await this.lifecycle.require(store, clusterId);
    const pool = record.pools.find((p) => p.body.name.toLowerCase() === name.toLowerCase());
    if (pool === undefined) return undefined;
    const active = await this.lifecycle.activeOperation(store, record.cluster, name);
    if (active?.action === "Deleting" && active.pool?.toLowerCase() === name.toLowerCase()) {
      return { op: (await this.lifecycle.platform.operations.get(store, active.id))!, created: false };
    }
    if (
      pool.body.properties.mode === "System" &&
      !record.pools.some((p) => p !== pool && p.body.properties.mode === "System")
    ) {
      // prettier-ignore
      throw aksErrors.lastSystemPool(pool.body.name);
    }
    await this.lifecycle.assertAllowed(store, record, "Updating", { name: pool.body.name, action: "Deleting" });
    const props = { ...pool.body.properties, provisioningState: "Deleting" as const };
    await this.lifecycle.writePool(store, clusterId, { ...pool.body, properties: props }, pool.internal);
    const op = await this.lifecycle.begin(store, record.cluster, this.beginOptions("Deleting", caller, reason, pool.body.name)); // prettier-ignore
    return { op, created: false };
  }

  async upgradeNodeImage(
    store: Store,
    clusterId: string,
    name: string,
    caller: string,
    reason?: string,
    /** Whether the operation's result URL answers with the pool (200) rather than 204 No Content. */
    resultIsPool = true,
  ): Promise<WriteResult & { pool: StoredPool }> {
    const record = await this.lifecycle.require(store, clusterId);
    const pool = record.pools.find((p) => p.body.name.toLowerCase() === name.toLowerCase());
    if (pool === undefined) throw aksErrors.poolNotFound(name, record.cluster.body.name);
    await this.lifecycle.assertAllowed(store, record, "Updating", { name: pool.body.name, action: "UpgradingNodeImageVersion" }); // prettier-ignore
    const p = pool.body.properties;
    const latest = this.catalog(record.cluster.body.location).latestNodeImage(p.osType, p.osSKU, archOfVm(p.vmSize), p.currentOrchestratorVersion, nodeImageOptionsOf(p, record.cluster.body)); // prettier-ignore
    const props = { ...p, provisioningState: "UpgradingNodeImageVersion" as const };
    await this.lifecycle.writePool(store, clusterId, { ...pool.body, properties: props }, pool.internal);
    const internal = this.lifecycle.withPoolPending(record.cluster.internal, pool.body.name, {
      nodeImageVersion: latest,
    });
    const op = await this.lifecycle.begin(store, { id: clusterId, body: record.cluster.body, internal, etag: record.cluster.etag }, this.beginOptions("UpgradingNodeImageVersion", caller, reason, pool.body.name, resultIsPool ? pool.id : undefined)); // prettier-ignore
    return { op, created: false, pool: (await store.getResource<PoolBody, PoolInternal>(pool.id))! };
  }
}

function gmsaEnabled(body: ClusterBody): boolean {
  const win = body.properties.windowsProfile;
  return isObject(win) && isObject(win.gmsaProfile) && win.gmsaProfile.enabled === true;
}

function archOfVm(vmSize: string): "amd64" | "arm64" {
  return /^Standard_[DE]\d+p/i.test(vmSize) ? "arm64" : "amd64";
}
