/**
 * AKS's async-operation URLs (shapes from the recordings, e.g. test_aks_stop_and_start.yaml):
 * - `GET /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{l}/operations/{id}` → 200
 *   `{name, status, startTime, endTime?, error?}`;
 * - `GET .../operationresults/{id}` → 202 while running; when done 204 (or 200 with the resource's body when the
 *   operation names a result resource, e.g. a node image upgrade); a failed operation answers with its error.
 *
 * Polling hints: `Retry-After-Ms` only (no `Retry-After`), so the az CLI polls every 100 ms while the JS SDK keeps
 * the interval its caller chose.
 */
import { ArmError } from "../../arm/errors.js";
import { ok, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import { NAMESPACE } from "./model.js";

const POLL = { "Retry-After-Ms": "100" };

/**
 * The headers of an accepted long-running AKS write: where to poll its status (`Azure-AsyncOperation`) and, for
 * actions and deletes, where to read its result (`Location`), on the URLs above.
 */
export function asyncOperationHeaders(
  ctx: RequestContext,
  op: OperationRecord,
  withLocation: boolean,
): Record<string, string> {
  const base = `${ctx.baseUrl}/subscriptions/${op.subscriptionId}/providers/${NAMESPACE}/locations/${op.location}`;
  const headers: Record<string, string> = {
    "Azure-AsyncOperation": `${base}/operations/${op.id}?api-version=2016-03-30`,
    "Retry-After": "1",
    ...POLL,
  };
  if (withLocation) headers.Location = `${base}/operationresults/${op.id}?api-version=2016-03-30`;
  return headers;
}

function statusBody(op: OperationRecord): Record<string, unknown> {
  const body: Record<string, unknown> = { name: op.id, status: op.status, startTime: op.startTime };
  if (op.endTime !== undefined) body.endTime = op.endTime;
  if (op.error !== undefined) body.error = op.error;
  return body;
}

export function operationRoutes(
  platform: Platform,
  /** The current wire body of an operation's result resource (a pool or a cluster), if it still exists. */
  resultBody: (id: string) => Promise<Record<string, unknown> | undefined>,
): OperationRoute[] {
  const base = "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/locations/:location";
  const find = async (ctx: RequestContext): Promise<OperationRecord> => {
    const op = await platform.operations.find(platform.store, ctx.params.operationId!, NAMESPACE, ctx.params.subscriptionId!); // prettier-ignore
    if (op === undefined) {
      throw new ArmError(
        404,
        "NotFound",
        `Could not find operation '${ctx.params.operationId!}' in subscription ${ctx.params.subscriptionId!}. Use the Azure-AsyncOperation or Location URL returned by the request that started it.`,
      );
    }
    return op;
  };
  return [
    {
      method: "GET",
      path: `${base}/operations/:operationId`,
      apiVersions: apiVersions.operations,
      handler: async (ctx) => {
        const op = await find(ctx);
        return ok(statusBody(op), 200, op.status === "InProgress" ? POLL : undefined);
      },
    },
    {
      method: "GET",
      path: `${base}/operationresults/:operationId`,
      apiVersions: apiVersions.operations,
      handler: async (ctx) => {
        const op = await find(ctx);
        if (op.status === "InProgress") {
          return { status: 202, headers: { Location: ctx.url.toString(), ...POLL } };
        }
        if (op.status === "Failed" || (op.status === "Canceled" && op.error !== undefined)) {
          const error = op.error ?? { code: "OperationCanceled", message: "The operation was canceled." };
          return ok({ error }, op.errorStatus ?? 400);
        }
        if (op.resultResourceId !== undefined) {
          const body = await resultBody(op.resultResourceId);
          if (body !== undefined) return ok(body, 200);
        }
        return { status: 204, headers: { Location: ctx.url.toString() } };
      },
    },
  ];
}
