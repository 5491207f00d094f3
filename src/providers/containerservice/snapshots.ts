/**
 * Node pool snapshots (`Microsoft.ContainerService/snapshots`): PUT, GET, PATCH (tags), DELETE, list by resource group
 * and by subscription. A synchronous, tracked resource (real AKS answers the create with 200 and the snapshot's full
 * body; recording az-2.45.0/test_aks_nodepool_snapshot.yaml).
 *
 * A snapshot records what its source agent pool runs at the moment it is taken: Kubernetes version
 * (`currentOrchestratorVersion`), node image version, OS type and SKU, VM size and FIPS. Later changes of the pool do
 * not change the snapshot, and deleting the pool or its cluster leaves the snapshot in place (AKS keeps it).
 *
 * A pool created with `creationData.sourceResourceId` naming a snapshot (the `agentPools` PUT or a pool of a managed
 * cluster PUT) takes the snapshot's Kubernetes version, OS type, OS SKU and node image version, unless the request
 * sets them ({@link applySnapshotSources}; the node image is picked up by pool-spec.ts).
 *
 * Snapshots live under their resource group, so deleting the group deletes them.
 */
import { ApiVersionSet } from "../../arm/api-versions.js";
import { ArmError, armErrors } from "../../arm/errors.js";
import { asObject, isObject, optionalObject, optionalString, optionalTags, type JsonObject } from "../../arm/body.js";
import { checkPreconditions, newEtag } from "../../arm/etag.js";
import { ok, type ArmResponse, type Caller, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { normalizeLocation } from "../../arm/locations.js";
import { pageOf } from "../../arm/paging.js";
import { idKey, parseResourceId, providerResourceId } from "../../arm/resource-id.js";
import type { Store, StoredResource } from "../../store/store.js";
import type { Platform } from "../platform.js";
import type { Registrations, ResourceGroups } from "../resources/index.js";
import { AKS_VERSIONS } from "./api-versions.js";
import { aksErrors } from "./errors.js";
import { NAMESPACE, POOL_TYPE, type PoolBody } from "./model.js";

export const SNAPSHOT_TYPE = "microsoft.containerservice/snapshots";
export const SNAPSHOT_WIRE_TYPE = "Microsoft.ContainerService/Snapshots";
export const snapshotApiVersions = new ApiVersionSet("Microsoft.ContainerService/snapshots", AKS_VERSIONS);

/** `enableFIPS` came with api-version 2022-02-02-preview / 2022-03-01: every version served here has it. */
const NAME = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;

export interface SnapshotProperties extends JsonObject {
  creationData: { sourceResourceId: string };
  snapshotType: "NodePool";
  kubernetesVersion: string;
  nodeImageVersion: string;
  osType: string;
  osSku: string;
  vmSize: string;
  enableFIPS: boolean;
}

export interface SnapshotBody extends JsonObject {
  name: string;
  id: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
  systemData: JsonObject;
  properties: SnapshotProperties;
}

interface ResourcesLike {
  resourceGroups: ResourceGroups;
  registrations: Registrations;
}

function systemData(caller: Caller, createdBy: JsonObject | undefined, at: string): JsonObject {
  const who = { by: caller.objectId, type: "Application" };
  return {
    createdBy: createdBy?.createdBy ?? who.by,
    createdByType: createdBy?.createdByType ?? who.type,
    createdAt: createdBy?.createdAt ?? at,
    lastModifiedBy: who.by,
    lastModifiedByType: who.type,
    lastModifiedAt: at,
  };
}

function validateName(name: string): void {
  if (!NAME.test(name)) {
    throw aksErrors.invalidParameter(
      `The snapshot name '${name}' is invalid. Use 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit.`,
      "resourceName",
    );
  }
}

export class Snapshots {
  constructor(
    private readonly platform: Platform,
    private readonly resources: ResourcesLike,
  ) {}

  private snapshotId(subscriptionId: string, resourceGroup: string, name: string): string {
    return providerResourceId(subscriptionId, resourceGroup, NAMESPACE, ["snapshots", name]);
  }

  private async find(store: Store, ctx: RequestContext): Promise<StoredResource<SnapshotBody> | undefined> {
    const { subscriptionId, resourceGroupName, resourceName } = ctx.params as Record<string, string>;
    await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
    return store.getResource<SnapshotBody>(this.snapshotId(subscriptionId!, resourceGroupName!, resourceName!));
  }

  private async require(store: Store, ctx: RequestContext): Promise<StoredResource<SnapshotBody>> {
    const found = await this.find(store, ctx);
    if (found === undefined) {
      throw armErrors.resourceNotFound("Microsoft.ContainerService/snapshots", ctx.params.resourceName!, ctx.params.resourceGroupName!); // prettier-ignore
    }
    return found;
  }

  /** The agent pool a snapshot is taken from (`properties.creationData.sourceResourceId`). */
  private async sourcePool(store: Store, subscriptionId: string, sourceId: string): Promise<PoolBody> {
    const target = "properties.creationData.sourceResourceId";
    const parsed = parseResourceId(sourceId);
    if (
      parsed === undefined ||
      parsed.namespace?.toLowerCase() !== NAMESPACE.toLowerCase() ||
      parsed.resourceType?.toLowerCase() !== "managedclusters/agentpools"
    ) {
      throw aksErrors.invalidParameter(
        `The snapshot source '${sourceId}' is not an agent pool id. Set ${target} to /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ContainerService/managedClusters/{cluster}/agentPools/{pool}.`,
        target,
      );
    }
    if (parsed.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      throw aksErrors.invalidParameter(
        `The snapshot source agent pool must be in the snapshot's subscription ${subscriptionId}; '${sourceId}' is in ${parsed.subscriptionId}.`,
        target,
      );
    }
    const pool = await store.getResource<PoolBody>(sourceId);
    if (pool === undefined || pool.type !== POOL_TYPE) {
      throw new ArmError(
        404,
        "NotFound",
        `Could not find the source agent pool '${parsed.names[1] ?? ""}' of managed cluster '${parsed.names[0] ?? ""}' in resource group '${parsed.resourceGroup ?? ""}'. Set ${target} to an existing agent pool.`,
        { target },
      );
    }
    return pool.body;
  }

  private async put(ctx: RequestContext): Promise<ArmResponse> {
    const { subscriptionId, resourceGroupName, resourceName } = ctx.params as Record<string, string>;
    validateName(resourceName!);
    const body = asObject(ctx.body);
    const tags = optionalTags(body);
    const rawLocation = optionalString(body, "location", "location");
    const props = optionalObject(body, "properties", "properties") ?? {};
    const creation = optionalObject(props, "creationData", "properties.creationData");
    const sourceId = creation === undefined ? undefined : optionalString(creation, "sourceResourceId", "properties.creationData.sourceResourceId"); // prettier-ignore
    const snapshotType = optionalString(props, "snapshotType", "properties.snapshotType") ?? "NodePool";
    if (snapshotType !== "NodePool") {
      throw aksErrors.invalidParameter(`Snapshot type '${snapshotType}' is not supported. Use 'NodePool'.`, "properties.snapshotType"); // prettier-ignore
    }
    return this.platform.store.transaction(async (store) => {
      const group = await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
      if (!(await this.resources.registrations.isRegistered(store, subscriptionId!, NAMESPACE))) {
        throw armErrors.missingSubscriptionRegistration(NAMESPACE);
      }
      const id = this.snapshotId(subscriptionId!, group.body.name, resourceName!);
      const existing = await store.getResource<SnapshotBody>(id);
      checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: ctx.headers["if-none-match"] }, existing?.etag); // prettier-ignore
      if (rawLocation === undefined || rawLocation.trim() === "") {
        throw new ArmError(400, "LocationRequired", "The location property is required for this definition.", { target: "location" }); // prettier-ignore
      }
      const location = normalizeLocation(rawLocation);
      if (location === undefined) {
        throw new ArmError(400, "LocationNotAvailableForResourceType", `The provided location '${rawLocation}' is not available for resource type '${SNAPSHOT_WIRE_TYPE}'. Use a region name such as 'eastus' or 'westeurope'.`, { target: "location" }); // prettier-ignore
      }
      const now = this.platform.clock.now().toISOString();
      let properties: SnapshotProperties;
      if (existing !== undefined) {
        // A snapshot is immutable: a PUT again may change its tags only.
        const was = existing.body.properties.creationData.sourceResourceId;
        if (sourceId !== undefined && idKey(sourceId) !== idKey(was)) {
          throw new ArmError(400, "PropertyChangeNotAllowed", `Changing property 'properties.creationData.sourceResourceId' is not allowed: snapshot '${existing.body.name}' was taken from '${was}'. Create a new snapshot instead.`, { target: "properties.creationData.sourceResourceId" }); // prettier-ignore
        }
        if (location !== existing.body.location) {
          throw new ArmError(400, "LocationCannotBeUpdated", `The location of snapshot '${existing.body.name}' is '${existing.body.location}' and cannot be changed to '${location}'.`, { target: "location" }); // prettier-ignore
        }
        properties = existing.body.properties;
      } else {
        if (sourceId === undefined || sourceId === "") {
          throw aksErrors.invalidParameter("A snapshot needs properties.creationData.sourceResourceId: the id of the agent pool to snapshot.", "properties.creationData.sourceResourceId"); // prettier-ignore
        }
        const pool = (await this.sourcePool(store, subscriptionId!, sourceId)).properties;
        properties = {
          creationData: { sourceResourceId: sourceId },
          snapshotType: "NodePool",
          kubernetesVersion: pool.currentOrchestratorVersion,
          nodeImageVersion: pool.nodeImageVersion,
          osType: pool.osType,
          osSku: pool.osSKU,
          vmSize: pool.vmSize,
          enableFIPS: pool.enableFIPS === true,
        };
      }
      const next: SnapshotBody = {
        name: existing?.body.name ?? resourceName!,
        id: existing?.body.id ?? id,
        type: SNAPSHOT_WIRE_TYPE,
        location,
        ...(tags !== undefined ? { tags } : {}),
        systemData: systemData(ctx.caller, existing?.body.systemData, now),
        properties,
      };
      await this.write(store, subscriptionId!, group.id, next);
      return ok(next, 200);
    });
  }

  private async write(store: Store, subscriptionId: string, groupId: string, body: SnapshotBody): Promise<void> {
    await store.putResource({
      id: body.id,
      type: SNAPSHOT_TYPE,
      parentId: groupId,
      subscriptionId,
      body,
      etag: newEtag(),
      at: this.platform.clock.now().toISOString(),
    });
  }

  private async patch(ctx: RequestContext): Promise<ArmResponse> {
    const body = asObject(ctx.body, true);
    const tags = optionalTags(body);
    return this.platform.store.transaction(async (store) => {
      const found = await this.require(store, ctx);
      checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: undefined }, found.etag);
      const { tags: _old, ...rest } = found.body;
      const next: SnapshotBody = {
        ...rest,
        ...(tags !== undefined ? { tags } : found.body.tags !== undefined ? { tags: found.body.tags } : {}),
        systemData: systemData(ctx.caller, found.body.systemData, this.platform.clock.now().toISOString()),
      };
      await this.write(store, found.subscriptionId, found.parentId, next);
      return ok(next, 200);
    });
  }

  /**
   * Fills the pools of a request that are created from a snapshot (`creationData.sourceResourceId` naming one) with
   * the snapshot's Kubernetes version, OS type, OS SKU and node image version, where the request leaves them out.
   * `pools` are the request's pool properties (an `agentPools` PUT's `properties`, or the new items of a cluster's
   * `agentPoolProfiles`), each with the property path of its errors. The node image goes in as `nodeImageVersion`
   * (a read-only property clients cannot set: pool-spec.ts takes it for a new pool that has `creationData`).
   */
  async applySnapshotSources(store: Store, pools: { props: JsonObject; path: string }[]): Promise<void> {
    for (const { props, path } of pools) {
      delete props.nodeImageVersion;
      const creation = props.creationData;
      if (!isObject(creation)) continue;
      const sourceId = creation.sourceResourceId;
      if (typeof sourceId !== "string" || sourceId === "") continue;
      const target = `${path}.creationData.sourceResourceId`;
      const parsed = parseResourceId(sourceId);
      if (
        parsed?.resourceType?.toLowerCase() !== "snapshots" ||
        parsed.namespace?.toLowerCase() !== NAMESPACE.toLowerCase()
      ) {
        throw aksErrors.invalidParameter(`'${sourceId}' is not a node pool snapshot id. Set ${target} to /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ContainerService/snapshots/{name}.`, target); // prettier-ignore
      }
      const snapshot = await store.getResource<SnapshotBody>(sourceId);
      if (snapshot === undefined || snapshot.type !== SNAPSHOT_TYPE) {
        throw new ArmError(404, "NotFound", `Could not find snapshot '${parsed.name ?? ""}' in resource group '${parsed.resourceGroup ?? ""}'. Create it first (az aks nodepool snapshot create) or fix ${target}.`, { target }); // prettier-ignore
      }
      const s = snapshot.body.properties;
      for (const [key, value] of [
        ["osType", s.osType],
        ["osSKU", s.osSku],
      ] as const) {
        const sent = props[key];
        if (sent === undefined || sent === null || sent === "") props[key] = value;
        else if (typeof sent === "string" && sent.toLowerCase() !== value.toLowerCase()) {
          throw aksErrors.invalidParameter(`${path}.${key} '${sent}' does not match the snapshot's '${value}'. Leave it out to use the snapshot's, or use another snapshot.`, `${path}.${key}`); // prettier-ignore
        }
      }
      const version = props.orchestratorVersion;
      if (version === undefined || version === null || version === "") props.orchestratorVersion = s.kubernetesVersion;
      if (props.enableFIPS === undefined || props.enableFIPS === null) props.enableFIPS = s.enableFIPS;
      props.nodeImageVersion = s.nodeImageVersion;
    }
  }

  routes(): OperationRoute[] {
    const v = snapshotApiVersions;
    const rg = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ContainerService";
    const one = `${rg}/snapshots/:resourceName`;
    const store = this.platform.store;
    const list = (ctx: RequestContext, items: StoredResource<SnapshotBody>[]): ArmResponse =>
      ok(
        pageOf(
          items.map((s) => s.body),
          ctx.url,
          this.platform.pageSize,
        ),
      );
    return [
      { method: "PUT", path: one, apiVersions: v, handler: (ctx) => this.put(ctx) },
      { method: "PATCH", path: one, apiVersions: v, handler: (ctx) => this.patch(ctx) },
      {
        method: "GET",
        path: one,
        apiVersions: v,
        handler: async (ctx) => ok((await this.require(store, ctx)).body),
      },
      {
        method: "DELETE",
        path: one,
        apiVersions: v,
        handler: (ctx) =>
          store.transaction(async (tx) => {
            const found = await this.find(tx, ctx);
            if (found === undefined) return { status: 204 };
            await tx.deleteResource(found.id);
            return { status: 200 };
          }),
      },
      {
        method: "GET",
        path: `${rg}/snapshots`,
        apiVersions: v,
        handler: async (ctx) => {
          const { subscriptionId, resourceGroupName } = ctx.params as Record<string, string>;
          const group = await this.resources.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
          return list(ctx, await store.listChildren<SnapshotBody>(group.id, SNAPSHOT_TYPE));
        },
      },
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/snapshots",
        apiVersions: v,
        handler: async (ctx) =>
          list(ctx, await store.listByType<SnapshotBody>(SNAPSHOT_TYPE, ctx.params.subscriptionId!)),
      },
    ];
  }
}
