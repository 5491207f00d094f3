/**
 * What the Compute modules share: their dependencies, the route paths of scale sets, instances and extensions, and
 * finding what a request addresses (with Compute's 404s).
 */
import { armErrors, type ArmError } from "../../arm/errors.js";
import type { ApiVersionSet } from "../../arm/api-versions.js";
import type { ArmResponse, OperationRoute, RequestContext } from "../../arm/handler.js";
import type { Store } from "../../store/store.js";
import type { NodeResource, Nodes } from "../../nodes/nodes.js";
import type { Platform } from "../platform.js";
import type { ResourceGroups } from "../resources/index.js";
import type { ScaleSetRecords, VmssResource } from "./scale-set-records.js";
import type { VmssBody, VmssInternal } from "./scale-sets.js";

export interface ComputeDeps {
  platform: Platform;
  nodes: Nodes;
  resourceGroups: ResourceGroups;
  records: ScaleSetRecords;
}

const group = "/subscriptions/:subscriptionId/resourcegroups/:resourceGroupName/providers/microsoft.compute";
const scaleSet = `${group}/virtualmachinescalesets/:vmScaleSetName`;

/** Route templates (lower-case literal segments: the server matches them case-insensitively). */
export const paths = {
  scaleSetsOfGroup: `${group}/virtualmachinescalesets`,
  scaleSetsOfSubscription: "/subscriptions/:subscriptionId/providers/microsoft.compute/virtualmachinescalesets",
  scaleSet,
  instances: `${scaleSet}/virtualmachines`,
  instance: `${scaleSet}/virtualmachines/:instanceId`,
  extensions: `${scaleSet}/extensions`,
  extension: `${scaleSet}/extensions/:vmssExtensionName`,
  operation: "/subscriptions/:subscriptionId/providers/microsoft.compute/locations/:location/operations/:operationId",
};

export function notFound(type: string, name: string, rg: string): ArmError {
  return armErrors.resourceNotFound(`Microsoft.Compute/${type}`, name, rg);
}

export function vmssIdOf(ctx: RequestContext): string {
  const { subscriptionId, resourceGroupName, vmScaleSetName } = ctx.params;
  return `/subscriptions/${subscriptionId!}/resourceGroups/${resourceGroupName!}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmScaleSetName!}`;
}

/** The scale set a request addresses, or ARM's 404 (of its group first). */
export async function requireScaleSet(deps: ComputeDeps, store: Store, ctx: RequestContext): Promise<VmssResource> {
  const { subscriptionId, resourceGroupName, vmScaleSetName } = ctx.params;
  await deps.resourceGroups.require(store, subscriptionId!, resourceGroupName!);
  const vmss = await store.getResource<VmssBody, VmssInternal>(vmssIdOf(ctx));
  if (vmss === undefined) throw notFound("virtualMachineScaleSets", vmScaleSetName!, resourceGroupName!);
  return vmss;
}

/** The instance of `vmss` a request addresses, or Compute's 404. */
export async function requireInstance(
  deps: ComputeDeps,
  store: Store,
  ctx: RequestContext,
  vmss: VmssResource,
): Promise<NodeResource> {
  const instanceId = ctx.params.instanceId!;
  const node = await deps.nodes.get(store, `${vmss.id}/virtualMachines/${instanceId}`);
  if (node === undefined) {
    throw notFound(
      `virtualMachineScaleSets/${vmss.body.name}/virtualMachines`,
      instanceId,
      ctx.params.resourceGroupName!,
    );
  }
  return node;
}

/** A GET route that finds the scale set a request addresses (or answers 404), then `read`s from it. */
export function scaleSetReadRoute(
  deps: ComputeDeps,
  path: string,
  versions: ApiVersionSet,
  read: (vmss: VmssResource, ctx: RequestContext, store: Store) => Promise<ArmResponse> | ArmResponse,
): OperationRoute {
  return {
    method: "GET",
    path,
    apiVersions: versions,
    handler: async (ctx) => {
      const store = deps.platform.store;
      return read(await requireScaleSet(deps, store, ctx), ctx, store);
    },
  };
}
