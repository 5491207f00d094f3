/**
 * Control API for node faults: `POST /_emulator/faults` with `{"cluster": "<ARM id>", "node": "<name>", "fault":
 * "<kind>"}` injects one (KubeletStopped, OSDiskCorrupted, HostFailure, Unrecoverable, NoHeartbeat: a ladder that
 * matches node auto-repair's reboot → reimage → redeploy); `DELETE /_emulator/faults/<id>` ends it;
 * `GET /_emulator/faults[?cluster=<ARM id>]` and `GET /_emulator/faults/<id>` show them (a cured fault says by what).
 */
import { ArmError } from "../arm/errors.js";
import { isObject } from "../arm/body.js";
import type { ArmResponse, PlainRoute } from "../arm/handler.js";
import type { Clock } from "../clock/clock.js";
import { FAULT_KINDS } from "../nodes/model.js";
import type { Nodes } from "../nodes/nodes.js";
import type { Store } from "../store/store.js";
import { clusterIdFrom } from "./nodes.js";

export interface FaultRouteOptions {
  store: Store;
  clock: Clock;
  nodes: Nodes;
}

export function faultRoutes(options: FaultRouteOptions): PlainRoute[] {
  const { store, nodes } = options;
  return [
    {
      method: "POST",
      path: "/_emulator/faults",
      auth: "emulator",
      handler: async (req): Promise<ArmResponse> => {
        const body = req.body;
        if (
          !isObject(body) ||
          typeof body.cluster !== "string" ||
          typeof body.node !== "string" ||
          typeof body.fault !== "string"
        ) {
          throw new ArmError(
            400,
            "InvalidRequestContent",
            `Send {"cluster": "<managed cluster ARM id>", "node": "<node name>", "fault": "<${FAULT_KINDS.join(" | ")}>"}.`,
          );
        }
        const clusterId = clusterIdFrom(body.cluster);
        const { cluster: _c, node, fault } = body as { cluster: string; node: string; fault: string };
        if ((await store.getResource(clusterId)) === undefined) {
          throw new ArmError(404, "ResourceNotFound", `The managed cluster '${clusterId}' was not found.`, {
            target: "cluster",
          });
        }
        const record = await store.transaction((tx) => nodes.injectFault(tx, clusterId, node, fault));
        return { status: 201, body: record };
      },
    },
    {
      method: "GET",
      path: "/_emulator/faults",
      auth: "emulator",
      handler: async (req): Promise<ArmResponse> => {
        const cluster = req.query.cluster;
        const list = await nodes.listFaults(store, cluster === undefined ? undefined : clusterIdFrom(cluster));
        return { status: 200, body: { value: list } };
      },
    },
    {
      method: "GET",
      path: "/_emulator/faults/:id",
      auth: "emulator",
      handler: async (req): Promise<ArmResponse> => {
        const fault = await nodes.getFault(store, req.params.id!);
        if (fault === undefined) {
          throw new ArmError(
            404,
            "FaultNotFound",
            `No fault with id '${req.params.id!}'. List them with GET /_emulator/faults.`,
          );
        }
        return { status: 200, body: fault };
      },
    },
    {
      method: "DELETE",
      path: "/_emulator/faults/:id",
      auth: "emulator",
      handler: async (req): Promise<ArmResponse> => {
        const removed = await store.transaction((tx) => nodes.removeFault(tx, req.params.id!));
        return { status: 200, body: removed };
      },
    },
  ];
}
