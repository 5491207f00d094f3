/**
 * `az aks command invoke`: `POST managedClusters/{name}/runCommand` answers 202 with a `Location` to
 * `managedClusters/{name}/commandResults/{commandId}` (api-version as requested), which answers 202 (Location again,
 * `provisioningState: Running`, `startedAt`) while the command runs and 200 with the result once it is done
 * (recording az-2.45.0/test_aks_run_command.yaml; spec `ManagedClusters_RunCommand` / `ManagedClusters_GetCommandResult`).
 *
 * There is no Kubernetes behind an emulated cluster, so nothing is executed: the command ends `Succeeded` with
 * `exitCode` 0 and `logs` that say so and echo the command (docs/operations.md). What real AKS refuses is refused the
 * same way: a missing command, a context that is not base64, a stopped cluster.
 *
 * Timing, on the emulated clock: with default timings the result is ready after the server's operation duration; with
 * `--realistic-timings` the command pod starts 4 s after the request, the command runs for 1 s and its result is
 * collected 10 s after the request (the real recording: started 4 s after, result read between 6 and 11 s after).
 * A result is a small resource under its cluster, so it goes away with the cluster.
 */
import { randomBytes } from "node:crypto";
import { ArmError } from "../../arm/errors.js";
import { asObject, optionalString, type JsonObject } from "../../arm/body.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import { aksErrors } from "./errors.js";
import type { ClusterRecord } from "./lifecycle.js";

export const COMMAND_RESULT_TYPE = "microsoft.containerservice/managedclusters/commandresults";

interface CommandState extends JsonObject {
  commandId: string;
  command: string;
  contextBytes: number;
  caller: string;
  requestedAt: string;
  startedAt: string;
  finishedAt: string;
  /** When GET commandResults answers with the result instead of 202. */
  readyAt: string;
}

const POLL = { "Retry-After-Ms": "100" };
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function logsFor(state: CommandState, cluster: string): string {
  const lines = [
    `aksemu: managed cluster '${cluster}' is emulated and has no Kubernetes API server, so the command was accepted but not executed.`,
    `command: ${state.command}`,
  ];
  if (state.contextBytes > 0) lines.push(`context: ${state.contextBytes} bytes of attached files (not unpacked)`);
  return `${lines.join("\n")}\n`;
}

export function runCommandRoutes(
  platform: Platform,
  requireCluster: (store: Store, ctx: RequestContext) => Promise<ClusterRecord>,
  realisticTimings: boolean,
): OperationRoute[] {
  const one = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ContainerService/managedClusters/:resourceName"; // prettier-ignore
  const resultUrl = (ctx: RequestContext, record: ClusterRecord, commandId: string): string =>
    `${ctx.baseUrl}${record.cluster.id}/commandResults/${commandId}?api-version=${encodeURIComponent(ctx.apiVersion)}`;

  const run = (ctx: RequestContext): Promise<ArmResponse> => {
    const body = asObject(ctx.body);
    const command = optionalString(body, "command", "command");
    if (command === undefined || command.trim() === "") {
      throw aksErrors.invalidParameter("The run command request needs a command, e.g. 'kubectl get pods -A'.", "command"); // prettier-ignore
    }
    const context = optionalString(body, "context", "context") ?? "";
    optionalString(body, "clusterToken", "clusterToken");
    if (!BASE64.test(context) || context.length % 4 !== 0) {
      throw aksErrors.invalidParameter("The context must be a base64-encoded zip file of the files the command needs (or empty).", "context"); // prettier-ignore
    }
    return platform.store.transaction(async (store) => {
      const record = await requireCluster(store, ctx);
      const { cluster } = record;
      if (cluster.body.properties.powerState.code === "Stopped") {
        throw aksErrors.clusterStopped("RunCommand", cluster.internal.stoppedAt);
      }
      const commandId = randomBytes(16).toString("hex");
      const t0 = platform.clock.nowMs();
      const at = (ms: number): string => new Date(t0 + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
      const fast = platform.operations.defaultDurationMs;
      const state: CommandState = {
        commandId,
        command,
        contextBytes: Math.floor((context.length * 3) / 4) - (context.endsWith("==") ? 2 : context.endsWith("=") ? 1 : 0), // prettier-ignore
        caller: ctx.caller.objectId,
        requestedAt: at(0),
        startedAt: at(realisticTimings ? 4000 : 0),
        finishedAt: at(realisticTimings ? 5000 : fast),
        readyAt: new Date(t0 + (realisticTimings ? 10_000 : fast)).toISOString(),
      };
      await store.putResource({
        id: `${cluster.id}/commandResults/${commandId}`,
        type: COMMAND_RESULT_TYPE,
        parentId: cluster.id,
        subscriptionId: cluster.subscriptionId,
        body: { id: commandId },
        internal: state,
        etag: commandId,
        at: platform.clock.now().toISOString(),
      });
      return { status: 202, headers: { Location: resultUrl(ctx, record, commandId), ...POLL } };
    });
  };

  const result = async (ctx: RequestContext): Promise<ArmResponse> => {
    const record = await requireCluster(platform.store, ctx);
    const id = ctx.params.commandId!;
    const found = await platform.store.getResource<JsonObject, CommandState>(
      `${record.cluster.id}/commandResults/${id}`,
    );
    if (found === undefined || found.type !== COMMAND_RESULT_TYPE) {
      throw new ArmError(
        404,
        "NotFound",
        `Could not find command result '${id}' of managed cluster '${record.cluster.body.name}'. Use the Location URL returned by the runCommand request; results are kept while the cluster exists.`,
      );
    }
    const state = found.internal;
    if (platform.clock.nowMs() < Date.parse(state.readyAt)) {
      return ok(
        { id: state.commandId, properties: { provisioningState: "Running", startedAt: state.startedAt } },
        202,
        { Location: resultUrl(ctx, record, state.commandId), ...POLL },
      );
    }
    return ok({
      id: state.commandId,
      properties: {
        provisioningState: "Succeeded",
        exitCode: 0,
        startedAt: state.startedAt,
        finishedAt: state.finishedAt,
        logs: logsFor(state, record.cluster.body.name),
      },
    });
  };

  return [
    { method: "POST", path: `${one}/runCommand`, apiVersions: apiVersions.managedClusters, handler: run },
    { method: "GET", path: `${one}/commandResults/:commandId`, apiVersions: apiVersions.managedClusters, handler: result }, // prettier-ignore
  ];
}
