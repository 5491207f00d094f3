/**
 * How a response from aksemu is compared with the recorded (or example) one. The rules are listed in RULES (printed
 * into docs/coverage.md) so that what counts as a "match" is stated, not hidden in code.
 *
 * In short: the status code must be equal; every field of the real JSON body must be present in aksemu's with the
 * same JSON type (extra fields are allowed); ids, names, enums, states, counts and flags must be equal, except the
 * values that depend on time, randomness, the recorder's sanitization or the real service's rollout, which are
 * compared by type or by their stable part.
 */

export const RULES: string[] = [
  "Status code: equal. Recorded 5xx answers (transient server errors the client retried) are skipped.",
  "Error bodies (status >= 400): the error code must be equal (`error.code`, or the bare `code` AKS sometimes sends without the ARM envelope); messages and the envelope are not compared.",
  "JSON shape: every key of the real body must be in aksemu's body with the same JSON type (string, number, boolean, object, array); extra keys are allowed; a real `null` accepts anything.",
  "Arrays: the same length; elements are paired by `name` when they have one, by major.minor when they carry a Kubernetes version (`kubernetesVersion`/`orchestratorVersion`/`version`), otherwise by position (arrays of strings: as sorted sets).",
  "Strings: equal after normalisation: GUIDs (also as 32 hex digits, e.g. run command ids) become `<guid>`, ISO-8601 date-times become `<time>`, subscription ids become `<sub>`; ids (`id`, `*Id`, `*ID`) compare case-insensitively (ARM ids are case-insensitive; real AKS writes `resourcegroups`).",
  "Type only (random, time-dependent or sanitized by the recorder): `etag`/`eTag`, `fqdn`, `azurePortalFQDN`, `privateFQDN`, `fqdnSubdomain` when not sent, `resourceUID`, `issuerURL`, `clientId`/`objectId`/`principalId` (the recorder replaced them with 00000000-...-0001), `secret`, `kubeconfigs[].value` (base64 kubeconfig with real random names), `startTime`/`endTime`, `systemData`'s `createdBy`/`lastModifiedBy` and their `*ByType` (who ran the recording: a user; aksemu's callers are applications), a run command's `logs` (output of a real cluster), `nextLink` (paging is the server's choice: the follow-up page is fetched from aksemu's own nextLink).",
  "`dnsPrefix`: equal when the request sent it; type only when the service generated it.",
  "Names AKS draws at random keep their stable parts only: the HTTP application routing DNS zone `<20 hex>.<region>.aksapp.io` compares its region, a private link service id (`.../resourceGroups/hcp-underlay-<region>-cx-<n>/providers/Microsoft.Network/privateLinkServices/a<31 hex>`) its region and shape, an IPv6 unique local range AKS drew for a dual-stack cluster (`fdxx:xxxx:xxxx:xxxx::/64`) its prefix length.",
  "A GET of a cluster whose delete had just ended: for a few seconds ARM still routes it to AKS, which answers its own 404 `NotFound` (the recordings: 2-5 s after the end), later ARM answers 404 `ResourceNotFound` (19 s and more). The AKS answer (subcode `GetManagedCluster_NotFound`) and ARM's are the same 404 not-found: which one depends on seconds of the real delete's timing (minutes in AKS, a fraction of a second in aksemu), so they match each other.",
  "Kubernetes versions (`kubernetesVersion`, `currentKubernetesVersion`, `orchestratorVersion`, `currentOrchestratorVersion`, `version`, `upgrades[].kubernetesVersion`) compare by major.minor: the patch real AKS picked depended on its regional rollout that day; maps keyed by version (`patchVersions`) compare their major.minor key sets.",
  "Node image versions (`nodeImageVersion`, `latestNodeImageVersion`) compare without their trailing date/build (`AKSUbuntu-2204gen2containerd-202411.03.0` → `AKSUbuntu-2204gen2containerd`).",
  "`provisioningState` in a GET: a recorded in-flight state (`Creating`, `Updating`, `Upgrading`, `UpgradingNodeImageVersion`, `Scaling`, `Starting`, `Stopping`, `Deleting`, `Canceling`, `Migrating`) also matches `Succeeded` (aksemu's emulated operations are faster than real AKS). In the direct answer to a write it must be equal. In such a resource (real AKS still reconciling, aksemu done) strings compare case-insensitively: AKS keeps enum values as the client wrote them (`standard`) until the operation completes and writes them canonically (`Standard`) after.",
  "Renamed enum values: `sku.name` `Basic` (older api-versions) matches `Base`: many top-level recordings had their api-version bumped by text replacement and keep the older body (see the recordings' README).",
  "Spec examples: the status must be one the example lists; the body must have the example's shape (keys and JSON types, values not compared: they are invented); list elements are compared with aksemu's first element, and an empty list is accepted.",
  "Headers: when the real answer had `Azure-AsyncOperation` or `Location`, aksemu's must have it too.",
  "An autoscaled pool's `count` below its `minCount` matches `minCount` (either way round): the cluster autoscaler raises it on its first scan after an operation ends (aksemu: one second after), and whether a read comes before or after that scan depends on seconds of the real timing, which the replay's shortened operations cannot reproduce.",
  "Operation status: the `error` `NotLatestOperation` real AKS attaches to an operation another one preempted (a race of real durations) is not required.",
  "Echoed versions: when real AKS chose a Kubernetes version (e.g. default 1.25.6) and aksemu chose another (1.25.9), the difference is counted where it appears, and later request bodies that echo the real choice back (az sends the cluster it read) carry aksemu's value instead, as the subscription id is substituted. Likewise a patch picked from a version list (`kubernetesVersions`, `orchestrators`) that aksemu does not list is sent as aksemu's patch of the same rank in that minor.",
];

export interface CompareOptions {
  /** The answer to a write (PUT/PATCH/POST/DELETE): provisioningState must be equal. */
  write: boolean;
  /** All request bodies of the recording so far (to tell echoed values from generated ones). */
  requestTexts: string;
  /** Examples use invented values (`location1`, `1.9.6`): compare the shape only. */
  shapeOnly?: boolean;
  /** An async-operation status: a transient `NotLatestOperation` error of the real one is not required. */
  operationStatus?: boolean;
  /**
   * Filled with the Kubernetes versions real AKS chose and aksemu chose instead (recorded → aksemu), so that the
   * replay can send aksemu's values where the client echoes the service's choice back in a later request.
   */
  learned?: Map<string, string>;
}

function semverCompare(a: string, b: string): number {
  const pa = a
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((x) => Number(x) || 0);
  const pb = b
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((x) => Number(x) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b/gi;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g;
const SEMVER = /^v?(\d+)\.(\d+)(\.\d+)?(-[\w.]+)?$/;

const TYPE_ONLY = new Set([
  "etag",
  "eTag",
  "fqdn",
  "azurePortalFQDN",
  "privateFQDN",
  "resourceUID",
  "issuerURL",
  "clientId",
  "objectId",
  "principalId",
  "secret",
  "startTime",
  "endTime",
  "createdBy",
  "createdByType",
  "lastModifiedBy",
  "lastModifiedByType",
  "logs",
]);
const VERSION_KEYS = new Set([
  "kubernetesVersion",
  "currentKubernetesVersion",
  "orchestratorVersion",
  "currentOrchestratorVersion",
  "version",
]);
const IMAGE_KEYS = new Set(["nodeImageVersion", "latestNodeImageVersion"]);
const IN_FLIGHT = new Set([
  "Creating",
  "Updating",
  "Upgrading",
  "UpgradingNodeImageVersion",
  "Scaling",
  "Starting",
  "Stopping",
  "Deleting",
  "Canceling",
  "Migrating",
]);
/** Enum values AKS renamed between api-versions: [key, older, newer]. */
const RENAMED: [string, string, string][] = [["name", "Basic", "Base"]];

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Random names AKS draws (see RULES): their random part is replaced, the region kept. */
const RANDOM_NAMES: [RegExp, string][] = [
  [/\b[0-9a-f]{20}\.([a-z0-9]+)\.aksapp\.io\b/gi, "<zone>.$1.aksapp.io"],
  [/\/hcp-underlay-([a-z0-9]+)-cx-\d+\//gi, "/hcp-underlay-$1-cx-<n>/"],
  [/\/privateLinkServices\/a[0-9a-f]{31}\b/gi, "/privateLinkServices/<name>"],
  [/\bfd[0-9a-f]{2}(:[0-9a-f]{1,4}){3}::\/(\d+)/gi, "<ula>::/$2"],
];

export function normalise(s: string): string {
  let out = s.replace(GUID, "<guid>").replace(ISO_TIME, "<time>");
  for (const [pattern, to] of RANDOM_NAMES) out = out.replace(pattern, to);
  return out;
}

/** 404 codes of a GET of a just-deleted cluster (AKS's `GetManagedCluster_NotFound`, or ARM's): see RULES. */
const SAME_NOT_FOUND = new Set(["NotFound", "ResourceNotFound"]);

function minor(v: string): string {
  const m = SEMVER.exec(v);
  return m === null ? v : `${m[1]}.${m[2]}`;
}

function imageFamily(v: string): string {
  return v.replace(/[-.:]\d[\d.]*$/, "");
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "(absent)" : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isIdKey(key: string): boolean {
  return key === "id" || /(Id|ID|Ids|IDs)$/.test(key);
}

/**
 * An autoscaled pool's count just below its minCount on one side and at it on the other: the cluster autoscaler
 * raises it on its own scan after an operation, so which one a read shows depends on seconds of timing (RULES).
 */
function beforeOrAfterAutoscalerRaise(e: Record<string, unknown>, g: Record<string, unknown>): boolean {
  const min = e.minCount;
  if (e.enableAutoScaling !== true || g.enableAutoScaling !== true || typeof min !== "number" || g.minCount !== min) {
    return false;
  }
  const below = (x: unknown): boolean => typeof x === "number" && x < min;
  return (below(e.count) && g.count === min) || (e.count === min && below(g.count));
}

export interface Difference {
  path: string;
  expected: string;
  got: string;
}

class Comparer {
  readonly differences: Difference[] = [];
  private inVersionList = false;
  private settledEarly = false;
  constructor(private readonly options: CompareOptions) {}

  /**
   * A list of versions real AKS offered that day and aksemu's list: a client that picked a version from it (a test
   * that creates "the newest 1.27") sends real AKS's patch, so each patch aksemu does not list is mapped to aksemu's
   * patch of the same rank within the minor (newest to newest).
   */
  private learnList(real: string[], mine: string[]): void {
    const learned = this.options.learned;
    if (learned === undefined) return;
    const have = new Set(mine);
    const group = (xs: string[]): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      for (const x of xs)
        if (SEMVER.test(x) && x.split(".").length === 3) m.set(minor(x), [...(m.get(minor(x)) ?? []), x]);
      for (const list of m.values()) list.sort((a, b) => semverCompare(b, a));
      return m;
    };
    const mineByMinor = group(mine);
    for (const [k, list] of group(real)) {
      const others = mineByMinor.get(k) ?? [];
      list.forEach((v, n) => {
        const to = others[Math.min(n, others.length - 1)];
        if (!have.has(v) && to !== undefined && !learned.has(v)) learned.set(v, to);
      });
    }
  }

  private diff(path: string, expected: unknown, got: unknown, note?: string, rawExpected = false): void {
    const e = rawExpected && typeof expected === "string" ? expected : show(expected);
    this.differences.push({ path: path || "(body)", expected: e, got: note ?? show(got) });
  }

  value(path: string, key: string, e: unknown, g: unknown): void {
    if (e === null) return;
    if (key === "nextLink") return;
    if (g === undefined) {
      this.diff(path, e, g, "(absent)");
      return;
    }
    const te = typeName(e);
    const tg = typeName(g);
    if (te !== tg) {
      this.diff(path, e, g, `${show(g)} (${tg}, expected ${te})`);
      return;
    }
    if (te === "object") return this.object(path, e as Record<string, unknown>, g as Record<string, unknown>);
    if (te === "array") return this.array(path, key, e as unknown[], g as unknown[]);
    if (this.options.shapeOnly === true) return;
    if (TYPE_ONLY.has(key) || (path.endsWith("].value") && /kubeconfigs/.test(path))) return;
    if (te === "string") return this.string(path, key, e as string, g as string);
    if (e !== g) this.diff(path, e, g);
  }

  private string(path: string, key: string, e: string, g: string): void {
    if (key === "dnsPrefix" || key === "fqdnSubdomain") {
      if (!this.options.requestTexts.includes(e)) return;
    }
    if (VERSION_KEYS.has(key)) {
      if (e !== g && !this.inVersionList && SEMVER.test(e) && SEMVER.test(g) && this.options.learned?.has(e) === false)
        this.options.learned.set(e, g);
      if (minor(e) !== minor(g)) this.diff(path, e, g);
      return;
    }
    if (IMAGE_KEYS.has(key)) {
      if (imageFamily(e) !== imageFamily(g)) this.diff(path, e, g);
      return;
    }
    if (key === "provisioningState" && !this.options.write && IN_FLIGHT.has(e) && g === "Succeeded") return;
    if (RENAMED.some(([k, older, newer]) => k === key && path.endsWith(`sku.${k}`) && e === older && g === newer))
      return;
    let ne = normalise(e);
    let ng = normalise(g);
    if (isIdKey(key) || ne.startsWith("/subscriptions/")) {
      ne = ne.toLowerCase();
      ng = ng.toLowerCase();
    }
    if (this.settledEarly) {
      ne = ne.toLowerCase();
      ng = ng.toLowerCase();
    }
    if (ne !== ng) this.diff(path, e, g);
  }

  private object(path: string, e: Record<string, unknown>, g: Record<string, unknown>, inVersionList = false): void {
    const saved = this.inVersionList;
    this.inVersionList = saved || inVersionList;
    try {
      this.objectInner(path, e, g);
    } finally {
      this.inVersionList = saved;
    }
  }

  private objectInner(path: string, e: Record<string, unknown>, g: Record<string, unknown>): void {
    const keys = Object.keys(e);
    // A resource real AKS was still reconciling that aksemu has finished: AKS writes enum values as requested
    // (`standard`) until the operation completes and canonically (`Standard`) after, so compare case-insensitively.
    const stateOf = (x: Record<string, unknown>): unknown =>
      (x.properties as Record<string, unknown> | undefined)?.provisioningState;
    const savedSettled = this.settledEarly;
    if (!this.options.write && IN_FLIGHT.has(String(stateOf(e))) && stateOf(g) === "Succeeded")
      this.settledEarly = true;
    try {
      this.objectBody(path, keys, e, g);
    } finally {
      this.settledEarly = savedSettled;
    }
  }

  private objectBody(path: string, keys: string[], e: Record<string, unknown>, g: Record<string, unknown>): void {
    // Maps keyed by resource id (userAssignedIdentities): an example's ids are invented; pair them in order.
    if (this.options.shapeOnly === true && keys.length > 0 && keys.every((k) => k.startsWith("/subscriptions/"))) {
      const others = Object.values(g);
      keys.forEach((k, n) => {
        if (others[n] === undefined) this.diff(`${path}[${n}]`, e[k], undefined, "(absent)");
        else this.value(`${path}[${n}]`, "", e[k], others[n]);
      });
      return;
    }
    if (keys.length > 0 && keys.every((k) => SEMVER.test(k))) {
      if (this.options.shapeOnly === true) return;
      this.learnList(
        keys,
        Object.keys(g).filter((k) => SEMVER.test(k)),
      );
      const want = [...new Set(keys.map(minor))].sort().join(",");
      const have = [
        ...new Set(
          Object.keys(g)
            .filter((k) => SEMVER.test(k))
            .map(minor),
        ),
      ]
        .sort()
        .join(",");
      if (want !== have) this.diff(path, `{${want}}`, g, `{${have}}`, true);
      return;
    }
    for (const k of keys) {
      // Maps keyed by resource id (userAssignedIdentities): the key holds the subscription id, which the replay
      // substitutes; pair keys as ids are compared (normalised, case-insensitively).
      const mine =
        k.startsWith("/subscriptions/") && !(k in g)
          ? Object.keys(g).find((x) => normalise(x).toLowerCase() === normalise(k).toLowerCase())
          : undefined;
      if (k === "count" && beforeOrAfterAutoscalerRaise(e, g)) continue;
      this.value(`${path}.${k}`, k, e[k], g[mine ?? k]);
    }
  }

  private array(path: string, key: string, e: unknown[], g: unknown[]): void {
    const objects = e.length > 0 && e.every((x) => typeName(x) === "object");
    if (objects) {
      const es = e as Record<string, unknown>[];
      const gs = g.filter((x) => typeName(x) === "object") as Record<string, unknown>[];
      const versionKey = ["kubernetesVersion", "orchestratorVersion", "version"].find((k) =>
        es.every((x) => typeof x[k] === "string"),
      );
      if (es.every((x) => typeof x.name === "string") && this.options.shapeOnly !== true) {
        if (e.length !== g.length) this.diff(`${path}[]`, `${e.length} items`, g, `${g.length} items`, true);
        for (const item of es) {
          const name = normalise(String(item.name)).toLowerCase();
          const other = gs.find((x) => typeof x.name === "string" && normalise(x.name).toLowerCase() === name);
          if (other === undefined) this.diff(`${path}[name=${String(item.name)}]`, item.name, undefined, "(absent)");
          else this.object(`${path}[name=${String(item.name)}]`, item, other);
        }
        return;
      }
      if (versionKey !== undefined && this.options.shapeOnly !== true) {
        const want = [...new Set(es.map((x) => minor(String(x[versionKey]))))].sort();
        const have = [...new Set(gs.map((x) => minor(String(x[versionKey] ?? ""))))].sort();
        if (want.join(",") !== have.join(","))
          this.diff(`${path}[].${versionKey}`, want.join(","), undefined, have.join(",") || "(none)", true);
        // Within a minor, pair newest with newest (the patch lists depend on the day's rollout).
        const byMinor = (xs: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> => {
          const m = new Map<string, Record<string, unknown>[]>();
          for (const x of xs) {
            const k = minor(String(x[versionKey] ?? ""));
            m.set(k, [...(m.get(k) ?? []), x]);
          }
          for (const list of m.values())
            list.sort((a, b) => semverCompare(String(b[versionKey]), String(a[versionKey])));
          return m;
        };
        const gm = byMinor(gs);
        this.learnList(
          es.map((x) => String(x[versionKey])),
          gs.map((x) => String(x[versionKey] ?? "")),
        );
        for (const [k, items] of byMinor(es)) {
          const others = gm.get(k) ?? [];
          items.forEach((item, n) => {
            const other = others[Math.min(n, others.length - 1)];
            if (other !== undefined)
              this.object(`${path}[${versionKey}=${String(item[versionKey])}]`, item, other, true);
          });
        }
        return;
      }
      if (this.options.shapeOnly === true) {
        // Examples: aksemu's first element must have the example's first element's shape. An empty list is
        // accepted: what a list holds (upgrades, configurations) depends on the state the example assumed.
        if (gs.length === 0) return;
        this.object(`${path}[0]`, es[0]!, gs[0]!);
        return;
      }
      if (e.length !== g.length) this.diff(`${path}[]`, `${e.length} items`, g, `${g.length} items`, true);
      es.forEach((item, i) => {
        const other = g[i];
        if (other !== undefined) this.value(`${path}[${i}]`, key, item, other);
      });
      return;
    }
    if (this.options.shapeOnly === true) return;
    if (e.length !== g.length) {
      this.diff(path, e, g);
      return;
    }
    const norm = (xs: unknown[]): string =>
      xs
        .map((x) => (typeof x === "string" ? normalise(x).toLowerCase() : JSON.stringify(x)))
        .sort()
        .join("|");
    if (TYPE_ONLY.has(key)) return;
    if (norm(e) !== norm(g)) this.diff(path, e, g);
  }
}

/** The error code of an ARM-enveloped or bare AKS error body. */
export function errorCode(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as { error?: { code?: unknown }; code?: unknown };
  if (typeof b.error?.code === "string") return b.error.code;
  if (typeof b.code === "string") return b.code;
  return undefined;
}

export interface ResponseLike {
  status: number;
  json: unknown;
  text: string;
  headers: Record<string, string>;
}

/** Compares one response with the real one; returns the differences (empty = match). */
export function compareResponse(expected: ResponseLike, got: ResponseLike, options: CompareOptions): Difference[] {
  const out: Difference[] = [];
  if (expected.status !== got.status) {
    const code = errorCode(got.json);
    out.push({
      path: "status",
      expected: String(expected.status) + (errorCode(expected.json) ? ` ${errorCode(expected.json)}` : ""),
      got: `${got.status}${code === undefined ? "" : ` ${code}`}${code === undefined ? "" : `: ${String((got.json as { error?: { message?: string } })?.error?.message ?? "").slice(0, 160)}`}`,
    });
    return out;
  }
  if (expected.status >= 400) {
    const want = errorCode(expected.json);
    const have = errorCode(got.json);
    const subcode = (expected.json as { subcode?: unknown } | undefined)?.subcode;
    const bothNotFound =
      subcode === "GetManagedCluster_NotFound" && SAME_NOT_FOUND.has(want ?? "") && SAME_NOT_FOUND.has(have ?? "");
    if (want !== undefined && want !== have && !bothNotFound)
      out.push({ path: "error.code", expected: want, got: have ?? "(none)" });
    return out;
  }
  for (const h of ["azure-asyncoperation", "location"]) {
    if (expected.headers[h] !== undefined && got.headers[h] === undefined)
      out.push({ path: `header ${h}`, expected: "present", got: "(absent)" });
  }
  if (expected.json === undefined) return out;
  let want = expected.json;
  if (
    options.operationStatus === true &&
    errorCode((want as { error?: unknown }).error === undefined ? {} : want) === "NotLatestOperation"
  ) {
    const { error: _error, ...rest } = want as Record<string, unknown>;
    want = rest;
  }
  const comparer = new Comparer(options);
  comparer.value("", "", want, got.json);
  return [...out, ...comparer.differences];
}

export function describe(d: Difference): string {
  return `${d.path}: expected ${d.expected}, got ${d.got}`;
}
