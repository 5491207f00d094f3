/**
 * Replays one recording against a running aksemu: creates the resource groups the recording assumes, sends every
 * recorded request in order (subscription swapped, same body and api-version) with the emulated clock moved to the
 * recorded instant, follows aksemu's own Azure-AsyncOperation / Location / nextLink instead of the recorded polls, and
 * compares each answer with the real one (see compare.ts).
 */
import { compareResponse, describe, type Difference } from "./compare.js";
import { RECORDED_SUBSCRIPTION, type Interaction, type Recording } from "./recordings.js";
import type { AksemuServer, HttpResult } from "./server.js";

export interface InteractionResult {
  index: number;
  operation: string;
  apiVersion: string;
  kind: Interaction["kind"];
  command: string;
  /** What was sent (method + aksemu-relative path). */
  request: string;
  match: boolean;
  differences: Difference[];
}

export type RecordingStatus = "pass" | "differ" | "out-of-scope" | "error";

export interface RecordingResult {
  name: string;
  set: Recording["set"];
  status: RecordingStatus;
  /** Out-of-scope providers / resource types, when status is out-of-scope. */
  outOfScope: string[];
  interactions: InteractionResult[];
  matched: number;
  compared: number;
  /** Recorded interactions not compared one by one (collapsed polls, paging aksemu did not need, transient 5xx). */
  skipped: number;
  error?: string;
  ms: number;
}

/** Resource types of Microsoft.Resources that aksemu serves (more come from its provider catalog). */
const RESOURCES_TYPES = new Set(
  ["subscriptions", "resourceGroups", "providers", "locations", "tenants"].map((t) =>
    `microsoft.resources/${t}`.toLowerCase(),
  ),
);

export interface Scope {
  /** Lower-cased namespaces served whole (Microsoft.ContainerService is always in scope: it is the target). */
  namespaces: Set<string>;
  /** Lower-cased `namespace/type` pairs served. */
  types: Set<string>;
}

/** The scope: Microsoft.ContainerService, Microsoft.Resources' served types, and the namespaces aksemu's catalog serves. */
export async function discoverScope(server: AksemuServer): Promise<Scope> {
  const namespaces = new Set(["microsoft.containerservice"]);
  const types = new Set(RESOURCES_TYPES);
  const r = await server.arm("GET", `/subscriptions/${server.subscriptionId}/providers?api-version=2021-04-01`);
  const list = (r.json as { value?: { namespace: string; resourceTypes?: { resourceType: string }[] }[] })?.value ?? [];
  for (const p of list) {
    for (const t of p.resourceTypes ?? []) types.add(`${p.namespace}/${t.resourceType}`.toLowerCase());
  }
  return { namespaces, types };
}

function outOfScopeLabel(i: Interaction, scope: Scope): string | undefined {
  if (i.namespace === "graph") return "Microsoft Graph";
  const ns = i.namespace.toLowerCase();
  if (scope.namespaces.has(ns)) return undefined;
  const type = i.resourceType.toLowerCase();
  if (scope.types.has(type)) return undefined;
  // A child type of a served type (e.g. Microsoft.Compute/virtualMachineScaleSets/virtualMachines).
  const top = type.split("/").slice(0, 2).join("/");
  if (ns !== "microsoft.resources" && scope.types.has(top)) return undefined;
  if (ns === "microsoft.resources") return i.resourceType;
  return KNOWN_NAMESPACES.find((n) => n.toLowerCase() === ns) ?? i.namespace;
}

const KNOWN_NAMESPACES = [
  "Microsoft.Network",
  "Microsoft.Authorization",
  "Microsoft.ManagedIdentity",
  "Microsoft.KeyVault",
  "Microsoft.OperationalInsights",
  "Microsoft.Compute",
  "Microsoft.Storage",
];

export function scopeOf(recording: Recording, scope: Scope): string[] {
  const labels = new Set<string>();
  for (const i of recording.interactions) {
    const label = outOfScopeLabel(i, scope);
    if (label !== undefined) labels.add(label);
  }
  return [...labels].sort();
}

function operationIdOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return /\/(?:operations|operationresults|commandResults)\/([^/?]+)/i.exec(url)?.[1]?.toLowerCase();
}

function subst(text: string, sub: string): string {
  return text.split(RECORDED_SUBSCRIPTION).join(sub);
}

/** Header names forwarded from the recorded request (the rest is transport or the recorder's). */
const FORWARDED = /^(aks|x-ms-(?!client-request-id|return-client-request-id)|if-match|if-none-match)/i;

interface Pending {
  asyncUrl?: string;
  locationUrl?: string;
}

const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled"]);
const MAX_POLLS = 40;

export async function replayRecording(
  recording: Recording,
  server: AksemuServer,
  scope: Scope,
): Promise<RecordingResult> {
  const started = performance.now();
  const result: RecordingResult = {
    name: recording.name,
    set: recording.set,
    status: "pass",
    outOfScope: scopeOf(recording, scope),
    interactions: [],
    matched: 0,
    compared: 0,
    skipped: 0,
    ms: 0,
  };
  if (result.outOfScope.length > 0) {
    result.status = "out-of-scope";
    return result;
  }
  const sub = server.subscriptionId;
  try {
    await setUp(recording, server);
    const pending = new Map<string, Pending>();
    /** aksemu's nextLink per list path (lower-case, no query), from its last answer. */
    const nextLinks = new Map<string, string>();
    let requestTexts = "";
    /** Versions real AKS chose → the ones aksemu chose (see compare.ts RULES). */
    const learned = new Map<string, string>();
    const all = recording.interactions;
    for (let n = 0; n < all.length; n++) {
      const i = all[n]!;
      if (i.response.status >= 500) {
        result.skipped++;
        continue;
      }
      if (i.response.date !== undefined) await server.moveClockTo(i.response.date);
      const base = {
        index: i.index,
        operation: i.operation,
        apiVersion: i.apiVersion,
        kind: i.kind,
        command: i.command,
      };
      if (i.kind === "poll") {
        const opId = operationIdOf(i.request.path);
        const next = all[n + 1];
        if (next !== undefined && next.kind === "poll" && operationIdOf(next.request.path) === opId) {
          result.skipped++;
          continue;
        }
        const target = opId === undefined ? undefined : pending.get(opId);
        const url = target?.asyncUrl ?? target?.locationUrl;
        if (url === undefined) {
          push(result, base, `GET (poll of operation ${opId})`, [
            { path: "header azure-asyncoperation", expected: "an operation to poll", got: "aksemu gave none" },
          ]);
          continue;
        }
        const got = await pollToEnd(server, url);
        push(
          result,
          base,
          `GET ${pathOf(url)}`,
          compareResponse(i.response, got, { write: false, requestTexts, operationStatus: true }),
        );
        continue;
      }
      if (i.kind === "result") {
        const opId = operationIdOf(i.request.path);
        const url = opId === undefined ? undefined : pending.get(opId)?.locationUrl;
        if (url === undefined) {
          push(result, base, `GET (operation result ${opId})`, [
            { path: "header location", expected: "an operation result to fetch", got: "aksemu gave none" },
          ]);
          continue;
        }
        const got = await pollToEnd(server, url);
        push(result, base, `GET ${pathOf(url)}`, compareResponse(i.response, got, { write: false, requestTexts }));
        continue;
      }
      if (i.kind === "nextPage") {
        const link = nextLinks.get(i.request.path.toLowerCase());
        if (link === undefined) {
          result.skipped++;
          continue;
        }
        const got = await server.arm("GET", link);
        recordNextLink(nextLinks, i, got);
        push(
          result,
          base,
          `GET ${pathOf(link)}`,
          compareResponse(i.response, got, { write: false, requestTexts, learned }),
        );
        continue;
      }
      // A request sent as recorded.
      const path = subst(i.request.path, sub);
      const query = i.request.query.toString();
      let body = i.request.body === undefined ? undefined : subst(i.request.body, sub);
      if (body !== undefined) for (const [from, to] of learned) body = body.split(`"${from}"`).join(`"${to}"`);
      if (body !== undefined) requestTexts += `\n${i.request.body}`;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(i.request.headers)) if (FORWARDED.test(k)) headers[k] = v;
      const got = await server.arm(i.request.method, `${path}${query === "" ? "" : `?${query}`}`, body, headers);
      const recordedOp =
        operationIdOf(i.response.headers["azure-asyncoperation"]) ?? operationIdOf(i.response.headers.location);
      if (recordedOp !== undefined) {
        const p: Pending = {};
        if (got.headers["azure-asyncoperation"] !== undefined) p.asyncUrl = got.headers["azure-asyncoperation"];
        if (got.headers.location !== undefined) p.locationUrl = got.headers.location;
        if (p.asyncUrl !== undefined || p.locationUrl !== undefined) pending.set(recordedOp, p);
      }
      recordNextLink(nextLinks, i, got);
      const write = i.request.method !== "GET";
      push(
        result,
        base,
        `${i.request.method} ${pathOf(`${path}${query === "" ? "" : `?${query}`}`)}`,
        compareResponse(i.response, got, { write, requestTexts, learned }),
      );
    }
  } catch (error) {
    result.status = "error";
    result.error = error instanceof Error ? error.message : String(error);
  }
  if (result.status === "pass" && result.matched < result.compared) result.status = "differ";
  result.ms = Math.round(performance.now() - started);
  return result;
}

function recordNextLink(nextLinks: Map<string, string>, i: Interaction, got: HttpResult): void {
  const link = (got.json as { nextLink?: unknown } | undefined)?.nextLink;
  if (typeof link === "string" && link !== "") nextLinks.set(i.request.path.toLowerCase(), link);
  else nextLinks.delete(i.request.path.toLowerCase());
}

function pathOf(url: string): string {
  const u = new URL(url, "https://x");
  return `${u.pathname}${u.search}`.replace(/^\/subscriptions\/[^/]+/i, "/subscriptions/{sub}");
}

function push(
  result: RecordingResult,
  base: Omit<InteractionResult, "request" | "match" | "differences">,
  request: string,
  differences: Difference[],
): void {
  const match = differences.length === 0;
  result.interactions.push({ ...base, request, match, differences });
  result.compared++;
  if (match) result.matched++;
}

/** GETs an operation URL until it reports a terminal state, moving the frozen clock 30 s between polls. */
async function pollToEnd(server: AksemuServer, url: string): Promise<HttpResult> {
  let got = await server.arm("GET", url);
  for (let k = 0; k < MAX_POLLS; k++) {
    const status = (got.json as { status?: unknown } | undefined)?.status;
    const inProgress =
      got.status === 202 || (got.status === 200 && typeof status === "string" && !TERMINAL.has(status.toLowerCase()));
    if (!inProgress) return got;
    await server.advance("PT30S");
    got = await server.arm("GET", url);
  }
  return got;
}

/** Resource groups the recording uses without creating them (the test preparer made them), with their location. */
export function assumedResourceGroups(recording: Recording): { name: string; location: string; tags?: unknown }[] {
  const nodeGroups = new Set<string>();
  let firstLocation: string | undefined;
  for (const i of recording.interactions) {
    for (const m of i.response.text.matchAll(/"nodeResourceGroup":\s*"([^"]+)"/g)) nodeGroups.add(m[1]!.toLowerCase());
    if (firstLocation === undefined && i.request.body !== undefined) {
      firstLocation = /"location":\s*"([^"]+)"/.exec(i.request.body)?.[1];
    }
  }
  const seen = new Map<string, { name: string; location: string; tags?: unknown; created: boolean }>();
  for (const i of recording.interactions) {
    if (i.namespace === "graph") continue;
    const m = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)(\/.*)?$/i.exec(i.request.path);
    if (m === null) continue;
    const name = decodeURIComponent(m[1]!);
    const key = name.toLowerCase();
    const isGroupItself = m[2] === undefined || m[2] === "";
    let entry = seen.get(key);
    if (entry === undefined) {
      const created = isGroupItself && i.request.method === "PUT";
      entry = { name, location: firstLocation ?? "westus2", created };
      seen.set(key, entry);
    }
    if (isGroupItself && i.request.method === "GET" && i.response.status === 200) {
      const body = i.response.json as { location?: string; tags?: unknown } | undefined;
      if (body?.location !== undefined) entry.location = body.location;
      if (body?.tags !== undefined) entry.tags = body.tags;
    }
  }
  return [...seen.entries()]
    .filter(([key, e]) => !e.created && !nodeGroups.has(key) && !/^mc_/i.test(key))
    .map(([, e]) => (e.tags === undefined ? { name: e.name, location: e.location } : e));
}

/**
 * Preview flags the recording's subscription had registered, as its answers show: Trusted Launch images on pools
 * whose requests never asked for Secure Boot or vTPM are what `TrustedLaunchPreview` did before Trusted Launch's GA
 * (see `trustedLaunchGa` in src/providers/containerservice/state.ts).
 */
export function assumedFeatures(recording: Recording): { namespace: string; name: string }[] {
  const asked = recording.interactions.some((i) => /"enable(SecureBoot|VTPM)":\s*true/i.test(i.request.body ?? ""));
  const shown = recording.interactions.some((i) => /"nodeImageVersion":\s*"[^"]*gen2TL/.test(i.response.text));
  return shown && !asked ? [{ namespace: "Microsoft.ContainerService", name: "TrustedLaunchPreview" }] : [];
}

async function setUp(recording: Recording, server: AksemuServer): Promise<void> {
  // Flags first: registering settles on the clock (one operation's time) before the recording starts.
  const featurePath = (f: { namespace: string; name: string }): string =>
    `/subscriptions/${server.subscriptionId}/providers/Microsoft.Features/providers/${f.namespace}/features/${f.name}`;
  for (const f of assumedFeatures(recording)) {
    const r = await server.arm("POST", `${featurePath(f)}/register?api-version=2021-07-01`);
    if (r.status !== 200) throw new Error(`set-up: registering ${f.name} failed: ${r.status} ${r.text}`);
  }
  // The preparer created the group a few seconds before the first recorded answer.
  await server.moveClockTo(new Date(recording.startedAt.getTime() - 10_000));
  for (const f of assumedFeatures(recording)) {
    const r = await server.arm("GET", `${featurePath(f)}?api-version=2021-07-01`);
    const state = (r.json as { properties?: { state?: string } } | undefined)?.properties?.state;
    if (state !== "Registered") throw new Error(`set-up: ${f.name} is ${String(state)}, not Registered, when the recording starts`); // prettier-ignore
  }
  for (const rg of assumedResourceGroups(recording)) {
    const body = JSON.stringify(
      rg.tags === undefined ? { location: rg.location } : { location: rg.location, tags: rg.tags },
    );
    const r = await server.arm(
      "PUT",
      `/subscriptions/${server.subscriptionId}/resourcegroups/${encodeURIComponent(rg.name)}?api-version=2021-04-01`,
      body,
    );
    if (r.status !== 200 && r.status !== 201)
      throw new Error(`set-up: creating resource group ${rg.name} failed: ${r.status} ${r.text}`);
  }
}

export function firstDifference(result: RecordingResult): string {
  if (result.error !== undefined) return `error: ${result.error}`;
  const bad = result.interactions.find((x) => !x.match);
  if (bad === undefined) return "";
  return `#${bad.index} ${bad.request.split("?")[0]} — ${describe(bad.differences[0]!)}`;
}
