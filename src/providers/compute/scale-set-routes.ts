/**
 * The routes of scale sets themselves: list (by group, by subscription), GET, PUT and PATCH of the model (a customer
 * change: recorded as tampering), DELETE, the instance view summary, and the actions on all or some instances.
 */
import { ArmError } from "../../arm/errors.js";
import { asObject, optionalObject, optionalTags } from "../../arm/body.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedBodies } from "../../arm/paging.js";
import { resourceGroupId } from "../../arm/resource-id.js";
import type { Store } from "../../store/store.js";
import { VMSS_TYPE } from "../../nodes/model.js";
import { apiVersions } from "./api-versions.js";
import { asyncHeaders, changeScaleSet } from "./long-running.js";
import { paths, scaleSetReadRoute, vmssIdOf, type ComputeDeps } from "./requests.js";
import type { VmssResource } from "./scale-set-records.js";
import type { VmssBody } from "./scale-sets.js";
import { applyModelProperties, describeTagChange } from "./tampering.js";
import { POST_ACTIONS, vmActionRequest } from "./vm-actions.js";

function capacityOf(body: Record<string, unknown>): number | undefined {
  const capacity = optionalObject(body, "sku")?.capacity;
  if (
    capacity !== undefined &&
    (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0 || capacity > 1000)
  ) {
    throw new ArmError(
      400,
      "InvalidParameter",
      "The value of parameter sku.capacity is invalid. Send an integer from 0 to 1000.",
      { target: "sku.capacity" },
    );
  }
  return capacity;
}

/** PATCH (or PUT, `fullPut`) of a scale set's model by a customer. */
async function updateScaleSet(deps: ComputeDeps, ctx: RequestContext, fullPut: boolean): Promise<ArmResponse> {
  const body = asObject(ctx.body);
  const tags = optionalTags(body);
  const capacity = capacityOf(body);
  return changeScaleSet(deps, ctx, (vmss) => {
    const changes: string[] = [];
    if (tags !== undefined) {
      const tagChange = describeTagChange(vmss.body.tags, tags);
      if (tagChange !== undefined) changes.push(tagChange);
      vmss.body.tags = tags;
    }
    if (capacity !== undefined && capacity !== vmss.body.sku.capacity) {
      changes.push(`capacity changed from ${vmss.body.sku.capacity} to ${capacity}`);
      vmss.body.sku.capacity = capacity;
    }
    const properties = optionalObject(body, "properties");
    if (properties !== undefined) changes.push(...applyModelProperties(vmss, properties));
    if (fullPut && changes.length === 0) changes.push("scale set model rewritten");
    vmss.body.properties.provisioningState = "Updating";
    return {
      description: changes.length > 0 ? `Scale set '${vmss.body.name}': ${changes.join("; ")}` : undefined,
      operationName: "Microsoft.Compute/virtualMachineScaleSets/write",
      payload: { vmssId: vmss.id, action: "update", ...(capacity === undefined ? {} : { capacity }) },
      action: "Updating",
      saveScaleSet: true,
      answer: (op) => ok(vmss.body, 200, { ...asyncHeaders(ctx, vmss.body.location, op, false), ETag: vmss.etag }),
    };
  });
}

/** PUT of a scale set: only an update of one of AKS's; a new scale set is made through the AKS API. */
async function putScaleSet(deps: ComputeDeps, ctx: RequestContext): Promise<ArmResponse> {
  const found = await deps.platform.store.getResource(vmssIdOf(ctx));
  if (found === undefined) {
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `aksemu emulates the scale sets AKS creates for agent pools; create node pools through the AKS API (az aks nodepool add) instead of a scale set in '${ctx.params.resourceGroupName!}'.`,
    );
  }
  return updateScaleSet(deps, ctx, true);
}

async function deleteScaleSet(deps: ComputeDeps, ctx: RequestContext): Promise<ArmResponse> {
  return changeScaleSet(deps, ctx, (vmss) => {
    vmss.body.properties.provisioningState = "Deleting";
    return {
      description: `Scale set '${vmss.body.name}' deleted`,
      operationName: "Microsoft.Compute/virtualMachineScaleSets/delete",
      payload: { vmssId: vmss.id, action: "deleteScaleSet" },
      action: "Deleting",
      saveScaleSet: true,
      answer: (op) => ({ status: 202, headers: asyncHeaders(ctx, vmss.body.location, op) }),
    };
  });
}

/** `GET .../instanceView` of a scale set: counts of its instances' states and its extensions. */
async function scaleSetInstanceView(deps: ComputeDeps, store: Store, found: VmssResource): Promise<ArmResponse> {
  const nodes = await deps.records.instances(store, found.id);
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const code = `PowerState/${n.internal.power}`;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const provisioning = String(found.body.properties.provisioningState).toLowerCase();
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
        code: `ProvisioningState/${provisioning}`,
        level: "Info",
        displayStatus: `Provisioning ${provisioning}`,
        time: found.changedAt,
      },
    ],
  });
}

export function scaleSetRoutes(deps: ComputeDeps): OperationRoute[] {
  const S = apiVersions.scaleSets;
  const store = () => deps.platform.store;
  return [
    {
      method: "GET",
      path: paths.scaleSetsOfGroup,
      apiVersions: S,
      handler: async (ctx) => {
        const { subscriptionId, resourceGroupName } = ctx.params;
        await deps.resourceGroups.require(store(), subscriptionId!, resourceGroupName!);
        const list = await store().listChildren<VmssBody>(
          resourceGroupId(subscriptionId!, resourceGroupName!),
          VMSS_TYPE,
        );
        return pagedBodies(list, ctx.url, deps.platform.pageSize);
      },
    },
    {
      method: "GET",
      path: paths.scaleSetsOfSubscription,
      apiVersions: S,
      handler: async (ctx) =>
        pagedBodies(
          await store().listByType<VmssBody>(VMSS_TYPE, ctx.params.subscriptionId!),
          ctx.url,
          deps.platform.pageSize,
        ),
    },
    scaleSetReadRoute(deps, paths.scaleSet, S, (found) => ok(found.body, 200, { ETag: found.etag })),
    { method: "PATCH", path: paths.scaleSet, apiVersions: S, handler: (ctx) => updateScaleSet(deps, ctx, false) },
    { method: "PUT", path: paths.scaleSet, apiVersions: S, handler: (ctx) => putScaleSet(deps, ctx) },
    { method: "DELETE", path: paths.scaleSet, apiVersions: S, handler: (ctx) => deleteScaleSet(deps, ctx) },
    scaleSetReadRoute(deps, `${paths.scaleSet}/instanceview`, S, (found, _ctx, store) =>
      scaleSetInstanceView(deps, store, found),
    ),
    ...[...POST_ACTIONS, "delete" as const].map((action): OperationRoute => ({
      method: "POST",
      path: `${paths.scaleSet}/${action.toLowerCase()}`,
      apiVersions: S,
      handler: (ctx) => vmActionRequest(deps, ctx, action, false),
    })),
  ];
}
