/**
 * Resource groups (Microsoft.Resources/resourceGroups): PUT, GET, HEAD, PATCH, list, and DELETE as a long-running
 * operation that removes everything inside the group, each resource type cleaned up by its own provider first.
 */
import { ArmError, armErrors } from "../../arm/errors.js";
import { idKey, isValidResourceGroupName, resourceGroupId } from "../../arm/resource-id.js";
import { normalizeLocation, REGIONS } from "../../arm/locations.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { checkPreconditions, newEtag } from "../../arm/etag.js";
import { asObject, optionalString, optionalTags } from "../../arm/body.js";
import type { Store, StoredResource } from "../../store/store.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import type { Subscriptions } from "./subscriptions.js";

export const RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups";
const DELETE_KIND = "resources.resourceGroups.delete";

export interface ResourceGroupBody {
  id: string;
  name: string;
  type: "Microsoft.Resources/resourceGroups";
  location: string;
  managedBy?: string;
  tags?: Record<string, string>;
  properties: { provisioningState: "Succeeded" | "Deleting" };
}

export class ResourceGroups {
  constructor(
    private readonly platform: Platform,
    private readonly subscriptions: Subscriptions,
  ) {
    platform.operations.onComplete(DELETE_KIND, (op, ctx) => this.finishDelete(op, ctx.store));
  }

  get(store: Store, subscriptionId: string, name: string): Promise<StoredResource<ResourceGroupBody> | undefined> {
    return store.getResource<ResourceGroupBody>(resourceGroupId(subscriptionId, name));
  }

  /** The resource group a request addresses, or ARM's 404. Providers use this before touching a group's resources. */
  async require(store: Store, subscriptionId: string, name: string): Promise<StoredResource<ResourceGroupBody>> {
    const found = await this.get(store, subscriptionId, name);
    if (found === undefined) throw armErrors.resourceGroupNotFound(name);
    return found;
  }

  /**
   * Creates or updates a group on behalf of the platform (AKS's node resource groups), with `managedBy` set.
   */
  async ensureManaged(
    store: Store,
    subscriptionId: string,
    name: string,
    location: string,
    managedBy: string,
    tags?: Record<string, string>,
  ): Promise<ResourceGroupBody> {
    const body: ResourceGroupBody = {
      id: resourceGroupId(subscriptionId, name),
      name,
      type: RESOURCE_GROUP_TYPE,
      location,
      managedBy,
      ...(tags === undefined ? {} : { tags }),
      properties: { provisioningState: "Succeeded" },
    };
    await this.write(store, subscriptionId, body);
    return body;
  }

  private async write(store: Store, subscriptionId: string, body: ResourceGroupBody): Promise<string> {
    const etag = newEtag();
    await store.putResource({
      id: body.id,
      type: RESOURCE_GROUP_TYPE,
      parentId: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      body,
      etag,
      at: this.platform.clock.now().toISOString(),
    });
    return etag;
  }

  /** Deletes a group and its contents at once (the platform's cleanup of node resource groups). */
  async deleteNow(store: Store, subscriptionId: string, name: string): Promise<void> {
    const group = await this.get(store, subscriptionId, name);
    if (group === undefined) return;
    await this.removeContents(store, group.id);
  }

  private async removeContents(store: Store, groupId: string): Promise<void> {
    const inside = await store.listUnder(groupId);
    for (const resource of inside) {
      if (idKey(resource.id) === idKey(groupId)) continue;
      const cascade = this.platform.cascades.get(resource.type);
      if (cascade !== undefined && (await store.getResource(resource.id)) !== undefined) await cascade(store, resource);
      for (const op of await this.platform.operations.running(store, resource.id)) {
        await this.platform.operations.cancel(store, op, "Canceled");
      }
    }
    await store.deleteUnder(groupId);
  }

  private async finishDelete(op: OperationRecord, store: Store): Promise<void> {
    await this.removeContents(store, op.resourceId);
  }

  private validateName(name: string): void {
    if (!isValidResourceGroupName(name)) {
      throw new ArmError(
        400,
        "InvalidResourceGroupName",
        `Resource group name '${name}' is invalid. It can include alphanumeric, underscore, parentheses, hyphen, period (except at end), and Unicode characters that match the allowed characters, and be 1 to 90 characters long.`,
        { target: "resourceGroupName" },
      );
    }
  }

  private async put(ctx: RequestContext): Promise<ArmResponse> {
    const { subscriptionId, resourceGroupName } = ctx.params as { subscriptionId: string; resourceGroupName: string };
    this.validateName(resourceGroupName);
    const body = asObject(ctx.body);
    const rawLocation = optionalString(body, "location");
    if (rawLocation === undefined || rawLocation.trim() === "") {
      throw new ArmError(400, "LocationRequired", "The location property is required for this definition.", {
        target: "location",
      });
    }
    const location = normalizeLocation(rawLocation);
    if (location === undefined) {
      throw new ArmError(
        400,
        "LocationNotAvailableForResourceGroup",
        `The provided location '${rawLocation}' is not available for resource group. List of available regions is '${REGIONS.map((r) => r.name).join(",")}'.`,
        { target: "location" },
      );
    }
    const tags = optionalTags(body);
    const managedBy = optionalString(body, "managedBy");
    return this.platform.store.transaction(async (store) => {
      const existing = await this.get(store, subscriptionId, resourceGroupName);
      checkPreconditions(
        { ifMatch: ctx.headers["if-match"], ifNoneMatch: ctx.headers["if-none-match"] },
        existing?.etag,
      );
      if (existing !== undefined) {
        if (existing.body.properties.provisioningState === "Deleting") {
          throw new ArmError(
            409,
            "ResourceGroupBeingDeleted",
            `The resource group '${existing.body.name}' is in deprovisioning state and cannot perform this operation. Wait for the deletion to finish, then create it again.`,
          );
        }
        if (existing.body.location !== location) {
          throw new ArmError(
            409,
            "InvalidResourceGroupLocation",
            `Invalid resource group location '${rawLocation}'. The Resource group already exists in location '${existing.body.location}'.`,
          );
        }
      }
      const group: ResourceGroupBody = {
        id: existing?.body.id ?? resourceGroupId(subscriptionId, resourceGroupName),
        name: existing?.body.name ?? resourceGroupName,
        type: RESOURCE_GROUP_TYPE,
        location,
        ...(managedBy === undefined ? {} : { managedBy }),
        ...(tags === undefined ? {} : { tags }),
        properties: { provisioningState: "Succeeded" },
      };
      const etag = await this.write(store, subscriptionId, group);
      return ok(group, existing === undefined ? 201 : 200, { ETag: etag });
    });
  }

  private async patch(ctx: RequestContext): Promise<ArmResponse> {
    const { subscriptionId, resourceGroupName } = ctx.params as { subscriptionId: string; resourceGroupName: string };
    const body = asObject(ctx.body);
    const tags = optionalTags(body);
    const managedBy = optionalString(body, "managedBy");
    return this.platform.store.transaction(async (store) => {
      const existing = await this.require(store, subscriptionId, resourceGroupName);
      checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: undefined }, existing.etag);
      const group: ResourceGroupBody = { ...existing.body };
      if (tags !== undefined) group.tags = tags;
      if (managedBy !== undefined) group.managedBy = managedBy;
      const etag = await this.write(store, subscriptionId, group);
      return ok(group, 200, { ETag: etag });
    });
  }

  private async delete(ctx: RequestContext): Promise<ArmResponse> {
    const { subscriptionId, resourceGroupName } = ctx.params as { subscriptionId: string; resourceGroupName: string };
    return this.platform.store.transaction(async (store) => {
      const existing = await this.require(store, subscriptionId, resourceGroupName);
      checkPreconditions({ ifMatch: ctx.headers["if-match"], ifNoneMatch: undefined }, existing.etag);
      const running = (await this.platform.operations.running(store, existing.id)).find((o) => o.kind === DELETE_KIND);
      const op =
        running ??
        (await this.platform.operations.begin(store, {
          subscriptionId,
          namespace: "Microsoft.Resources",
          location: existing.body.location,
          resourceId: existing.id,
          action: "Deleting",
          caller: ctx.caller.objectId,
          kind: DELETE_KIND,
        }));
      if (running === undefined) {
        const deleting: ResourceGroupBody = { ...existing.body, properties: { provisioningState: "Deleting" } };
        await this.write(store, subscriptionId, deleting);
      }
      const location = `${ctx.baseUrl}/subscriptions/${subscriptionId}/operationresults/${op.id}?api-version=${ctx.apiVersion}`;
      // Only Retry-After-Ms: az 2.45 reads Retry-After first (whole seconds), which would slow every poll to 1 s;
      // the JS SDK reads only Retry-After, so without it JS callers poll at their own updateIntervalInMs.
      return { status: 202, headers: { Location: location, "Retry-After-Ms": "100" } };
    });
  }

  routes(): OperationRoute[] {
    const base = "/subscriptions/:subscriptionId/resourcegroups";
    const one = `${base}/:resourceGroupName`;
    return [
      { method: "PUT", path: one, apiVersions: apiVersions.resourceGroups, handler: (ctx) => this.put(ctx) },
      { method: "PATCH", path: one, apiVersions: apiVersions.resourceGroups, handler: (ctx) => this.patch(ctx) },
      { method: "DELETE", path: one, apiVersions: apiVersions.resourceGroups, handler: (ctx) => this.delete(ctx) },
      {
        method: "GET",
        path: one,
        apiVersions: apiVersions.resourceGroups,
        handler: async (ctx) => {
          const found = await this.require(
            this.platform.store,
            ctx.params.subscriptionId!,
            ctx.params.resourceGroupName!,
          );
          return ok(found.body, 200, { ETag: found.etag });
        },
      },
      {
        method: "HEAD",
        path: one,
        apiVersions: apiVersions.resourceGroups,
        isWrite: false,
        handler: async (ctx) => {
          const found = await this.get(this.platform.store, ctx.params.subscriptionId!, ctx.params.resourceGroupName!);
          return { status: found === undefined ? 404 : 204 };
        },
      },
      {
        method: "GET",
        path: base,
        apiVersions: apiVersions.resourceGroups,
        handler: async (ctx) => {
          const all = await this.platform.store.listChildren<ResourceGroupBody>(
            `/subscriptions/${ctx.params.subscriptionId!}`,
            RESOURCE_GROUP_TYPE,
          );
          const filter = ctx.query.$filter;
          let groups = all.map((r) => r.body);
          const tagFilter =
            filter === undefined ? null : /tagName eq '([^']*)'(?: and tagValue eq '([^']*)')?/i.exec(filter);
          if (tagFilter !== null) {
            const [, name, value] = tagFilter;
            groups = groups.filter(
              (g) => g.tags !== undefined && name! in g.tags && (value === undefined || g.tags[name!] === value),
            );
          }
          // `$top` caps a page (the nextLink carries it on), as ARM does.
          let size = this.platform.pageSize;
          const top = ctx.query.$top;
          if (top !== undefined) {
            const n = Number(top);
            if (!Number.isInteger(n) || n < 1) {
              throw armErrors.badRequest(
                `The value '${top}' of $top is invalid. Give a whole number of at least 1.`,
                "$top",
              );
            }
            size = Math.min(n, size);
          }
          return pagedList(groups, ctx.url, size);
        },
      },
      {
        // The Location URL of a resource group deletion: 202 while it runs, 200 when the group is gone.
        method: "GET",
        path: "/subscriptions/:subscriptionId/operationresults/:operationId",
        apiVersions: apiVersions.operationResults,
        handler: async (ctx) => {
          const op = await this.platform.operations.get(this.platform.store, ctx.params.operationId!);
          if (op === undefined || op.subscriptionId.toLowerCase() !== ctx.params.subscriptionId!.toLowerCase()) {
            throw new ArmError(
              404,
              "OperationNotFound",
              `The operation '${ctx.params.operationId!}' could not be found.`,
            );
          }
          if (op.status === "InProgress") {
            return {
              status: 202,
              headers: { Location: ctx.url.toString(), "Retry-After-Ms": "100" },
            };
          }
          if (op.status === "Failed" && op.error !== undefined) return ok({ error: op.error }, op.errorStatus ?? 409);
          return { status: 200 };
        },
      },
    ];
  }
}
