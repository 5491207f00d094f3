/**
 * Microsoft.Compute for node resource groups: the virtual machine scale sets AKS makes for agent pools, their
 * instances (the nodes) and their extensions, as `@azure/arm-compute` and the az CLI call them.
 *
 * Two kinds of writers touch a scale set:
 * - AKS itself (`aks-model.ts`): whenever an operation on a managed cluster or agent pool ends, the scale sets are
 *   made to match the stored cluster and pools, and operations that AKS runs on a pool put back AKS's model.
 * - Customers, through this API (`scale-set-routes.ts`, `instance-routes.ts`, `extension-routes.ts`). As in Azure
 *   they may; as the support policy says, every such change makes the cluster unsupported (fact sheet §1.14): each is
 *   recorded with what changed, who and when, for the node rules (`tampering.ts`).
 *
 * Long-running calls answer as Compute does (`long-running.ts`): 202 (or 200/201 with a body) with
 * `Azure-AsyncOperation` and `Location` headers pointing at
 * `/providers/Microsoft.Compute/locations/{location}/operations/{id}`; `action-completion.ts` and `vm-actions.ts`
 * finish them. `scale-set-records.ts` reads and writes the stored scale sets and instances; `scale-sets.ts` is AKS's
 * model of them and their wire shapes; `requests.ts` the paths and lookups the routes share.
 */
import type { OperationRoute } from "../../arm/handler.js";
import { VMSS_TYPE } from "../../nodes/model.js";
import type { Nodes } from "../../nodes/nodes.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import type { ResourceGroups } from "../resources/index.js";
import { completeAction } from "./action-completion.js";
import { AksModelSync } from "./aks-model.js";
import { extensionRoutes } from "./extension-routes.js";
import { instanceRoutes } from "./instance-routes.js";
import { ACTION_KIND, operationStatusRoutes } from "./long-running.js";
import type { ComputeDeps } from "./requests.js";
import { ScaleSetRecords } from "./scale-set-records.js";
import { scaleSetRoutes } from "./scale-set-routes.js";

export { COMPUTE_NAMESPACE } from "./long-running.js";

export class Compute {
  private readonly deps: ComputeDeps;
  private readonly aksModel: AksModelSync;

  constructor(platform: Platform, nodes: Nodes, resourceGroups: ResourceGroups) {
    this.deps = { platform, nodes, resourceGroups, records: new ScaleSetRecords(nodes) };
    this.aksModel = new AksModelSync(this.deps);
    platform.operations.onComplete(ACTION_KIND, (op, ctx) => completeAction(this.deps, op, ctx.store, ctx.now));
    platform.operations.listen((phase, op, ctx) => this.aksModel.onOperation(phase, op, ctx.store, ctx.now));
    platform.cascades.set(VMSS_TYPE, (store, resource) => this.deps.records.forget(store, resource.id));
  }

  /** Makes a cluster's scale sets follow pool counts the cluster autoscaler changed between operations. */
  followAutoscaler(store: Store, clusterId: string, now: Date): Promise<void> {
    return this.aksModel.reconcile(store, clusterId, { action: "Autoscaling", operationId: "cluster-autoscaler" }, now);
  }

  routes(): OperationRoute[] {
    return [
      ...scaleSetRoutes(this.deps),
      ...instanceRoutes(this.deps),
      ...extensionRoutes(this.deps),
      ...operationStatusRoutes(this.deps),
    ];
  }
}
