/**
 * `npm run conformance [-- options]`: replays the real az CLI ↔ AKS recordings and the spec examples against aksemu
 * and prints where it matches real AKS. Options:
 *   --only <substring>     only recordings whose name contains it (repeatable)
 *   --jobs <n>             aksemu servers replaying at once (default: cores + 1, 2..4)
 *   --fresh                a new server per recording instead of a reset between recordings
 *   --no-examples          skip the spec examples
 *   --verbose              print every difference
 *   --json <file>          write the full results as JSON
 *   --write-coverage       write docs/coverage.md
 *   --update-baseline      write conformance/baseline.json from this run
 *   --check-baseline       exit 1 when a recording that passes in the baseline now differs, or matches drop
 *   --server-arg <flag>    an extra aksemu flag (repeatable), e.g. --server-arg=--realistic-timings
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeCoverage } from "./coverage.js";
import { baselineOf, regressions, runConformance, summarise, summaryLine, type Baseline } from "./conformance.js";
import { fullReport } from "./report.js";
import { AksemuServer, killAll, snapshotBuild } from "./server.js";

const ROOT = resolve(import.meta.dirname, "..");
export const BASELINE_FILE = join(ROOT, "conformance", "baseline.json");

const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    jobs: { type: "string" },
    fresh: { type: "boolean", default: false },
    "no-examples": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    json: { type: "string" },
    "write-coverage": { type: "boolean", default: false },
    "update-baseline": { type: "boolean", default: false },
    "check-baseline": { type: "boolean", default: false },
    "server-arg": { type: "string", multiple: true },
  },
});

const removeSnapshot = snapshotBuild();
process.on("exit", () => {
  killAll();
  removeSnapshot();
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const run = await runConformance({
  snapshot: false,
  ...(values.only === undefined ? {} : { only: values.only }),
  ...(values.jobs === undefined ? {} : { jobs: Number(values.jobs) }),
  fresh: values.fresh,
  ...(values["server-arg"] === undefined ? {} : { serverArgs: values["server-arg"] }),
  examples: !values["no-examples"],
  onRecording: (r, done, total) => {
    process.stderr.write(
      `[${done}/${total}] ${r.name}: ${r.status}${r.status === "out-of-scope" ? "" : ` ${r.matched}/${r.compared}`} (${r.ms} ms)\n`,
    );
  },
});

process.stdout.write(`${fullReport(run, values.verbose)}\n`);

if (values.json !== undefined) {
  mkdirSync(dirname(resolve(values.json)), { recursive: true });
  writeFileSync(resolve(values.json), JSON.stringify({ ...run, scope: undefined }, null, 1));
}

if (values["write-coverage"]) {
  const server = await AksemuServer.start({});
  try {
    await writeCoverage(run, server);
    process.stderr.write("wrote docs/coverage.md\n");
  } finally {
    await server.stop();
  }
}

if (values["update-baseline"]) {
  if (values.only !== undefined) {
    process.stderr.write("--update-baseline needs the full run (no --only).\n");
    process.exit(2);
  }
  // Written as Prettier formats it, so that `prettier --check` passes on the committed file.
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(BASELINE_FILE)) ?? {};
  const text = await prettier.format(JSON.stringify(baselineOf(run)), { ...config, filepath: BASELINE_FILE });
  writeFileSync(BASELINE_FILE, text);
  process.stderr.write(`wrote ${BASELINE_FILE}: ${summaryLine(summarise(run.recordings))}\n`);
}

if (values["check-baseline"]) {
  const baseline = JSON.parse(readFileSync(BASELINE_FILE, "utf8")) as Baseline;
  const problems = regressions(run, baseline);
  if (problems.length > 0) {
    process.stderr.write(
      `conformance regressions against ${BASELINE_FILE}:\n${problems.map((p) => `- ${p}`).join("\n")}\n`,
    );
    process.exit(1);
  }
}
