/**
 * Helpers of the support-policy suites (test/policy-*.test.ts): clusters through the real
 * @azure/arm-containerservice on a frozen clock (each long-running operation is started, the clock moved, then the
 * poller finishes), the supportability view and the activity log through plain fetch.
 */
import { ContainerServiceClient, type ManagedCluster } from "@azure/arm-containerservice";
import type { Aksemu } from "./aksemu.js";

export const POLL = { updateIntervalInMs: 10 };

export interface Supportability {
  id: string;
  status: "Supported" | "PlatformSupport" | "BestEffort" | "OutOfSupport";
  findings: { rule: string; policySection: string; message: string; since: string; deadline?: string; consequence?: string }[]; // prettier-ignore
  upcoming: { action: string; at: string; rule: string; reason: string; targetVersion?: string }[];
  lastEtcdBackup: string | null;
  scheduledEvents: { eventType: string; publishedAt: string; eventDetails: { kubernetesVersion: string; eolDate: string; supportType: string; daysUntilEOL: number; region: string } }[]; // prettier-ignore
  archived: boolean;
  powerState: string;
  kubernetesVersion: string;
}

export interface ActivityEvent {
  caller: string;
  correlationId: string;
  description: string;
  operationName: { value: string };
  status: { value: string };
  resourceId: string;
  resourceGroupName: string;
  eventTimestamp: string;
  subscriptionId: string;
  category: { value: string };
  properties: Record<string, string>;
}

export function clusterClient(server: Aksemu, subscriptionId = server.subscriptionId): ContainerServiceClient {
  return new ContainerServiceClient(server.credential(), subscriptionId, { endpoint: server.url });
}

export function clusterId(subscriptionId: string, rg: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export function newCluster(overrides: Partial<ManagedCluster> = {}): ManagedCluster {
  return {
    location: "westeurope",
    identity: { type: "SystemAssigned" },
    dnsPrefix: "policy",
    agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    ...overrides,
  };
}

/** Starts a long-running operation, moves the frozen clock past its end, and waits for the poller. */
export async function settle<T>(server: Aksemu, start: Promise<{ pollUntilDone(): Promise<T> }>): Promise<T> {
  const poller = await start;
  await server.advance("PT1M");
  return poller.pollUntilDone();
}

export async function createCluster(
  server: Aksemu,
  rg: string,
  name: string,
  overrides: Partial<ManagedCluster> = {},
  subscriptionId = server.subscriptionId,
): Promise<ManagedCluster> {
  const client = clusterClient(server, subscriptionId);
  return settle(server, client.managedClusters.beginCreateOrUpdate(rg, name, newCluster({ dnsPrefix: name, ...overrides }), POLL)); // prettier-ignore
}

export async function supportability(server: Aksemu, id: string): Promise<Supportability> {
  const r = await server.fetch(`/_emulator/supportability${id}`, { auth: false });
  if (r.status !== 200) throw new Error(`supportability ${id}: ${r.status} ${r.text}`);
  return r.body as Supportability;
}

export async function setClock(server: Aksemu, iso: string): Promise<void> {
  const r = await server.fetch("/_emulator/clock", { method: "PUT", body: { now: iso }, auth: false });
  if (r.status !== 200) throw new Error(`clock: ${r.status} ${r.text}`);
}

export async function setSubscriptionState(server: Aksemu, subscriptionId: string, state: string): Promise<number> {
  const r = await server.fetch(`/_emulator/subscriptions/${subscriptionId}/state`, {
    method: "PUT",
    body: { state },
    auth: false,
  });
  if (r.status >= 300) throw new Error(`state: ${r.status} ${r.text}`);
  return r.status;
}

/** Every activity-log event of a subscription in a window (all pages), newest first. */
export async function activityLog(
  server: Aksemu,
  subscriptionId: string,
  from: string,
  to: string,
  extra = "",
): Promise<ActivityEvent[]> {
  const filter = `eventTimestamp ge '${from}' and eventTimestamp le '${to}'${extra}`;
  let path: string | undefined =
    `/subscriptions/${subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(filter)}`;
  const out: ActivityEvent[] = [];
  while (path !== undefined) {
    const r = await server.fetch(path);
    if (r.status !== 200) throw new Error(`activity log: ${r.status} ${r.text}`);
    const body = r.body as { value: ActivityEvent[]; nextLink?: string };
    out.push(...body.value);
    path = body.nextLink === undefined ? undefined : new URL(body.nextLink).pathname + new URL(body.nextLink).search;
  }
  return out;
}
