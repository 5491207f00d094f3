/**
 * Control API for the simulated nodes (until aksemu has a Kubernetes API):
 * - `GET /_emulator/nodes/<cluster ARM id>`: the cluster's nodes with their conditions, kubelet and container runtime
 *   health, versions, labels, taints, power state, faults, auto-repair state and recent events;
 * - `PATCH /_emulator/nodes/<cluster ARM id>/<node name>` with `{"labels": {...}}`: stands in for `kubectl label
 *   node`; a change to a protected system label is denied as AKS's node validating webhook denies it.
 */
import { ArmError } from "../arm/errors.js";
import { isObject } from "../arm/body.js";
import type { ArmResponse, PlainRoute } from "../arm/handler.js";
import { parseResourceId } from "../arm/resource-id.js";
import type { Clock } from "../clock/clock.js";
import { getClusterNodesState } from "../nodes/cluster-state.js";
import { componentHealth, currentTaints, readyCondition } from "../nodes/model.js";
import type { NodeResource, Nodes } from "../nodes/nodes.js";
import type { Store } from "../store/store.js";

export interface NodeRouteOptions {
  store: Store;
  clock: Clock;
  nodes: Nodes;
}

/** The cluster ARM id of a wildcard path, or a 400 that says what to send. */
export function clusterIdFrom(path: string): string {
  const id = `/${decodeURIComponent(path).replace(/^\/+/, "").replace(/\/+$/, "")}`;
  const parsed = parseResourceId(id);
  if (
    parsed === undefined ||
    parsed.resourceGroup === undefined ||
    parsed.namespace?.toLowerCase() !== "microsoft.containerservice" ||
    parsed.resourceType?.toLowerCase() !== "managedclusters"
  ) {
    throw new ArmError(
      400,
      "InvalidClusterId",
      `'${id}' is not a managed cluster id. Use /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}.`,
    );
  }
  return id;
}

async function requireCluster(store: Store, clusterId: string): Promise<void> {
  if ((await store.getResource(clusterId)) === undefined) {
    throw new ArmError(404, "ResourceNotFound", `The managed cluster '${clusterId}' was not found.`);
  }
}

/** One node as the listing shows it. */
export function nodeView(node: NodeResource, now: Date): Record<string, unknown> {
  const s = node.internal;
  const vmssName = s.vmssId.slice(s.vmssId.lastIndexOf("/") + 1);
  return {
    name: s.name,
    pool: s.pool,
    scaleSet: vmssName,
    instanceId: s.instanceId,
    vmResourceId: node.id,
    osType: s.osType,
    powerState: s.power,
    ...(s.powerChange === undefined ? {} : { powerChange: s.powerChange }),
    createdAt: s.createdAt,
    conditions: [readyCondition(s, now)],
    ready: readyCondition(s, now).status === "True",
    health: componentHealth(s),
    kubeletVersion: s.kubeletVersion,
    nodeImageVersion: s.nodeImageVersion,
    labels: s.labels,
    taints: currentTaints(s, now),
    faults: s.faults,
    autoRepair: s.repair,
    events: s.events,
  };
}

export function nodeRoutes(options: NodeRouteOptions): PlainRoute[] {
  const { store, clock, nodes } = options;
  return [
    {
      method: "GET",
      path: "/_emulator/nodes/*",
      auth: "emulator",
      handler: async (req): Promise<ArmResponse> => {
        const clusterId = clusterIdFrom(req.params["*"] ?? "");
        await requireCluster(store, clusterId);
        const now = clock.now();
        const list = await nodes.listForCluster(store, clusterId);
        const facts = await getClusterNodesState(store, clusterId);
        const views = list.map((n) => nodeView(n, now));
        return {
          status: 200,
          body: {
            cluster: clusterId,
            now: now.toISOString(),
            summary: {
              nodes: views.length,
              ready: views.filter((v) => v.ready === true).length,
              running: list.filter((n) => n.internal.power === "running").length,
              deallocated: list.filter((n) => n.internal.power === "deallocated").length,
            },
            customerChanges: facts?.tampering ?? [],
            value: views,
          },
        };
      },
    },
    {
      method: "PATCH",
      path: "/_emulator/nodes/*",
      auth: "emulator",
      handler: async (req): Promise<ArmResponse> => {
        const raw = (req.params["*"] ?? "").replace(/\/+$/, "");
        const cut = raw.lastIndexOf("/");
        const clusterId = clusterIdFrom(raw.slice(0, cut));
        const nodeName = decodeURIComponent(raw.slice(cut + 1));
        const body = req.body;
        if (!isObject(body) || !isObject(body.labels)) {
          throw new ArmError(
            400,
            "InvalidRequestContent",
            'Send {"labels": {"<key>": "<value>" | null}} (null removes a label), as `kubectl label node` would.',
          );
        }
        const labels = body.labels;
        return store.transaction(async (tx) => {
          await requireCluster(tx, clusterId);
          const node = await nodes.findByName(tx, clusterId, nodeName);
          if (node === undefined) {
            throw new ArmError(404, "NodeNotFound", `nodes "${nodeName}" not found in cluster '${clusterId}'.`);
          }
          const updated = await nodes.patchLabels(tx, node, labels);
          return { status: 200, body: nodeView(updated, clock.now()) };
        });
      },
    },
  ];
}
