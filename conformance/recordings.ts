/**
 * Loading the az CLI recordings (`<repo>/../shared/aks-recordings`, vcrpy YAML) and classifying each interaction: which
 * provider and resource type it calls, which operation (method + path template) it is, and what role it plays in a
 * replay (a request to send, a recorded async poll to collapse, a paging follow-up to re-derive).
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { parse } from "yaml";

export const RECORDED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

export interface RecordedRequest {
  method: string;
  host: string;
  /** Path without the query, as recorded (subscription id still the recorded one). */
  path: string;
  query: URLSearchParams;
  /** Request body text as sent, or undefined. */
  body: string | undefined;
  headers: Record<string, string>;
}

export interface RecordedResponse {
  status: number;
  text: string;
  json: unknown;
  /** Lower-case header names, first value. */
  headers: Record<string, string>;
  /** The `date` header as an instant (undefined when absent). */
  date: Date | undefined;
}

export type InteractionKind =
  /** A request the replay sends as recorded. */
  | "request"
  /** `GET .../locations/{loc}/operations/{id}`: the replay follows aksemu's own Azure-AsyncOperation instead. */
  | "poll"
  /** `GET .../locations/{loc}/operationresults/{id}`: the replay follows aksemu's own Location instead. */
  | "result"
  /** A list GET with `$skipToken`: the follow-up of a recorded nextLink; re-derived from aksemu's own nextLink. */
  | "nextPage";

export interface Interaction {
  index: number;
  kind: InteractionKind;
  request: RecordedRequest;
  response: RecordedResponse;
  /** Provider namespace (`Microsoft.ContainerService`), `Microsoft.Resources`, or `graph` for graph.microsoft.com. */
  namespace: string;
  /** Namespace + resource type path, e.g. `Microsoft.ContainerService/managedClusters/agentPools`. */
  resourceType: string;
  /** `METHOD /subscriptions/{subscriptionId}/...` with placeholders, lower-case literals normalised to the spec's case. */
  operation: string;
  apiVersion: string;
  /** The az command that sent it (`aks create`). */
  command: string;
}

export interface Recording {
  /** `top/test_aks_abort` or `az-2.45.0/test_aks_abort`. */
  name: string;
  set: "top" | "az-2.45.0";
  file: string;
  interactions: Interaction[];
  /** Instant of the first response (its `date` header). */
  startedAt: Date;
}

/** The recordings: `<repo>/../shared/aks-recordings`, or `AKSEMU_RECORDINGS_DIR`. */
export const RECORDINGS_DIR =
  process.env.AKSEMU_RECORDINGS_DIR ?? join(import.meta.dirname, "..", "..", "shared", "aks-recordings");

export interface RecordingEntry {
  name: string;
  set: Recording["set"];
  file: string;
  /** First and last recorded answer (`date` headers). */
  date: Date;
  end: Date;
}

/**
 * How far a date may run ahead of one recorded after it and still be the recording's time: ARM's front ends stamp
 * `date` with clocks a second or so apart (top/test_aks_create_blb_vmas: a GET dated :10 before a list dated :09).
 */
const DATE_JITTER_MS = 60_000;

/**
 * Whether the date at `i` is later than a date recorded after it, beyond the front ends' jitter: an answer spliced in
 * from another recording session (top/test_aks_create_edge_zone and top/test_aks_nodepool_add_with_gpu_instance_profile
 * open with a 404 dated 2023-03-15 before answers of 2022). Such a date is not the recording's time and does not move
 * the clock.
 */
function laterThanFollowing(dates: readonly number[], i: number): boolean {
  const t = dates[i]!;
  for (let k = i + 1; k < dates.length; k++) if (dates[k]! < t - DATE_JITTER_MS) return true;
  return false;
}

/** Recording files with the dates of their first and last responses, read cheaply (no YAML parse), sorted by date. */
export function listRecordings(dir = RECORDINGS_DIR): RecordingEntry[] {
  const out: RecordingEntry[] = [];
  const sets: [Recording["set"], string][] = [
    ["top", dir],
    ["az-2.45.0", join(dir, "az-2.45.0")],
  ];
  for (const [set, folder] of sets) {
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder).sort()) {
      if (!f.endsWith(".yaml")) continue;
      const file = join(folder, f);
      const text = readFileSync(file, "utf8");
      const dates = [...text.matchAll(/^\s*date:\s*\n\s*-\s*(.+)$/gm)]
        .map((m) => new Date(m[1]!.trim().replace(/^'|'$/g, "")).getTime())
        .filter((t) => !Number.isNaN(t));
      const ordered = dates.filter((t, i) => !laterThanFollowing(dates, i));
      const first = ordered[0] ?? Date.parse("2023-01-01T00:00:00Z");
      const last = ordered.length === 0 ? first : Math.max(...ordered);
      out.push({ name: `${set}/${basename(f, ".yaml")}`, set, file, date: new Date(first), end: new Date(last) });
    }
  }
  return out.sort((a, b) => a.date.getTime() - b.date.getTime() || a.name.localeCompare(b.name));
}

interface RawInteraction {
  request: { body: string | null; headers: Record<string, string[]>; method: string; uri: string };
  response: {
    body: { string: string };
    headers: Record<string, string[]>;
    status: { code: number; message: string };
  };
}

function firstValues(headers: Record<string, string[] | string> | undefined, lower: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) out[lower ? k.toLowerCase() : k] = String(value);
  }
  return out;
}

/** The JSON of a body's text, or undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Known resource types' spec casing, so templates read like the spec's (`managedClusters`, `agentPools`). */
const SEGMENT_CASE: Record<string, string> = {
  resourcegroups: "resourceGroups",
  managedclusters: "managedClusters",
  agentpools: "agentPools",
  upgradeprofiles: "upgradeProfiles",
  maintenanceconfigurations: "maintenanceConfigurations",
  trustedaccessrolebindings: "trustedAccessRoleBindings",
  trustedaccessroles: "trustedAccessRoles",
  commandresults: "commandResults",
  kubernetesversions: "kubernetesVersions",
  meshrevisionprofiles: "meshRevisionProfiles",
  meshupgradeprofiles: "meshUpgradeProfiles",
  snapshots: "snapshots",
  locations: "locations",
  operations: "operations",
  operationresults: "operationresults",
  orchestrators: "orchestrators",
  providers: "providers",
  subscriptions: "subscriptions",
  listclusterusercredential: "listClusterUserCredential",
  listclusteradmincredential: "listClusterAdminCredential",
  listclustermonitoringusercredential: "listClusterMonitoringUserCredential",
  upgradenodeimageversion: "upgradeNodeImageVersion",
  runcommand: "runCommand",
  availableagentpoolversions: "availableAgentPoolVersions",
  privatelinkresources: "privateLinkResources",
  privateendpointconnections: "privateEndpointConnections",
  outboundnetworkdependenciesendpoints: "outboundNetworkDependenciesEndpoints",
  rotateclustercertificates: "rotateClusterCertificates",
  rotateserviceaccountsigningkeys: "rotateServiceAccountSigningKeys",
  resetaadprofile: "resetAADProfile",
  resetserviceprincipalprofile: "resetServicePrincipalProfile",
  resolveprivatelinkserviceid: "resolvePrivateLinkServiceId",
  managednamespaces: "managedNamespaces",
  machines: "machines",
  deletemachines: "deleteMachines",
  accessprofiles: "accessProfiles",
  listcredential: "listCredential",
};

/** Parameter names per collection segment (the spec's names). */
const PARAM_OF: Record<string, string> = {
  subscriptions: "{subscriptionId}",
  resourcegroups: "{resourceGroupName}",
  managedclusters: "{resourceName}",
  agentpools: "{agentPoolName}",
  maintenanceconfigurations: "{configName}",
  trustedaccessrolebindings: "{trustedAccessRoleBindingName}",
  commandresults: "{commandId}",
  snapshots: "{resourceName}",
  locations: "{location}",
  operations: "{operationId}",
  operationresults: "{operationId}",
  managednamespaces: "{managedNamespaceName}",
  machines: "{machineName}",
  privateendpointconnections: "{privateEndpointConnectionName}",
  accessprofiles: "{roleName}",
  meshrevisionprofiles: "{mode}",
  meshupgradeprofiles: "{mode}",
  tagnames: "{tagName}",
  deployments: "{deploymentName}",
};

/**
 * A path's operation template (`/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/...`) and its
 * provider namespace and resource type. Extension resources (`.../providers/Microsoft.Authorization/...` under another
 * resource) belong to the last namespace in the path. `/subscriptions/{id}/providers/{namespace}[/register]` is a
 * provider registration (Microsoft.Resources/providers).
 */
export function classifyPath(path: string): { template: string; namespace: string; resourceType: string } {
  const segments = path.split("/").filter((s) => s !== "");
  const out: string[] = [];
  let namespace = "Microsoft.Resources";
  let types: string[] = [];
  let i = 0;
  // Expecting a collection name (true) or the name of an item in it (false).
  let collection = true;
  let previous = "";
  while (i < segments.length) {
    const seg = segments[i]!;
    const lower = seg.toLowerCase();
    if (collection && lower === "providers") {
      const ns = segments[i + 1];
      if (ns !== undefined && /^[A-Za-z]+\.[A-Za-z.]+$/.test(ns)) {
        if (i + 2 >= segments.length || (i + 3 === segments.length && segments[i + 2]!.toLowerCase() === "register")) {
          // A provider registration.
          out.push("providers", "{resourceProviderNamespace}", ...segments.slice(i + 2));
          return {
            template: `/${out.join("/")}`,
            namespace: "Microsoft.Resources",
            resourceType: "Microsoft.Resources/providers",
          };
        }
        namespace = ns;
        types = [];
        out.push("providers", ns);
        i += 2;
        continue;
      }
    }
    if (collection) {
      const cased = SEGMENT_CASE[lower] ?? seg;
      out.push(cased);
      if (cased !== "subscriptions" && !(cased === "resourceGroups" && namespace === "Microsoft.Resources"))
        types.push(cased);
      else if (cased === "resourceGroups") types = ["resourceGroups"];
      else types = ["subscriptions"];
      previous = lower;
      collection = false;
    } else {
      if (previous === "upgradeprofiles") out.push(seg);
      else out.push(PARAM_OF[previous] ?? `{${(SEGMENT_CASE[previous] ?? previous).replace(/s$/, "")}Name}`);
      collection = true;
    }
    i += 1;
  }
  if (namespace === "Microsoft.Resources" && !out.includes("Microsoft.Resources")) {
    const last = types[types.length - 1] ?? "subscriptions";
    return {
      template: `/${out.join("/")}`,
      namespace,
      resourceType: `Microsoft.Resources/${last === "providers" ? "providers" : types[0] === "resourceGroups" ? "resourceGroups" : last}`,
    };
  }
  return { template: `/${out.join("/")}`, namespace, resourceType: `${namespace}/${types.join("/")}` };
}

function kindOf(method: string, template: string, query: URLSearchParams): InteractionKind {
  if (
    method === "GET" &&
    /\/providers\/Microsoft\.ContainerService\/locations\/\{location\}\/operations\/\{operationId\}$/.test(template)
  )
    return "poll";
  // A run command's result (`commandResults/{id}`, the runCommand's Location) is polled like an operation.
  if (method === "GET" && /\/managedClusters\/\{resourceName\}\/commandResults\/\{commandId\}$/.test(template))
    return "poll";
  if (
    method === "GET" &&
    /\/providers\/Microsoft\.ContainerService\/locations\/\{location\}\/operationresults\/\{operationId\}$/.test(
      template,
    )
  )
    return "result";
  if (method === "GET" && (query.has("$skipToken") || query.has("skipToken"))) return "nextPage";
  return "request";
}

function toInteraction(raw: RawInteraction, index: number): Interaction {
  const url = new URL(raw.request.uri);
  const headers = firstValues(raw.request.headers, false);
  const text = raw.response.body?.string ?? "";
  const responseHeaders = firstValues(raw.response.headers, true);
  const dateHeader = responseHeaders.date;
  const date = dateHeader === undefined ? undefined : new Date(dateHeader);
  const request: RecordedRequest = {
    method: raw.request.method.toUpperCase(),
    host: url.host,
    path: url.pathname,
    query: url.searchParams,
    body: raw.request.body ?? undefined,
    headers,
  };
  const response: RecordedResponse = {
    status: raw.response.status.code,
    text,
    json: parseJson(text),
    headers: responseHeaders,
    date: date === undefined || Number.isNaN(date.getTime()) ? undefined : date,
  };
  let namespace: string;
  let resourceType: string;
  let template: string;
  if (url.host !== "management.azure.com") {
    namespace = "graph";
    resourceType = `graph${url.pathname.replace(/\/v1\.0/, "").replace(/\/[0-9a-f-]{36}/g, "/{id}")}`;
    template = `${url.host}${url.pathname}`;
  } else {
    ({ template, namespace, resourceType } = classifyPath(url.pathname));
  }
  return {
    index,
    kind: namespace === "graph" ? "request" : kindOf(request.method, template, url.searchParams),
    request,
    response,
    namespace,
    resourceType,
    operation: `${request.method} ${template}`,
    apiVersion: url.searchParams.get("api-version") ?? "-",
    command: headers.CommandName ?? "",
  };
}

export function loadRecording(entry: RecordingEntry): Recording {
  const doc = parse(readFileSync(entry.file, "utf8"), { version: "1.1" }) as { interactions: RawInteraction[] };
  const interactions = (doc.interactions ?? []).map((raw, i) => toInteraction(raw, i));
  const dated = interactions.filter((i) => i.response.date !== undefined);
  const times = dated.map((i) => i.response.date!.getTime());
  dated.forEach((interaction, k) => {
    if (laterThanFollowing(times, k)) interaction.response.date = undefined;
  });
  const first = interactions.find((i) => i.response.date !== undefined)?.response.date ?? entry.date;
  return { name: entry.name, set: entry.set, file: entry.file, interactions, startedAt: first };
}
