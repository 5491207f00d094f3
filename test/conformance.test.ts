/**
 * The conformance gate: replays every real az CLI ↔ AKS recording against real aksemu servers (conformance/) and
 * fails when a recording that passes in the committed baseline (conformance/baseline.json) no longer passes, or when
 * the number of matching interactions drops below the baseline's. After an improvement, record it with
 * `npm run conformance -- --update-baseline`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { regressions, runConformance, summarise, summaryLine, type Baseline } from "../conformance/conformance.js";

const BASELINE = join(import.meta.dirname, "..", "conformance", "baseline.json");

test("conformance: no recording that passed in the baseline regresses, and matches do not drop", async () => {
  const baseline = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
  const run = await runConformance({ jobs: 2, examples: false });
  const summary = summarise(run.recordings);
  process.stderr.write(`${summaryLine(summary)} (baseline: ${summaryLine(baseline.summary)})\n`);
  assert.equal(run.recordings.length, Object.keys(baseline.recordings).length, "every recording was replayed");
  assert.deepEqual(regressions(run, baseline), []);
  assert.ok(summary.pass >= baseline.summary.pass, `passing recordings: ${summary.pass} < ${baseline.summary.pass}`);
});
