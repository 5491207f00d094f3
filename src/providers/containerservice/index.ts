/**
 * Microsoft.ContainerService: managed clusters, agent pools, maintenance configurations, the AKS async-operation
 * status URLs and the provider's operation list.
 *
 * Besides its routes, the provider exposes a programmatic API (`beginStop`, `beginDelete`, `beginUpgrade`, `get`,
 * `facts`...) for platform actions (the support policy, the node rules): they run the same operations a user's
 * request would, recorded with the platform as caller.
 */
import { ArmError, armErrors } from "../../arm/errors.js";
import { asObject, isObject, optionalObject, optionalTags, type JsonObject } from "../../arm/body.js";
import { checkPreconditions } from "../../arm/etag.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pageOf } from "../../arm/paging.js";
import { parseResourceId } from "../../arm/resource-id.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import type { Registrations, ResourceGroups } from "../resources/index.js";
import { apiVersions } from "./api-versions.js";
import { clusterIdOf, ClusterWrites, type FeatureRegistered, type WriteResult } from "./clusters.js";
import { aksErrors } from "./errors.js";
import { credentialResults, type CredentialKind } from "./kubeconfig.js";
import {
  Lifecycle,
  type AutoscaledListener,
  type ClusterOperationListener,
  type ClusterRecord,
  type StoredPool,
} from "./lifecycle.js";
import { maintenanceRoutes } from "./maintenance.js";
import {
  CLUSTER_TYPE,
  NAMESPACE,
  PLATFORM_CALLER,
  type ActiveOperation,
  type ClusterBody,
  type PowerCode,
  type ProvisioningState,
} from "./model.js";
import { meshRoutes } from "./mesh.js";
import { asyncOperationHeaders, operationRoutes } from "./operation-status.js";
import { osOptionsRoutes } from "./os-options.js";
import { runCommandRoutes } from "./run-command.js";
import { nodeImageOptionsOf } from "./pool-spec.js";
import { shapeCluster, shapePool } from "./shapes.js";
import { Snapshots } from "./snapshots.js";
import { TrustedAccess } from "./trusted-access.js";
import { validateClusterName } from "./validation.js";
import { compareVersions, versionCatalogAt, type VersionCatalog } from "./versions/index.js";

/** The last api-version whose node image upgrade result was 204 No Content (see the upgradeNodeImageVersion route). */
const NODE_IMAGE_RESULT_204_UNTIL = "2022-11-01";

export { PLATFORM_CALLER } from "./model.js";
export type { ClusterOperationEvent, ClusterOperationListener } from "./lifecycle.js";

/** What the policy and node engines need to know about a cluster, without parsing its wire body. */
export interface ClusterFacts {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  provisioningState: ProvisioningState;
  powerState: PowerCode;
  /** When the cluster was last stopped (absent while it runs), and by whom. */
  stoppedAt?: string;
  stoppedBy?: string;
  kubernetesVersion: string;
  currentKubernetesVersion: string;
  tier: string;
  supportPlan: string;
  /** Premium tier + AKSLongTermSupport. */
  lts: boolean;
  autoUpgradeChannel?: string;
  nodeOSUpgradeChannel?: string;
  nodeResourceGroup: string;
  fqdn: string;
  createdAt: string;
  createdBy: string;
  activeOperation?: ActiveOperation;
  lastOperation?: { id: string; action: string; endedAt: string; caller: string; status: string };
  pools: PoolFacts[];
}

export interface PoolFacts {
  id: string;
  name: string;
  mode: string;
  count: number;
  powerState: PowerCode;
  provisioningState: ProvisioningState;
  orchestratorVersion: string;
  currentOrchestratorVersion: string;
  nodeImageVersion: string;
  vmSize: string;
  osType: string;
  osSKU: string;
  /** The pool was stopped on its own (not by a cluster stop). */
  userStopped: boolean;
}

export interface ContainerServiceOptions {
  /** Cluster operations take AKS-like emulated minutes instead of the default operation duration. */
  realisticTimings?: boolean;
  /** A subscription's preview flags (Microsoft.Features), for the behaviours they switch on. */
  featureRegistered?: FeatureRegistered;
}

interface ResourcesLike {
  resourceGroups: ResourceGroups;
  registrations: Registrations;
}

export class ContainerServiceProvider {
  readonly lifecycle: Lifecycle;
  readonly writes: ClusterWrites;
  readonly snapshots: Snapshots;
  private readonly trustedAccess: TrustedAccess;

  constructor(
    private readonly platform: Platform,
    private readonly resources: ResourcesLike,
    options: ContainerServiceOptions = {},
  ) {
    this.lifecycle = new Lifecycle(platform, resources.resourceGroups, options.realisticTimings === true);
    this.writes = new ClusterWrites(this.lifecycle, options.featureRegistered);
    this.snapshots = new Snapshots(platform, resources);
    this.trustedAccess = new TrustedAccess(platform, (store, ctx) => this.requireParent(store, ctx));
  }

  // ---- platform API ----------------------------------------------------------------------------------------------

  /** Told when the cluster autoscaler changes pool counts between operations. */
  onAutoscaled(listener: AutoscaledListener): void {
    this.lifecycle.onAutoscaled(listener);
  }

  /** Called at the start and end of every cluster and pool operation (for the activity log). */
  onOperation(listener: ClusterOperationListener): void {
    this.lifecycle.onOperation(listener);
  }

  /** The cluster's wire body (newest shapes, `agentPoolProfiles` included), or undefined. */
  async get(store: Store, clusterId: string): Promise<ClusterBody | undefined> {
    const record = await this.lifecycle.load(store, clusterId);
    return record === undefined ? undefined : this.lifecycle.compose(record);
  }

  /** A typed view of a cluster's lifecycle facts. */
  async facts(store: Store, clusterId: string): Promise<ClusterFacts | undefined> {
    const record = await this.lifecycle.load(store, clusterId);
    return record === undefined ? undefined : this.factsOf(record, await this.lifecycle.activeOperation(store, record.cluster)); // prettier-ignore
  }

  /** Facts of every cluster (of one subscription, or all). */
  async listFacts(store: Store, subscriptionId?: string): Promise<ClusterFacts[]> {
    const clusters = await store.listByType<ClusterBody>(CLUSTER_TYPE, subscriptionId);
    const out: ClusterFacts[] = [];
    for (const c of clusters) {
      const f = await this.facts(store, c.id);
      if (f !== undefined) out.push(f);
    }
    return out;
  }

  beginStop(
    store: Store,
    clusterId: string,
    caller: string = PLATFORM_CALLER,
    reason?: string,
  ): Promise<OperationRecord> {
    // prettier-ignore
    return this.writes.stop(store, clusterId, caller, reason).then((r) => r.op);
  }

  beginStart(
    store: Store,
    clusterId: string,
    caller: string = PLATFORM_CALLER,
    reason?: string,
  ): Promise<OperationRecord> {
    // prettier-ignore
    return this.writes.start(store, clusterId, caller, reason).then((r) => r.op);
  }

  /** Deletes the cluster (its pools, maintenance configurations and node resource group go with it). */
  async beginDelete(
    store: Store,
    clusterId: string,
    caller: string = PLATFORM_CALLER,
    reason?: string,
  ): Promise<OperationRecord | undefined> {
    // prettier-ignore
    return (await this.writes.delete(store, clusterId, caller, reason))?.op;
  }

  /** A full upgrade (control plane and every pool) to `version` (`"1.33"` or `"1.33.5"`). */
  async beginUpgrade(
    store: Store,
    clusterId: string,
    version: string,
    caller: string = PLATFORM_CALLER,
    reason?: string,
  ): Promise<OperationRecord> {
    // prettier-ignore
    const tenantId = (await this.lifecycle.getCluster(store, clusterId))?.body.identity?.tenantId;
    return (await this.writes.upgrade(store, clusterId, version, caller, typeof tenantId === "string" ? tenantId : "", reason)).op; // prettier-ignore
  }

  async beginNodeImageUpgrade(
    store: Store,
    clusterId: string,
    pool: string,
    caller: string = PLATFORM_CALLER,
    reason?: string,
  ): Promise<OperationRecord> {
    // prettier-ignore
    return (await this.writes.upgradeNodeImage(store, clusterId, pool, caller, reason)).op;
  }

  /** Scales (or otherwise changes) one pool, as a PUT of the pool's properties would. */
  async beginPoolUpdate(
    store: Store,
    clusterId: string,
    pool: string,
    properties: JsonObject,
    caller: string = PLATFORM_CALLER,
    reason?: string,
  ): Promise<OperationRecord> {
    // prettier-ignore
    return (await this.writes.putPool(store, clusterId, pool, { properties }, caller, reason)).op;
  }

  private factsOf(record: ClusterRecord, active: ActiveOperation | undefined): ClusterFacts {
    const { cluster } = record;
    const p = cluster.body.properties;
    const parsed = parseResourceId(cluster.id)!;
    const au = (p.autoUpgradeProfile as JsonObject | undefined) ?? {};
    const facts: ClusterFacts = {
      id: cluster.id,
      subscriptionId: parsed.subscriptionId,
      resourceGroup: cluster.internal.resourceGroup,
      name: cluster.body.name,
      location: cluster.body.location,
      provisioningState: p.provisioningState,
      powerState: p.powerState.code,
      kubernetesVersion: p.kubernetesVersion,
      currentKubernetesVersion: p.currentKubernetesVersion,
      tier: cluster.body.sku.tier,
      supportPlan: p.supportPlan,
      lts: p.supportPlan === "AKSLongTermSupport" && cluster.body.sku.tier === "Premium",
      nodeResourceGroup: p.nodeResourceGroup,
      fqdn: p.fqdn,
      createdAt: cluster.internal.createdAt,
      createdBy: cluster.internal.createdBy,
      pools: record.pools.map((pool) => poolFacts(pool)),
    };
    if (typeof au.upgradeChannel === "string") facts.autoUpgradeChannel = au.upgradeChannel;
    if (typeof au.nodeOSUpgradeChannel === "string") facts.nodeOSUpgradeChannel = au.nodeOSUpgradeChannel;
    if (cluster.internal.stoppedAt !== undefined) facts.stoppedAt = cluster.internal.stoppedAt;
    if (cluster.internal.stoppedBy !== undefined) facts.stoppedBy = cluster.internal.stoppedBy;
    if (active !== undefined) facts.activeOperation = active;
    if (cluster.internal.lastOperation !== undefined) facts.lastOperation = cluster.internal.lastOperation;
    return facts;
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------------

  private clusterId(ctx: RequestContext): string {
    const { subscriptionId, resourceGroupName, resourceName } = ctx.params as Record<string, string>;
    return clusterIdOf(subscriptionId!, resourceGroupName!, resourceName!);
  }

  private async requireCluster(store: Store, ctx: RequestContext): Promise<ClusterRecord> {
    const { subscriptionId, resourceGroupName, resourceName } = ctx.params as Record<string, string>;
    const record = await this.lifecycle.load(store, this.clusterId(ctx));
    if (record === undefined) {
      await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
      if (await this.writes.justDeleted(store, this.clusterId(ctx))) throw aksErrors.clusterNotFound(resourceName!, subscriptionId!, resourceGroupName!); // prettier-ignore
      throw armErrors.resourceNotFound("Microsoft.ContainerService/managedClusters", resourceName!, resourceGroupName!);
    }
    return record;
  }

  /** Child operations (pools, credentials...) of a cluster that does not exist: AKS's own NotFound. */
  private async requireParent(store: Store, ctx: RequestContext): Promise<ClusterRecord> {
    const { subscriptionId, resourceGroupName, resourceName } = ctx.params as Record<string, string>;
    const record = await this.lifecycle.load(store, this.clusterId(ctx));
    if (record === undefined) {
      await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
      throw aksErrors.clusterNotFound(resourceName!, subscriptionId!, resourceGroupName!);
    }
    return record;
  }

  private async assertRegistered(store: Store, subscriptionId: string): Promise<void> {
    if (!(await this.resources.registrations.isRegistered(store, subscriptionId, NAMESPACE))) {
      throw armErrors.missingSubscriptionRegistration(NAMESPACE);
    }
  }

  private clusterBody(ctx: RequestContext, record: ClusterRecord): JsonObject {
    const etags = { cluster: record.cluster.etag, pools: new Map(record.pools.map((p) => [p.body.name, p.etag])) };
    return shapeCluster(this.lifecycle.compose(record), ctx.servedApiVersion, this.platform.clock.nowMs(), etags);
  }

  private async putCluster(ctx: RequestContext): Promise<ArmResponse> {
    const { subscriptionId, resourceGroupName, resourceName } = ctx.params as Record<string, string>;
    validateClusterName(resourceName!);
    const body = asObject(ctx.body);
    const tags = optionalTags(body);
    return this.platform.store.transaction(async (store) => {
      const group = await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
      await this.assertRegistered(store, subscriptionId!);
      const existing = await this.lifecycle.getCluster(store, clusterIdOf(subscriptionId!, group.body.name, resourceName!)); // prettier-ignore
      checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: ctx.headers["if-none-match"] }, existing?.etag); // prettier-ignore
      await this.snapshots.applySnapshotSources(store, await this.newPoolItems(store, existing?.id, body));
      const result = await this.writes.put(store, {
        subscriptionId: subscriptionId!,
        resourceGroup: existing?.internal.resourceGroup ?? group.body.name,
        name: existing?.body.name ?? resourceName!,
        body,
        tags,
        caller: ctx.caller.objectId,
        tenantId: ctx.caller.tenantId,
        apiVersion: ctx.apiVersion,
      });
      const record = (await this.lifecycle.load(store, result.op.resourceId))!;
      return ok(this.clusterBody(ctx, record), result.created ? 201 : 200, asyncOperationHeaders(ctx, result.op, false)); // prettier-ignore
    });
  }

  /** The request's `agentPoolProfiles` items that create a pool (for snapshot sources). */
  private async newPoolItems(
    store: Store,
    clusterId: string | undefined,
    body: JsonObject,
  ): Promise<{ props: JsonObject; path: string }[]> {
    const props = body.properties;
    if (!isObject(props) || !Array.isArray(props.agentPoolProfiles)) return [];
    const record = clusterId === undefined ? undefined : await this.lifecycle.load(store, clusterId);
    const existing = new Set((record?.pools ?? []).map((p) => p.body.name.toLowerCase()));
    const out: { props: JsonObject; path: string }[] = [];
    for (const [i, item] of props.agentPoolProfiles.entries()) {
      if (!isObject(item) || (typeof item.name === "string" && existing.has(item.name.toLowerCase()))) continue;
      out.push({ props: item, path: `properties.agentPoolProfiles[${i}]` });
    }
    return out;
  }

  private async patchCluster(ctx: RequestContext): Promise<ArmResponse> {
    const body = asObject(ctx.body);
    const tags = optionalTags(body);
    return this.platform.store.transaction(async (store) => {
      const record = await this.requireCluster(store, ctx);
      checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: undefined }, record.cluster.etag);
      const next: ClusterBody = { ...record.cluster.body };
      if (tags !== undefined) next.tags = tags;
      await this.lifecycle.writeCluster(store, next, record.cluster.internal);
      const fresh = (await this.lifecycle.load(store, record.cluster.id))!;
      return ok(this.clusterBody(ctx, fresh), 200);
    });
  }

  private async deleteCluster(ctx: RequestContext): Promise<ArmResponse> {
    return this.platform.store.transaction(async (store) => {
      const { subscriptionId, resourceGroupName } = ctx.params as Record<string, string>;
      await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
      const result = await this.writes.delete(store, this.clusterId(ctx), ctx.caller.objectId);
      if (result === undefined) return { status: 204 };
      return { status: 202, headers: asyncOperationHeaders(ctx, result.op, true) };
    });
  }

  private async clusterAction(
    ctx: RequestContext,
    run: (store: Store, id: string, caller: string) => Promise<WriteResult>,
  ): Promise<ArmResponse> {
    return this.platform.store.transaction(async (store) => {
      const record = await this.requireCluster(store, ctx);
      const result = await run(store, record.cluster.id, ctx.caller.objectId);
      return { status: 202, headers: asyncOperationHeaders(ctx, result.op, true) };
    });
  }

  private async listCredentials(ctx: RequestContext, kind: CredentialKind): Promise<ArmResponse> {
    const record = await this.requireCluster(this.platform.store, ctx);
    const { cluster } = record;
    if (kind === "admin" && cluster.body.properties.disableLocalAccounts) throw aksErrors.localAccountsDisabled();
    const p = cluster.body.properties;
    const host = typeof p.privateFQDN === "string" && p.fqdn === "" ? p.privateFQDN : p.fqdn;
    const aad = p.aadProfile as JsonObject | undefined;
    const format = (ctx.query.format ?? "exec").toLowerCase();
    if (format !== "exec" && format !== "azure") {
      throw aksErrors.invalidParameter(`The credential format '${ctx.query.format ?? ""}' is not supported. Use 'exec' or 'azure'.`, "format"); // prettier-ignore
    }
    const entra =
      aad === undefined || aad === null
        ? undefined
        : { tenantId: typeof aad.tenantID === "string" ? aad.tenantID : ctx.caller.tenantId, format: format as "exec" | "azure" }; // prettier-ignore
    return ok(credentialResults(kind, cluster.body.name, cluster.internal.resourceGroup, host, cluster.internal.credentials, entra)); // prettier-ignore
  }

  private upgradeProfile(ctx: RequestContext, record: ClusterRecord): JsonObject {
    const { cluster } = record;
    const catalog = versionCatalogAt(this.platform.clock.now(), cluster.body.location);
    const lts = cluster.body.properties.supportPlan === "AKSLongTermSupport";
    const current = cluster.body.properties.currentKubernetesVersion;
    const upgrade = (v: string): JsonObject => {
      const preview = catalog.minor(v)?.support === "Preview";
      return preview ? { kubernetesVersion: v, isPreview: true } : { kubernetesVersion: v };
    };
    const cpUpgrades = catalog.upgradesFrom(current, lts).map(upgrade);
    return {
      id: `${cluster.id}/upgradeprofiles/default`,
      name: "default",
      type: "Microsoft.ContainerService/managedClusters/upgradeprofiles",
      properties: {
        controlPlaneProfile: { kubernetesVersion: current, name: "master", osType: "Linux", upgrades: cpUpgrades },
        agentPoolProfiles: record.pools.map((pool) => ({
          kubernetesVersion: pool.body.properties.currentOrchestratorVersion,
          name: pool.body.name,
          osType: pool.body.properties.osType,
          upgrades: this.poolUpgrades(catalog, pool, current, lts).map(upgrade),
        })),
      },
    };
  }

  /**
   * Versions a pool may move to in `catalog` (its cluster's region's): newer than its own, not newer than the control
   * plane, creatable for pools.
   */
  private poolUpgrades(catalog: VersionCatalog, pool: StoredPool, controlPlane: string, lts: boolean): string[] {
    const current = pool.body.properties.currentOrchestratorVersion;
    const out = new Set<string>();
    for (const m of catalog.minors()) {
      for (const v of m.patches) {
        if (compareVersions(v, current) > 0 && compareVersions(v, controlPlane) <= 0 && catalog.canCreatePool(v, lts)) out.add(v); // prettier-ignore
      }
    }
    if (compareVersions(controlPlane, current) > 0) out.add(controlPlane);
    return [...out].sort(compareVersions);
  }

  private poolBody(ctx: RequestContext, pool: StoredPool): JsonObject {
    return shapePool(pool.body, ctx.servedApiVersion, this.platform.clock.nowMs(), pool.etag);
  }

  /**
   * A pool as the answer to a write on it: while a stop runs, the answer already says count 0 (reads show the nodes
   * until the stop completes; see planPool).
   */
  private poolAnswer(ctx: RequestContext, pool: StoredPool, action: string): JsonObject {
    const answer = this.poolBody(ctx, pool);
    if (action !== "Stopping" || !isObject(answer.properties)) return answer;
    return { ...answer, properties: { ...answer.properties, count: 0 } };
  }

  private async requirePool(store: Store, ctx: RequestContext): Promise<{ record: ClusterRecord; pool: StoredPool }> {
    const record = await this.requireParent(store, ctx);
    const name = ctx.params.agentPoolName!;
    const pool = record.pools.find((p) => p.body.name.toLowerCase() === name.toLowerCase());
    if (pool === undefined) throw aksErrors.poolNotFound(name, record.cluster.body.name);
    return { record, pool };
  }

  routes(): OperationRoute[] {
    const mc = apiVersions.managedClusters;
    const ap = apiVersions.agentPools;
    const rg = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ContainerService";
    const one = `${rg}/managedClusters/:resourceName`;
    const pools = `${one}/agentPools`;
    const pool = `${pools}/:agentPoolName`;
    const store = this.platform.store;
    return [
      { method: "PUT", path: one, apiVersions: mc, handler: (ctx) => this.putCluster(ctx) },
      { method: "PATCH", path: one, apiVersions: mc, handler: (ctx) => this.patchCluster(ctx) },
      { method: "DELETE", path: one, apiVersions: mc, handler: (ctx) => this.deleteCluster(ctx) },
      {
        method: "GET",
        path: one,
        apiVersions: mc,
        handler: async (ctx) => {
          const record = await this.requireCluster(store, ctx);
          return ok(this.clusterBody(ctx, record), 200);
        },
      },
      {
        method: "GET",
        path: `${rg}/managedClusters`,
        apiVersions: mc,
        handler: async (ctx) => {
          const { subscriptionId, resourceGroupName } = ctx.params as Record<string, string>;
          const group = await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
          const clusters = await store.listChildren<ClusterBody>(group.id, CLUSTER_TYPE);
          return ok(
            await this.page(
              ctx,
              clusters.map((c) => c.id),
            ),
          );
        },
      },
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/managedClusters",
        apiVersions: mc,
        handler: async (ctx) => {
          const clusters = await store.listByType<ClusterBody>(CLUSTER_TYPE, ctx.params.subscriptionId!);
          return ok(
            await this.page(
              ctx,
              clusters.map((c) => c.id),
            ),
          );
        },
      },
      { method: "POST", path: `${one}/stop`, apiVersions: mc, handler: (ctx) => this.clusterAction(ctx, (s, id, c) => this.writes.stop(s, id, c)) }, // prettier-ignore
      { method: "POST", path: `${one}/start`, apiVersions: mc, handler: (ctx) => this.clusterAction(ctx, (s, id, c) => this.writes.start(s, id, c)) }, // prettier-ignore
      { method: "POST", path: `${one}/rotateClusterCertificates`, apiVersions: mc, handler: (ctx) => this.clusterAction(ctx, (s, id, c) => this.writes.rotateCertificates(s, id, c)) }, // prettier-ignore
      { method: "POST", path: `${one}/abort`, apiVersions: mc, handler: (ctx) => this.abort(ctx, undefined) },
      { method: "POST", path: `${pool}/abort`, apiVersions: ap, handler: (ctx) => this.abort(ctx, ctx.params.agentPoolName!) }, // prettier-ignore
      { method: "POST", path: `${one}/listClusterUserCredential`, apiVersions: mc, isWrite: false, handler: (ctx) => this.listCredentials(ctx, "user") }, // prettier-ignore
      { method: "POST", path: `${one}/listClusterAdminCredential`, apiVersions: mc, isWrite: false, handler: (ctx) => this.listCredentials(ctx, "admin") }, // prettier-ignore
      { method: "POST", path: `${one}/listClusterMonitoringUserCredential`, apiVersions: mc, isWrite: false, handler: (ctx) => this.listCredentials(ctx, "monitoring") }, // prettier-ignore
      {
        method: "GET",
        path: `${one}/upgradeProfiles/default`,
        apiVersions: mc,
        handler: async (ctx) => ok(this.upgradeProfile(ctx, await this.requireCluster(store, ctx))),
      },
      {
        method: "GET",
        path: `${one}/availableAgentPoolVersions`,
        apiVersions: ap,
        handler: async (ctx) => ok(this.availableVersions(await this.requireParent(store, ctx))),
      },
      // Agent pools.
      {
        method: "GET",
        path: pools,
        apiVersions: ap,
        handler: async (ctx) => {
          const record = await this.requireParent(store, ctx);
          return ok(
            pageOf(
              record.pools.map((p) => this.poolBody(ctx, p)),
              ctx.url,
              this.platform.pageSize,
            ),
          );
        },
      },
      {
        method: "GET",
        path: pool,
        apiVersions: ap,
        handler: async (ctx) => ok(this.poolBody(ctx, (await this.requirePool(store, ctx)).pool)),
      },
      {
        method: "PUT",
        path: pool,
        apiVersions: ap,
        handler: (ctx) => {
          const body = asObject(ctx.body);
          optionalObject(body, "properties", "properties");
          return store.transaction(async (tx) => {
            const record = await this.requireParent(tx, ctx);
            await this.assertRegistered(tx, ctx.params.subscriptionId!);
            const existing = record.pools.find((p) => p.body.name.toLowerCase() === ctx.params.agentPoolName!.toLowerCase()); // prettier-ignore
            checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: ctx.headers["if-none-match"] }, existing?.etag); // prettier-ignore
            if (isObject(body.properties)) await this.snapshots.applySnapshotSources(tx, existing === undefined ? [{ props: body.properties, path: "properties" }] : []); // prettier-ignore
            const result = await this.writes.putPool(tx, record.cluster.id, ctx.params.agentPoolName!, body, ctx.caller.objectId); // prettier-ignore
            const answer = this.poolAnswer(ctx, result.pool, result.op.action);
            return ok(answer, result.created ? 201 : 200, asyncOperationHeaders(ctx, result.op, false));
          });
        },
      },
      {
        method: "DELETE",
        path: pool,
        apiVersions: ap,
        handler: (ctx) =>
          store.transaction(async (tx) => {
            const record = await this.requireParent(tx, ctx);
            const result = await this.writes.deletePool(tx, record.cluster.id, ctx.params.agentPoolName!, ctx.caller.objectId); // prettier-ignore
            if (result === undefined) return { status: 204 };
            return { status: 202, headers: asyncOperationHeaders(ctx, result.op, true) };
          }),
      },
      {
        method: "POST",
        path: `${pool}/upgradeNodeImageVersion`,
        apiVersions: ap,
        handler: (ctx) =>
          store.transaction(async (tx) => {
            const record = await this.requireParent(tx, ctx);
            // The operation's result: the pool (200), as the spec declares; at api-version 2022-11-01 and before,
            // real AKS answered 204 No Content instead (recording test_aks_nodepool_snapshot, az 2.45), which newer
            // SDKs refuse, so the older answer is kept for the older api-versions only.
            const resultIsPool = ctx.servedApiVersion > NODE_IMAGE_RESULT_204_UNTIL;
            const result = await this.writes.upgradeNodeImage(tx, record.cluster.id, ctx.params.agentPoolName!, ctx.caller.objectId, undefined, resultIsPool); // prettier-ignore
            return ok(this.poolBody(ctx, result.pool), 202, asyncOperationHeaders(ctx, result.op, true));
          }),
      },
      {
        method: "GET",
        path: `${pool}/upgradeProfiles/default`,
        apiVersions: ap,
        handler: async (ctx) => {
          const { record, pool: p } = await this.requirePool(store, ctx);
          const props = p.body.properties;
          const lts = record.cluster.body.properties.supportPlan === "AKSLongTermSupport";
          const catalog = versionCatalogAt(this.platform.clock.now(), record.cluster.body.location);
          const upgrades = this.poolUpgrades(catalog, p, record.cluster.body.properties.currentKubernetesVersion, lts).map((v) => catalog.minor(v)?.support === "Preview" ? { kubernetesVersion: v, isPreview: true } : { kubernetesVersion: v }); // prettier-ignore
          return ok({
            id: `${p.id}/upgradeProfiles/default`,
            name: "default",
            type: "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles",
            properties: {
              kubernetesVersion: props.currentOrchestratorVersion,
              osType: props.osType,
              upgrades,
              latestNodeImageVersion: catalog.latestNodeImage(props.osType, props.osSKU, /^Standard_[DE]\d+p/i.test(props.vmSize) ? "arm64" : "amd64", props.currentOrchestratorVersion, nodeImageOptionsOf(props, record.cluster.body)), // prettier-ignore
            },
          });
        },
      },
      ...this.snapshots.routes(),
      ...this.trustedAccess.routes(),
      ...meshRoutes(this.platform, (store2, ctx) => this.requireCluster(store2, ctx)),
      ...osOptionsRoutes(),
      ...runCommandRoutes(this.platform, (store2, ctx) => this.requireCluster(store2, ctx), this.lifecycle.realisticTimings), // prettier-ignore
      ...maintenanceRoutes(this.platform, (store2, ctx) => this.requireParent(store2, ctx)),
      ...operationRoutes(this.platform, async (id) => {
        const resource = await store.getResource<JsonObject>(id);
        if (resource === undefined) return undefined;
        if (resource.type !== CLUSTER_TYPE) return resource.body;
        return this.get(store, id);
      }),
    ];
  }

  private availableVersions(record: ClusterRecord): JsonObject {
    const catalog = versionCatalogAt(this.platform.clock.now(), record.cluster.body.location);
    const cp = record.cluster.body.properties.currentKubernetesVersion;
    const lts = record.cluster.body.properties.supportPlan === "AKSLongTermSupport";
    const versions: JsonObject[] = [];
    for (const m of catalog.minors()) {
      for (const v of m.patches) {
        if (compareVersions(v, cp) > 0 || !catalog.canCreatePool(v, lts)) continue;
        const resolved = catalog.resolve(v, { lts, forPool: true, controlPlane: cp });
        if ("code" in resolved) continue;
        const item: JsonObject = { kubernetesVersion: v };
        if (v === cp) item.default = true;
        if (m.support === "Preview") item.isPreview = true;
        versions.push(item);
      }
    }
    return {
      id: `${record.cluster.id}/availableagentpoolversions`,
      name: "default",
      type: "Microsoft.ContainerService/managedClusters/availableAgentpoolVersions",
      properties: { agentPoolVersions: versions },
    };
  }

  private async page(ctx: RequestContext, ids: string[]): Promise<{ value: JsonObject[]; nextLink?: string }> {
    const page = pageOf(ids, ctx.url, this.platform.pageSize);
    const value: JsonObject[] = [];
    for (const id of page.value) {
      const record = await this.lifecycle.load(this.platform.store, id);
      if (record !== undefined) value.push(this.clusterBody(ctx, record));
    }
    return page.nextLink === undefined ? { value } : { value, nextLink: page.nextLink };
  }

  /**
   * Aborts the running operation: it ends Canceled and the cluster (or pool) shows provisioningState Canceled. AKS
   * answers 202 with the resource as the abort found it (still in the operation's state), and an aborted pool stop
   * leaves the pool running with its nodes (recording test_aks_nodepool_abort: the answer says Stopping, Stopped, count
   * 0 as the stop's did; the pool then shows Canceled, Running, count 2).
   */
  private async abort(ctx: RequestContext, poolName: string | undefined): Promise<ArmResponse> {
    return this.platform.store.transaction(async (store) => {
      const record = await this.requireCluster(store, ctx);
      const { cluster } = record;
      const active = await this.lifecycle.activeOperation(store, cluster, poolName);
      if (active === undefined || (poolName !== undefined && active.pool?.toLowerCase() !== poolName.toLowerCase())) {
        throw new ArmError(
          409,
          "OperationNotAllowed",
          `There is no running operation to abort on ${poolName === undefined ? `managed cluster '${cluster.body.name}'` : `agent pool '${poolName}'`}. Abort applies only while an operation is in progress.`, // prettier-ignore
        );
      }
      if (active.action === "Deleting") {
        throw new ArmError(409, "OperationNotAllowed", "A delete operation cannot be aborted. Wait for it to finish.");
      }
      const target = active.pool === undefined ? undefined : record.pools.find((p) => p.body.name.toLowerCase() === active.pool!.toLowerCase()); // prettier-ignore
      // As the answer to the write that began the operation.
      const answer = poolName === undefined || target === undefined ? this.clusterBody(ctx, record) : this.poolAnswer(ctx, target, active.action); // prettier-ignore
      const op = (await this.platform.operations.get(store, active.id))!;
      const now = this.platform.clock.now().toISOString();
      const internal = this.lifecycle.release(cluster.internal, active);
      const canceled = { ...cluster.body, properties: { ...cluster.body.properties, provisioningState: "Canceled" as const } }; // prettier-ignore
      const lastOperation = { id: op.id, action: active.action, endedAt: now, caller: op.caller, status: "Canceled" };
      if (active.pool === undefined) await this.lifecycle.writeCluster(store, canceled, { ...internal, lastOperation });
      else await this.lifecycle.writeCluster(store, cluster.body, { ...internal, lastOperation }, cluster.etag);
      for (const pool of record.pools) {
        const state = pool.body.properties.provisioningState;
        if (state === "Succeeded" || state === "Failed" || state === "Canceled") continue;
        if (active.pool !== undefined && pool !== target) continue;
        const properties = { ...pool.body.properties, provisioningState: "Canceled" as const };
        let poolInternal = pool.internal;
        if (pool === target && active.action === "Stopping") {
          // The stop never took the nodes away: the pool runs on with the count it had (kept while it was stopping).
          properties.powerState = { code: "Running" };
          const { countBeforeStop: _c, userStopped: _u, ...rest } = pool.internal;
          poolInternal = rest;
        }
        await this.lifecycle.writePool(store, cluster.id, { ...pool.body, properties }, poolInternal);
      }
      // Canceled after the writes: listeners (the scale sets and nodes) see the state the abort left.
      await this.platform.operations.cancel(store, op, "Canceled", {
        code: "OperationCanceled",
        message: `The operation was canceled by an abort request from ${ctx.caller.objectId}.`,
      });
      // The abort itself is a (short) operation whose status says it finished.
      const abortOp = await this.platform.operations.begin(store, {
        subscriptionId: op.subscriptionId,
        namespace: NAMESPACE,
        location: op.location,
        resourceId: op.resourceId,
        action: "Aborting",
        caller: ctx.caller.objectId,
        kind: "containerservice.abort",
        durationMs: 0,
      });
      await this.platform.operations.cancel(store, abortOp, "Succeeded");
      return ok(answer, 202, asyncOperationHeaders(ctx, abortOp, true));
    });
  }
}

function poolFacts(pool: StoredPool): PoolFacts {
  const p = pool.body.properties;
  return {
    id: pool.id,
    name: pool.body.name,
    mode: p.mode,
    count: p.count,
    powerState: p.powerState.code,
    provisioningState: p.provisioningState,
    orchestratorVersion: p.orchestratorVersion,
    currentOrchestratorVersion: p.currentOrchestratorVersion,
    nodeImageVersion: p.nodeImageVersion,
    vmSize: p.vmSize,
    osType: p.osType,
    osSKU: p.osSKU,
    userStopped: pool.internal.userStopped === true,
  };
}
