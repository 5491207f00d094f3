/**
 * The actions on instances (`deallocate`, `start`, `powerOff`, `restart`, `reimage`, `redeploy`, `delete`), on a
 * whole scale set or one instance: the request that begins one and what it does to each node when it completes.
 */
import { ArmError } from "../../arm/errors.js";
import { isObject, optionalArray } from "../../arm/body.js";
import type { ArmResponse, RequestContext } from "../../arm/handler.js";
import type { Store } from "../../store/store.js";
import type { NodeResource } from "../../nodes/nodes.js";
import { asyncHeaders, changeScaleSet, type VmAction } from "./long-running.js";
import { requireInstance, type ComputeDeps } from "./requests.js";

/** The actions a POST route names (delete is a POST on a scale set, a DELETE on an instance). */
export const POST_ACTIONS: VmAction[] = ["deallocate", "start", "powerOff", "restart", "reimage", "redeploy"];

const ACTION_LABEL: Record<VmAction, string> = {
  deallocate: "Deallocating",
  start: "Starting",
  powerOff: "Stopping",
  restart: "Restarting",
  reimage: "Reimaging",
  redeploy: "Redeploying",
  delete: "Deleting",
};

/** The instance ids a scale-set action names in its body (`instanceIds`), or undefined for every instance. */
async function requestedInstances(
  deps: ComputeDeps,
  store: Store,
  ctx: RequestContext,
  vmssId: string,
  vmssName: string,
): Promise<string[] | undefined> {
  const body = isObject(ctx.body) ? ctx.body : {};
  const ids = optionalArray(body, "instanceIds");
  if (ids === undefined) return undefined;
  const known = new Set((await deps.records.instances(store, vmssId)).map((n) => n.internal.instanceId));
  const instanceIds: string[] = [];
  for (const id of ids) {
    if (typeof id !== "string" || !known.has(id)) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `The instance id '${String(id)}' is not an instance of scale set '${vmssName}'. List them with GET .../virtualMachines.`,
        { target: "instanceIds" },
      );
    }
    instanceIds.push(id);
  }
  return instanceIds;
}

/** POST .../{deallocate|start|powerOff|restart|reimage|redeploy} (or delete) on a scale set or one instance. */
export async function vmActionRequest(
  deps: ComputeDeps,
  ctx: RequestContext,
  action: VmAction,
  oneInstance: boolean,
): Promise<ArmResponse> {
  return changeScaleSet(deps, ctx, async (vmss, store) => {
    const instanceIds = oneInstance
      ? [(await requireInstance(deps, store, ctx, vmss)).internal.instanceId]
      : await requestedInstances(deps, store, ctx, vmss.id, vmss.body.name);
    const which =
      instanceIds === undefined
        ? "all instances"
        : `instance${instanceIds.length === 1 ? "" : "s"} ${instanceIds.join(", ")}`;
    const verb = action === "powerOff" ? "poweroff" : action;
    return {
      description: `${action} of ${which} of scale set '${vmss.body.name}'`,
      operationName: oneInstance
        ? `Microsoft.Compute/virtualMachineScaleSets/virtualMachines/${action === "delete" ? "delete" : `${verb}/action`}`
        : `Microsoft.Compute/virtualMachineScaleSets/${action === "delete" ? "delete" : `${verb}/action`}`,
      payload: { vmssId: vmss.id, ...(instanceIds === undefined ? {} : { instanceIds }), action },
      action: ACTION_LABEL[action],
      saveScaleSet: false,
      answer: (op) => ({ status: 202, headers: asyncHeaders(ctx, vmss.body.location, op) }),
    };
  });
}

/** What an action does to one node when its operation completes. */
export async function applyVmAction(
  deps: ComputeDeps,
  store: Store,
  node: NodeResource,
  action: VmAction,
  caller: string,
  now: Date,
): Promise<void> {
  const { nodes } = deps;
  const state = node.internal;
  const change = { by: caller, at: now.toISOString(), via: "customer" as const, action };
  switch (action) {
    case "deallocate":
      nodes.setPower(state, "deallocated", change, now);
      break;
    case "powerOff":
      nodes.setPower(state, "stopped", change, now);
      break;
    case "start":
      nodes.setPower(state, "running", change, now);
      await nodes.recheck(store, node, now);
      break;
    case "restart":
      if (state.power === "running") await nodes.remedy(store, node, "reboot", caller, now);
      break;
    case "reimage":
      await nodes.remedy(store, node, "reimage", caller, now);
      if (state.power !== "running") nodes.setPower(state, "running", change, now);
      break;
    case "redeploy":
      await nodes.remedy(store, node, "redeploy", caller, now);
      if (state.power !== "running") nodes.setPower(state, "running", change, now);
      break;
    case "delete":
      await deps.records.removeInstances(store, [node], now);
      return;
  }
  if (state.faults.length > 0 && state.power === "running") await nodes.recheck(store, node, now);
  await nodes.save(store, node);
}
