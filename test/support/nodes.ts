/**
 * Helpers of the node suites (test/nodes-*.test.ts): the real @azure/arm-compute client of a server, and the control
 * API's nodes and faults (`/_emulator/nodes/<cluster id>`, `/_emulator/faults`) through plain fetch.
 */
import assert from "node:assert/strict";
import { ComputeManagementClient } from "@azure/arm-compute";
import type { Aksemu } from "./aksemu.js";

/** One node as `GET /_emulator/nodes/<cluster id>` lists it. */
export interface NodeView {
  name: string;
  pool: string;
  scaleSet: string;
  instanceId: string;
  ready: boolean;
  powerState: string;
  powerChange?: { via: string; by: string; at: string; action: string };
  conditions: { type: string; status: string; reason: string }[];
  health: { kubelet: string; containerRuntime: string };
  kubeletVersion: string;
  nodeImageVersion: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  autoRepair: { status: string; round: number; lastOutcome?: string };
  events: NodeEvent[];
}

export interface NodeEvent {
  type: string;
  reason: string;
  message: string;
  source: string;
  firstTimestamp: string;
}

/** A fault injected into a node (`/_emulator/faults`). */
export interface Fault {
  id: string;
  status: string;
  curedBy?: string;
  curedAt?: string;
}

export function computeClient(server: Aksemu): ComputeManagementClient {
  return new ComputeManagementClient(server.credential(), server.subscriptionId, { endpoint: server.url });
}

/** The nodes of a cluster. */
export async function listNodes(server: Aksemu, clusterId: string): Promise<NodeView[]> {
  const r = await server.fetch(`/_emulator/nodes${clusterId}`, { auth: false });
  assert.equal(r.status, 200, r.text);
  return (r.body as { value: NodeView[] }).value;
}

/** Injects a fault into a node of a cluster. */
export async function injectFault(server: Aksemu, clusterId: string, node: string, fault: string): Promise<Fault> {
  const r = await server.fetch("/_emulator/faults", {
    method: "POST",
    auth: false,
    body: { cluster: clusterId, node, fault },
  });
  assert.equal(r.status, 201, r.text);
  return r.body as Fault;
}
