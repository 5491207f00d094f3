/**
 * The conformance run: replays every recording on a few aksemu servers (recordings sorted by date and dealt round-robin,
 * so each server's clock only moves forward; `POST /_emulator/reset` between recordings), runs the spec examples on a
 * fresh server, and summarises.
 */
import { availableParallelism } from "node:os";
import { loadExamples, runExamples, type ExampleResult } from "./examples.js";
import { listRecordings, loadRecording, type RecordingEntry } from "./recordings.js";
import { discoverScope, replayRecording, type RecordingResult, type Scope } from "./replay.js";
import { AksemuServer, snapshotBuild } from "./server.js";

export interface RunOptions {
  /** Substrings: only recordings whose name contains one of them. */
  only?: string[];
  /** Number of aksemu servers replaying at once. */
  jobs?: number;
  /** A new server per recording (clock set to the recording's date) instead of reset between recordings. */
  fresh?: boolean;
  examples?: boolean;
  /** Called after each recording (progress). */
  onRecording?: (r: RecordingResult, done: number, total: number) => void;
  /** Extra aksemu flags. */
  serverArgs?: string[];
  /** Replay against a copy of dist/ taken at the start (default true), not dist/ itself. */
  snapshot?: boolean;
}

export interface RunResult {
  recordings: RecordingResult[];
  examples: ExampleResult[];
  scope: Scope;
  ms: number;
  /** aksemu servers started for the recordings. */
  servers: number;
}

export interface Summary {
  matched: number;
  compared: number;
  pass: number;
  differ: number;
  outOfScope: number;
  errors: number;
}

export function summarise(recordings: RecordingResult[]): Summary {
  const s: Summary = { matched: 0, compared: 0, pass: 0, differ: 0, outOfScope: 0, errors: 0 };
  for (const r of recordings) {
    s.matched += r.matched;
    s.compared += r.compared;
    if (r.status === "pass") s.pass++;
    else if (r.status === "out-of-scope") s.outOfScope++;
    else {
      s.differ++;
      if (r.status === "error") s.errors++;
    }
  }
  return s;
}

/** The one-line summary (format fixed by issue 5). */
export function summaryLine(s: Summary): string {
  return `conformance: ${s.matched}/${s.compared} interactions match (recordings: ${s.pass} pass, ${s.differ} differ, ${s.outOfScope} out of scope)`;
}

export function defaultJobs(): number {
  return Math.max(2, Math.min(4, availableParallelism() + 1));
}

/**
 * How long each aksemu operation lasts in the replay (emulated time; `--server-arg=--operation-duration=N` overrides).
 * Real AKS operations last from about 30 s (a pool update) to several minutes (a create: 216–335 s in the recordings),
 * and the CLI's next request after a write may come a second later (`az aks operation-abort`, test_aks_abort) or
 * only after polling to the end. 30 s, the shortest, keeps an operation running wherever real AKS had one running
 * that young, and over before any recorded request that found the real one done (its answer then says
 * `Succeeded` where real AKS was still reconciling, which the comparison accepts: compare.ts RULES). The results are
 * the same from 2 s to 30 s; aksemu's own default (250 ms) ends operations before the CLI's abort.
 */
export const REPLAY_OPERATION_MS = 30_000;

/** Offset of a recording's starting clock before its first recorded answer. */
const LEAD_MS = 60_000;

/**
 * Deals recordings (sorted by date) to lanes, one aksemu server each, so that every recording starts after the
 * previous one in its lane ended (best fit: the lane that ended last before it). The plan depends only on the
 * recordings, not on the number of concurrent jobs, so every run replays each recording at the same instants.
 */
export function planLanes(entries: RecordingEntry[]): RecordingEntry[][] {
  const lanes: { end: number; items: RecordingEntry[] }[] = [];
  for (const e of entries) {
    const start = e.date.getTime() - LEAD_MS;
    let best: (typeof lanes)[number] | undefined;
    for (const l of lanes) if (l.end <= start && (best === undefined || l.end > best.end)) best = l;
    if (best === undefined) {
      best = { end: 0, items: [] };
      lanes.push(best);
    }
    best.items.push(e);
    best.end = Math.max(best.end, e.end.getTime());
  }
  return lanes.map((l) => l.items);
}

export async function runConformance(options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const entries = listRecordings().filter(
    (e) => options.only === undefined || options.only.length === 0 || options.only.some((o) => e.name.includes(o)),
  );
  const lanes = planLanes(entries);
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(), Math.max(1, lanes.length)));
  const results: RecordingResult[] = [];
  let done = 0;
  let restarts = 0;
  let scope: Scope | undefined;
  const serverArgs = options.serverArgs ?? [];
  const replayArgs = ["--operation-duration", String(REPLAY_OPERATION_MS), ...serverArgs];

  const lane = async (queue: RecordingEntry[]): Promise<void> => {
    if (queue.length === 0) return;
    let server: AksemuServer | undefined;
    try {
      for (const entry of queue) {
        const recording = loadRecording(entry);
        const startAt = new Date(recording.startedAt.getTime() - LEAD_MS);
        // Every recording starts with the clock exactly one minute before its first answer (lanes are planned so
        // that the previous recording on a server ended before; the clock cannot move backwards).
        if (server !== undefined && options.fresh !== true && (await server.now()).getTime() <= startAt.getTime()) {
          await server.reset();
          await server.moveClockTo(startAt);
        } else {
          await server?.stop();
          server = await AksemuServer.start({ now: startAt, extraArgs: replayArgs });
          restarts++;
        }
        scope ??= await discoverScope(server);
        let result: RecordingResult;
        try {
          result = await replayRecording(recording, server, scope);
        } catch (error) {
          result = {
            name: recording.name,
            set: recording.set,
            status: "error",
            outOfScope: [],
            interactions: [],
            matched: 0,
            compared: 0,
            skipped: 0,
            error: error instanceof Error ? error.message : String(error),
            ms: 0,
          };
        }
        if (result.status === "error" && server.child.exitCode !== null) {
          result.error = `${result.error ?? ""}\naksemu exited: ${server.output.stderr.slice(-2000)}`;
          server = undefined;
        }
        results.push(result);
        done++;
        options.onRecording?.(result, done, entries.length);
      }
    } finally {
      await server?.stop();
    }
  };

  const examplesTask = async (): Promise<ExampleResult[]> => {
    if (options.examples === false) return [];
    const server = await AksemuServer.start({ extraArgs: serverArgs });
    try {
      return await runExamples(server, loadExamples());
    } finally {
      await server.stop();
    }
  };

  const removeSnapshot = options.snapshot === false ? () => undefined : snapshotBuild();
  let examples: ExampleResult[];
  try {
    const pending = [...lanes];
    const worker = async (): Promise<void> => {
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) await lane(next);
    };
    [examples] = await Promise.all([examplesTask(), ...Array.from({ length: jobs }, worker)]);
  } finally {
    removeSnapshot();
  }
  const order = new Map(entries.map((e, i) => [e.name, i]));
  results.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return {
    recordings: results,
    examples,
    scope: scope ?? { namespaces: new Set(), types: new Set() },
    ms: Math.round(performance.now() - started),
    servers: restarts,
  };
}

// ---- Baseline -------------------------------------------------------------------------------------------------

export interface Baseline {
  note: string;
  summary: Summary;
  recordings: Record<string, { status: RecordingResult["status"]; matched: number; compared: number }>;
}

export function baselineOf(run: RunResult): Baseline {
  const recordings: Baseline["recordings"] = {};
  for (const r of run.recordings) recordings[r.name] = { status: r.status, matched: r.matched, compared: r.compared };
  return {
    note: "Written by `npm run conformance -- --update-baseline`. test/conformance.test.ts fails when a recording that passes here stops passing, or when the total of matched interactions drops below summary.matched.",
    summary: summarise(run.recordings),
    recordings,
  };
}

/** Regressions against the baseline (empty = none). Only recordings present in both runs are compared. */
export function regressions(run: RunResult, baseline: Baseline): string[] {
  const out: string[] = [];
  for (const r of run.recordings) {
    const before = baseline.recordings[r.name];
    if (before?.status === "pass" && r.status !== "pass") {
      const bad = r.interactions.find((x) => !x.match);
      const why =
        r.error ??
        (bad === undefined
          ? r.status
          : `#${bad.index} ${bad.request.split("?")[0]}: ${bad.differences.map((d) => `${d.path} expected ${d.expected}, got ${d.got}`).join("; ")}`);
      out.push(`${r.name} passed in the baseline and now ${r.status}: ${why}`);
    }
  }
  const names = new Set(run.recordings.map((r) => r.name));
  const baseMatched = Object.entries(baseline.recordings)
    .filter(([name]) => names.has(name))
    .reduce((n, [, r]) => n + r.matched, 0);
  const now = summarise(run.recordings).matched;
  if (now < baseMatched) out.push(`matched interactions dropped: ${now} < baseline ${baseMatched}`);
  return out;
}
