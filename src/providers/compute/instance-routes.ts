/**
 * The routes of a scale set's instances (the nodes): list, GET (with `$expand=instanceView`), the instance view, the
 * actions on one instance and its DELETE.
 */
import { ok, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { apiVersions } from "./api-versions.js";
import { paths, requireInstance, requireScaleSet, type ComputeDeps } from "./requests.js";
import { vmBody, vmInstanceView } from "./scale-sets.js";
import { POST_ACTIONS, vmActionRequest } from "./vm-actions.js";

function expandsInstanceView(ctx: RequestContext): boolean {
  return (ctx.query.$expand ?? "").toLowerCase().includes("instanceview");
}

export function instanceRoutes(deps: ComputeDeps): OperationRoute[] {
  const V = apiVersions.scaleSetVms;
  const store = () => deps.platform.store;
  return [
    {
      method: "GET",
      path: paths.instances,
      apiVersions: V,
      handler: async (ctx) => {
        const found = await requireScaleSet(deps, store(), ctx);
        const nodes = await deps.records.instances(store(), found.id);
        const expand = expandsInstanceView(ctx);
        return pagedList(
          nodes.map((n) => vmBody(n, found.body, expand)),
          ctx.url,
          deps.platform.pageSize,
        );
      },
    },
    {
      method: "GET",
      path: paths.instance,
      apiVersions: V,
      handler: async (ctx) => {
        const found = await requireScaleSet(deps, store(), ctx);
        const node = await requireInstance(deps, store(), ctx, found);
        return ok(vmBody(node, found.body, expandsInstanceView(ctx)));
      },
    },
    {
      method: "GET",
      path: `${paths.instance}/instanceview`,
      apiVersions: V,
      handler: async (ctx) => {
        const found = await requireScaleSet(deps, store(), ctx);
        const node = await requireInstance(deps, store(), ctx, found);
        return ok(vmInstanceView(node, found.body));
      },
    },
    ...POST_ACTIONS.map((action): OperationRoute => ({
      method: "POST",
      path: `${paths.instance}/${action.toLowerCase()}`,
      apiVersions: V,
      handler: (ctx) => vmActionRequest(deps, ctx, action, true),
    })),
    {
      method: "DELETE",
      path: paths.instance,
      apiVersions: V,
      handler: (ctx) => vmActionRequest(deps, ctx, "delete", true),
    },
  ];
}
