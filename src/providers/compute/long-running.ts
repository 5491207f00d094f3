/**
 * Compute's long-running operations: how a customer's change begins one (recorded as tampering, then the operation
 * started), the headers Compute answers with, and the operation status URL they point at
 * (`/providers/Microsoft.Compute/locations/{location}/operations/{id}`).
 */
import { ArmError } from "../../arm/errors.js";
import type { JsonObject } from "../../arm/body.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Store } from "../../store/store.js";
import { apiVersions } from "./api-versions.js";
import { paths, requireScaleSet, type ComputeDeps } from "./requests.js";
import type { VmssResource } from "./scale-set-records.js";
import { recordTampering } from "./tampering.js";

export const COMPUTE_NAMESPACE = "Microsoft.Compute";
export const ACTION_KIND = "compute.action";

export type VmAction = "deallocate" | "start" | "powerOff" | "restart" | "reimage" | "redeploy" | "delete";

export interface ActionPayload {
  vmssId: string;
  /** Instance ids, or undefined for every instance. */
  instanceIds?: string[];
  action: VmAction | "update" | "deleteScaleSet" | "extensionWrite" | "extensionDelete";
  extension?: string;
  capacity?: number;
}

/**
 * Compute's LRO headers: `Azure-AsyncOperation` always; `Location` (the monitor URL) only on 202s, as Compute
 * answers a PUT or PATCH with the resource and the async header alone (the client then reads the resource).
 */
export function asyncHeaders(
  ctx: RequestContext,
  location: string,
  op: OperationRecord,
  monitor = true,
): Record<string, string> {
  const base = `${ctx.baseUrl}/subscriptions/${op.subscriptionId}/providers/Microsoft.Compute/locations/${location}/operations/${op.id}`;
  return {
    "Azure-AsyncOperation": `${base}?p=${encodeURIComponent(op.resourceId)}&api-version=${ctx.apiVersion}`,
    ...(monitor
      ? { Location: `${base}?p=${encodeURIComponent(op.resourceId)}&monitor=true&api-version=${ctx.apiVersion}` }
      : {}),
    "Retry-After": "0",
  };
}

/** A customer's change to a scale set: what it does, in words (undefined: nothing to record), and its operation. */
export interface CustomerChange {
  description: string | undefined;
  operationName: string;
  payload: ActionPayload;
  /** The operation's action, e.g. "Updating". */
  action: string;
  /** Whether the scale set's body changed and is written before the operation begins. */
  saveScaleSet: boolean;
  /** The answer to the request, once the operation has begun. */
  answer: (op: OperationRecord) => ArmResponse;
}

/**
 * A customer's write to the scale set a request addresses, in one transaction: `plan` applies it to the scale set and
 * says what it is (or answers at once, when there is nothing to do); it is then recorded as tampering, the scale set
 * written if asked, the operation that completes it begun, and the nodes layer told (the cluster's node facts).
 */
export async function changeScaleSet(
  deps: ComputeDeps,
  ctx: RequestContext,
  plan: (vmss: VmssResource, store: Store) => Promise<CustomerChange | ArmResponse> | CustomerChange | ArmResponse,
): Promise<ArmResponse> {
  return deps.platform.store.transaction(async (store) => {
    const now = deps.platform.clock.now();
    const vmss = await requireScaleSet(deps, store, ctx);
    const change = await plan(vmss, store);
    if (!("operationName" in change)) return change;
    if (change.description !== undefined) {
      await recordTampering(store, vmss, change.description, change.operationName, ctx, now);
    }
    if (change.saveScaleSet) await deps.records.save(store, vmss, now);
    const { payload } = change;
    const op = await deps.platform.operations.begin(store, {
      subscriptionId: vmss.subscriptionId,
      namespace: COMPUTE_NAMESPACE,
      location: vmss.body.location,
      resourceId:
        payload.instanceIds !== undefined && payload.instanceIds.length === 1 && ctx.params.instanceId !== undefined
          ? `${vmss.id}/virtualMachines/${payload.instanceIds[0]!}`
          : payload.extension !== undefined
            ? `${vmss.id}/extensions/${payload.extension}`
            : vmss.id,
      action: change.action,
      caller: ctx.caller.objectId,
      kind: ACTION_KIND,
      payload,
      operationName: change.operationName,
    });
    await deps.nodes.notifyChanged(store, vmss.internal.clusterId, now);
    return change.answer(op);
  });
}

async function operationStatus(deps: ComputeDeps, ctx: RequestContext): Promise<ArmResponse> {
  const { store, operations } = deps.platform;
  const op = await operations.find(store, ctx.params.operationId!, COMPUTE_NAMESPACE, ctx.params.subscriptionId!);
  if (op === undefined) {
    throw new ArmError(
      404,
      "NotFound",
      `The operation '${ctx.params.operationId!}' was not found. Use the Azure-AsyncOperation URL of the call.`,
    );
  }
  if (ctx.query.monitor === "true") {
    if (op.status === "InProgress")
      return { status: 202, headers: { Location: ctx.url.toString(), "Retry-After": "0" } };
    if (op.status === "Failed" && op.error !== undefined) return ok({ error: op.error }, op.errorStatus ?? 409);
    return { status: 200 };
  }
  const body: JsonObject = { startTime: op.startTime, status: op.status, name: op.id };
  if (op.endTime !== undefined) body.endTime = op.endTime;
  if (op.error !== undefined) body.error = op.error;
  return ok(body, 200, op.status === "InProgress" ? { "Retry-After": "0" } : undefined);
}

export function operationStatusRoutes(deps: ComputeDeps): OperationRoute[] {
  return [
    {
      method: "GET",
      path: paths.operation,
      apiVersions: apiVersions.operations,
      handler: (ctx) => operationStatus(deps, ctx),
    },
  ];
}
