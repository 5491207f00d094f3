/**
 * The routes of a scale set's instances (the nodes): list, GET (with `$expand=instanceView`), the instance view, the
 * actions on one instance and its DELETE.
 */
import { ok, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { apiVersions } from "./api-versions.js";
import { paths, requireInstance, scaleSetReadRoute, type ComputeDeps } from "./requests.js";
import { vmBody, vmInstanceView } from "./instance-shapes.js";
import { POST_ACTIONS, vmActionRequest } from "./vm-actions.js";

function expandsInstanceView(ctx: RequestContext): boolean {
  return (ctx.query.$expand ?? "").toLowerCase().includes("instanceview");
}

export function instanceRoutes(deps: ComputeDeps): OperationRoute[] {
  const V = apiVersions.scaleSetVms;
  return [
    scaleSetReadRoute(deps, paths.instances, V, async (found, ctx, store) => {
      const nodes = await deps.records.instances(store, found.id);
      const expand = expandsInstanceView(ctx);
      return pagedList(
        nodes.map((n) => vmBody(n, found.body, expand)),
        ctx.url,
        deps.platform.pageSize,
      );
    }),
    scaleSetReadRoute(deps, paths.instance, V, async (found, ctx, store) => {
      const node = await requireInstance(deps, store, ctx, found);
      return ok(vmBody(node, found.body, expandsInstanceView(ctx)));
    }),
    scaleSetReadRoute(deps, `${paths.instance}/instanceview`, V, async (found, ctx, store) => {
      const node = await requireInstance(deps, store, ctx, found);
      return ok(vmInstanceView(node, found.body));
    }),
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
