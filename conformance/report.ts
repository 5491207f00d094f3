/** The printed report: per recording, per operation, per api-version, the examples, and the summary line. */
import { describe } from "./compare.js";
import type { ExampleResult } from "./examples.js";
import { exampleFirstDifference } from "./examples.js";
import { firstDifference, type RecordingResult } from "./replay.js";
import { summarise, summaryLine, type RunResult } from "./conformance.js";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export interface Tally {
  matched: number;
  compared: number;
  recordings: Set<string>;
}

export function tallyBy(
  recordings: RecordingResult[],
  key: (i: RecordingResult["interactions"][number]) => string,
): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const r of recordings) {
    for (const i of r.interactions) {
      const k = key(i);
      const t = out.get(k) ?? { matched: 0, compared: 0, recordings: new Set<string>() };
      t.compared++;
      if (i.match) t.matched++;
      t.recordings.add(r.name);
      out.set(k, t);
    }
  }
  return out;
}

function pct(m: number, n: number): string {
  return n === 0 ? "-" : `${Math.round((100 * m) / n)}%`;
}

export function recordingTable(recordings: RecordingResult[]): string[] {
  const lines = ["| recording | result | matched / compared | skipped | first difference |", "|---|---|---|---|---|"];
  for (const r of recordings) {
    const result = r.status === "out-of-scope" ? `out of scope (${r.outOfScope.join(", ")})` : r.status;
    const counts = r.status === "out-of-scope" ? "" : `${r.matched}/${r.compared}`;
    lines.push(
      `| ${r.name} | ${cell(result)} | ${counts} | ${r.status === "out-of-scope" ? "" : r.skipped} | ${cell(firstDifference(r))} |`,
    );
  }
  return lines;
}

export function operationTable(recordings: RecordingResult[]): string[] {
  const byOp = tallyBy(recordings, (i) => i.operation);
  const lines = ["| operation | matched / compared | rate | recordings |", "|---|---|---|---|"];
  for (const [op, t] of [...byOp.entries()].sort((a, b) => b[1].compared - a[1].compared)) {
    lines.push(
      `| \`${cell(op)}\` | ${t.matched}/${t.compared} | ${pct(t.matched, t.compared)} | ${t.recordings.size} |`,
    );
  }
  return lines;
}

export function apiVersionTable(recordings: RecordingResult[]): string[] {
  const byVersion = tallyBy(recordings, (i) => i.apiVersion);
  const lines = ["| api-version | matched / compared | rate | recordings |", "|---|---|---|---|"];
  for (const [v, t] of [...byVersion.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push(`| ${v} | ${t.matched}/${t.compared} | ${pct(t.matched, t.compared)} | ${t.recordings.size} |`);
  }
  return lines;
}

export function exampleTable(examples: ExampleResult[]): string[] {
  const lines = ["| example | operation | result | first difference |", "|---|---|---|---|"];
  for (const e of examples) {
    lines.push(
      `| ${e.file} | ${e.operationId} | ${e.match ? "match" : "differs"} | ${cell(exampleFirstDifference(e))} |`,
    );
  }
  return lines;
}

/** The top differences across recordings: the same (operation, field) grouped, most frequent first. */
export function topDifferences(recordings: RecordingResult[], limit = 25): string[] {
  const groups = new Map<string, { count: number; recordings: Set<string>; sample: string }>();
  for (const r of recordings) {
    for (const i of r.interactions) {
      if (i.match) continue;
      const d = i.differences[0]!;
      const key = `${i.operation} → ${d.path.replace(/\[name=[^\]]+\]/g, "[name=*]")}`;
      const g = groups.get(key) ?? { count: 0, recordings: new Set<string>(), sample: "" };
      g.count++;
      g.recordings.add(r.name);
      if (g.sample === "")
        g.sample = `${r.name} #${i.index} ${i.request.split("?")[0]} (${i.apiVersion}): ${describe(d)}`;
      groups.set(key, g);
    }
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].recordings.size - a[1].recordings.size || b[1].count - a[1].count)
    .slice(0, limit)
    .map(([key, g]) => `- ${g.recordings.size} recordings, ${g.count}×: \`${key}\` — e.g. ${g.sample}`);
}

export function fullReport(run: RunResult, verbose: boolean): string {
  const s = summarise(run.recordings);
  const out: string[] = [];
  out.push("## Recordings", "", ...recordingTable(run.recordings), "");
  out.push("## Per operation (method + path template)", "", ...operationTable(run.recordings), "");
  out.push("## Per api-version", "", ...apiVersionTable(run.recordings), "");
  if (run.examples.length > 0) {
    const m = run.examples.filter((e) => e.match).length;
    out.push(`## Spec examples (${m}/${run.examples.length} match)`, "", ...exampleTable(run.examples), "");
  }
  out.push("## Most frequent differences", "", ...topDifferences(run.recordings), "");
  if (verbose) {
    out.push("## Every difference", "");
    for (const r of run.recordings) {
      for (const i of r.interactions) {
        if (i.match) continue;
        out.push(`- ${r.name} #${i.index} \`${i.request}\``);
        for (const d of i.differences.slice(0, 10)) out.push(`  - ${describe(d)}`);
      }
    }
    out.push("");
  }
  out.push(`(${(run.ms / 1000).toFixed(1)} s, ${run.servers} aksemu servers started)`, "", summaryLine(s));
  return out.join("\n");
}
