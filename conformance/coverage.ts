/**
 * `docs/coverage.md`: one row per operation of the Microsoft.ContainerService spec (every api-version folder's
 * operations.tsv) and of the Microsoft.Resources specs aksemu serves from, computed from this run:
 * - implemented: a probe request (placeholders filled, body `{}`) that aksemu routes, i.e. does not answer 404 with
 *   InvalidResourceNamespace / InvalidResourceType / "No HTTP resource was found";
 * - SDK: a test under test/ calls the operation's @azure/arm-* method (`.managedClusters.beginCreateOrUpdate(`...);
 * - az: a test under test/ runs an az command that, in the recordings, sends this operation;
 * - recordings / examples: the match rate of this run.
 */
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { RULES } from "./compare.js";
import { summarise, summaryLine, type RunResult } from "./conformance.js";
import { SPECS_DIR } from "./examples.js";
import { apiVersionTable, recordingTable, tallyBy } from "./report.js";
import type { AksemuServer } from "./server.js";

const ROOT = resolve(import.meta.dirname, "..");
const SHARED_SPECS = resolve(SPECS_DIR, "..");

interface SpecOperation {
  provider: string;
  method: string;
  path: string;
  operationId: string;
  apiVersions: string[];
}

function key(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.toLowerCase().replace(/\{[^}]+\}/g, "{}")}`;
}

export function specOperations(): SpecOperation[] {
  const byKey = new Map<string, SpecOperation>();
  for (const version of readdirSync(SPECS_DIR).sort().reverse()) {
    const tsv = join(SPECS_DIR, version, "operations.tsv");
    if (!existsSync(tsv)) continue;
    for (const line of readFileSync(tsv, "utf8").split("\n").slice(1)) {
      const [method, path, operationId] = line.split("\t");
      if (method === undefined || path === undefined || operationId === undefined || method === "") continue;
      const k = key(method, path);
      const op = byKey.get(k) ?? { provider: "Microsoft.ContainerService", method, path, operationId, apiVersions: [] };
      op.apiVersions.push(version);
      byKey.set(k, op);
    }
  }
  const swaggers: [string, string][] = [
    ["resources/2025-04-01/resources.json", "2025-04-01"],
    ["subscriptions/2022-12-01/subscriptions.json", "2022-12-01"],
  ];
  for (const [file, version] of swaggers) {
    const p = join(SHARED_SPECS, file);
    if (!existsSync(p)) continue;
    const swagger = JSON.parse(readFileSync(p, "utf8")) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    for (const [path, ops] of Object.entries(swagger.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === "parameters" || op.operationId === undefined) continue;
        const k = key(method, path);
        if (byKey.has(k)) continue;
        byKey.set(k, {
          provider: "Microsoft.Resources",
          method: method.toUpperCase(),
          path,
          operationId: op.operationId,
          apiVersions: [version],
        });
      }
    }
  }
  return [...byKey.values()];
}

const PROBE_VALUES: Record<string, string> = {
  resourceGroupName: "coverage-probe",
  location: "eastus",
  resourceProviderNamespace: "Microsoft.ContainerService",
  resourceType: "managedClusters",
  parentResourcePath: "probe",
  resourceId: "subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/coverage-probe",
  scope: "subscriptions/00000000-0000-0000-0000-000000000000",
  mode: "istio",
};

async function probe(server: AksemuServer, op: SpecOperation): Promise<boolean> {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === "subscriptionId") return server.subscriptionId;
    const v = PROBE_VALUES[name] ?? "probe";
    return name === "resourceId" || name === "scope"
      ? v.replace("00000000-0000-0000-0000-000000000000", server.subscriptionId)
      : encodeURIComponent(v);
  });
  // HEAD answers carry no body to tell "not routed" from "not found": probe the GET of the same path (Fastify serves
  // HEAD for every GET route).
  const method = op.method === "HEAD" ? "GET" : op.method;
  const body = method === "GET" || method === "DELETE" ? undefined : "{}";
  const r = await server.arm(method, `${path}?api-version=${op.apiVersions[0]}`, body);
  if (r.status !== 404 && r.status !== 405) return true;
  const err = (r.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (err === undefined) return r.status !== 405;
  if (err.code === "InvalidResourceNamespace" || err.code === "InvalidResourceType") return false;
  return !(err.message ?? "").includes("No HTTP resource was found");
}

/** The test files' texts. */
function testTexts(): string[] {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".ts") && !name.startsWith("conformance")) texts.push(readFileSync(p, "utf8"));
    }
  };
  walk(join(ROOT, "test"));
  return texts;
}

/** A test file uses the provider's SDK client. */
const SDK_MARKERS: Record<string, RegExp> = {
  "Microsoft.ContainerService": /@azure\/arm-containerservice/,
  "Microsoft.Resources": /@azure\/arm-resources|\.resources\(\)/,
};

/** `ManagedClusters_CreateOrUpdate` → a regex for `.managedClusters.beginCreateOrUpdate(` and friends. */
function sdkPattern(operationId: string): RegExp {
  const [group, method] = operationId.split("_");
  const g = (group ?? "").replace(/^./, (c) => c.toLowerCase());
  const m = (method ?? "").replace(/^./, (c) => c.toUpperCase());
  return new RegExp(`\\.${g}\\.(begin)?${m.replace(/^./, (c) => `[${c}${c.toLowerCase()}]`)}(AndWait)?\\(`);
}

function azPattern(command: string): RegExp {
  const words = command.split(" ").map((w) => w.replace(/[-]/g, "\\-"));
  return new RegExp(`\\b${words.join(`["'\`,\\s]+`)}\\b`);
}

export async function writeCoverage(
  run: RunResult,
  server: AksemuServer,
  file = join(ROOT, "docs", "coverage.md"),
): Promise<void> {
  await server.arm(
    "PUT",
    `/subscriptions/${server.subscriptionId}/resourcegroups/coverage-probe?api-version=2021-04-01`,
    JSON.stringify({ location: "eastus" }),
  );
  const ops = specOperations();
  const order = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  const implemented = new Map<string, boolean>();
  const probeOrder = [...ops].sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
  for (const op of probeOrder) implemented.set(key(op.method, op.path), await probe(server, op));

  const testFiles = testTexts();
  const tests = testFiles.join("\n");
  const inScope = run.recordings.filter((r) => r.status !== "out-of-scope");
  const byOp = tallyBy(inScope, (i) =>
    key(i.operation.split(" ")[0]!, i.operation.slice(i.operation.indexOf(" ") + 1)),
  );
  const commands = new Map<string, Set<string>>();
  for (const r of inScope) {
    for (const i of r.interactions) {
      if (i.command === "") continue;
      const k = key(i.operation.split(" ")[0]!, i.operation.slice(i.operation.indexOf(" ") + 1));
      const set = commands.get(k) ?? new Set<string>();
      set.add(i.command);
      commands.set(k, set);
    }
  }
  const exampleTally = new Map<string, { matched: number; total: number }>();
  for (const e of run.examples) {
    const [method, ...rest] = e.operation.split(" ");
    const k = key(method!, rest.join(" "));
    const t = exampleTally.get(k) ?? { matched: 0, total: 0 };
    t.total++;
    if (e.match) t.matched++;
    exampleTally.set(k, t);
  }

  const s = summarise(run.recordings);
  const lines: string[] = [
    "# aksemu coverage",
    "",
    "Generated by `npm run conformance -- --write-coverage` (conformance/): do not edit by hand. Every number here is computed",
    "by replaying the real az CLI ↔ AKS recordings in `shared/aks-recordings/` and the spec examples in",
    "`shared/azure-specs/containerservice/*/examples/` against a running aksemu.",
    "",
    `**${summaryLine(s)}**; spec examples: ${run.examples.filter((e) => e.match).length}/${run.examples.length} match.`,
    "",
    "## Columns",
    "",
    "- **implemented**: aksemu routes the operation (a probe request with placeholder names is not answered 404",
    "  `InvalidResourceNamespace` / `InvalidResourceType` / `No HTTP resource was found`).",
    "- **SDK**: a test in `test/` calls the operation's `@azure/arm-*` method. **az**: a test in `test/` runs an `az` command",
    "  that sends this operation in the recordings (the az commands are listed).",
    "- **recordings**: interactions of this operation that match the real answer / interactions compared (in-scope recordings).",
    "- **examples**: the spec's examples for this operation that aksemu answers with the example's status and shape.",
    "",
  ];
  for (const provider of ["Microsoft.ContainerService", "Microsoft.Resources"]) {
    const rows = ops.filter((o) => o.provider === provider);
    const impl = rows.filter((o) => implemented.get(key(o.method, o.path)) === true).length;
    lines.push(`## ${provider} (${impl}/${rows.length} operations implemented)`, "");
    lines.push("| operation | method | path | api-versions | implemented | SDK | az | recordings | examples |");
    lines.push("|---|---|---|---|---|---|---|---|---|");
    for (const o of rows) {
      const k = key(o.method, o.path);
      const t = byOp.get(k);
      const e = exampleTally.get(k);
      const cmds = [...(commands.get(k) ?? [])].sort();
      const azTested = cmds.filter((c) => azPattern(c).test(tests));
      const marker = SDK_MARKERS[provider]!;
      const sdk = testFiles.some((t) => marker.test(t) && sdkPattern(o.operationId).test(t)) ? "yes" : "";
      const az =
        azTested.length > 0 ? `yes (${azTested.join(", ")})` : cmds.length > 0 ? `no test (${cmds.join(", ")})` : "";
      const rec = t === undefined ? "" : `${t.matched}/${t.compared} (${Math.round((100 * t.matched) / t.compared)}%)`;
      const ex = e === undefined ? "" : `${e.matched}/${e.total}`;
      const shortPath = o.path
        .replace(/^\/subscriptions\/\{subscriptionId\}/, "…")
        .replace(/\/resourceGroups\/\{resourceGroupName\}\/providers\/Microsoft\.ContainerService/, "/…");
      lines.push(
        `| ${o.operationId} | ${o.method} | \`${shortPath}\` | ${o.apiVersions.join(", ")} | ${implemented.get(k) === true ? "yes" : "no"} | ${sdk} | ${az} | ${rec} | ${ex} |`,
      );
    }
    lines.push("");
  }
  const specKeys = new Set(ops.map((o) => key(o.method, o.path)));
  const extra = [...byOp.entries()].filter(([k]) => !specKeys.has(k));
  if (extra.length > 0) {
    lines.push("## Recorded calls that are not spec operations", "", "| call | recordings |", "|---|---|");
    for (const [k, t] of extra) lines.push(`| \`${k}\` | ${t.matched}/${t.compared} |`);
    lines.push(
      "",
      "(`GET …/locations/{}/operations/{}` and `…/operationresults/{}` are the async-operation status and result URLs: the replay",
      "follows aksemu's own `Azure-AsyncOperation` / `Location` and compares the final answer with the last recorded poll.)",
      "",
    );
  }
  lines.push("## Per api-version", "", ...apiVersionTable(inScope), "");
  lines.push(
    "## How the replay works",
    "",
    "- Each recording is replayed in order on an aksemu started with `--clock frozen --operation-duration 30000` (every",
    "  operation lasts 30 s of emulated time, the shortest real AKS operations took; see `REPLAY_OPERATION_MS` in",
    "  conformance/conformance.ts); before each request the clock is",
    "  moved to the recorded answer's `date` (so the version catalog, defaults and support windows are those real AKS had",
    "  that day). Recordings are sorted by date and dealt to a few servers; `POST /_emulator/reset` empties a server",
    "  between recordings (`--fresh` starts a new server per recording instead).",
    "- The recorded subscription `00000000-0000-0000-0000-000000000000` is replaced by aksemu's in paths and bodies; bodies",
    "  and api-versions are sent as recorded. Resource groups the recording uses without creating them (the test",
    "  preparer's `clitest…` groups) are created first, in the location (and with the tags) the recording shows. So is",
    "  a preview flag the recording's subscription had registered: Trusted Launch images on pools that never asked for",
    "  them mean `TrustedLaunchPreview` (before Trusted Launch's GA, AKS gave them to every new pool of such a",
    "  subscription).",
    "- Recorded async polls (`…/operations/{id}`) are not replayed one by one: aksemu's own `Azure-AsyncOperation`",
    "  (or `Location`) is polled to the end (moving the clock 30 s per poll while in progress), and its final answer is",
    "  compared with the last recorded poll: a run of recorded polls counts as one interaction. `…/operationresults/{id}`",
    "  is fetched from aksemu's `Location`. A recorded `$skipToken` follow-up is fetched from aksemu's own `nextLink`, and",
    "  skipped when aksemu answered in one page.",
    "- **Out of scope**: a recording that calls a provider aksemu does not serve (Microsoft Graph, Microsoft.Network,",
    "  Microsoft.Authorization, Microsoft.ManagedIdentity, Microsoft.KeyVault, Microsoft.OperationalInsights,",
    "  Microsoft.Compute, ARM deployments, …) is out of scope as a whole and not counted: the cluster requests in it refer to",
    "  those resources (subnets, identities, role assignments), so replaying only the AKS part would measure the missing",
    "  provider, not AKS. The providers are named per recording below. Microsoft.ContainerService is always in scope; other",
    "  namespaces come into scope when aksemu's provider catalog serves them.",
    "",
    "### What counts as a match",
    "",
    ...RULES.map((r) => `- ${r}`),
    "",
    "## Recordings",
    "",
    ...recordingTable(run.recordings),
    "",
  );
  writeFileSync(file, lines.join("\n"));
}
