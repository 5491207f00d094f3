/** Shared pieces of the benchmarks: starting aksemu and a bare HTTPS baseline, and a keep-alive load generator. */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import https from "node:https";
import { join, resolve } from "node:path";

// BENCH_MAIN runs another build of aksemu (for example an older one, to compare).
export const MAIN = process.env.BENCH_MAIN ?? resolve(import.meta.dirname, "..", "dist", "main.js");

export interface Started {
  child: ChildProcess;
  url: string;
  tenantId: string;
  subscriptionId: string;
  readyMs: number;
}

/** Starts aksemu and resolves when the ready line is printed (with the time it took). */
export function startAksemu(args: string[]): Promise<Started> {
  const t0 = performance.now();
  // BENCH_NODE_ARGS passes flags to the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) for profiling.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
  const child = spawn(process.execPath, [...nodeArgs, MAIN, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((ok, fail) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /^aksemu listening on (\S+)$/m.exec(out)?.[1];
      const tenantId = /^tenant: (\S+)$/m.exec(out)?.[1];
      const subscriptionId = /^subscription: (\S+)$/m.exec(out)?.[1];
      if (url !== undefined && tenantId !== undefined && subscriptionId !== undefined) {
        ok({ child, url, tenantId, subscriptionId, readyMs: performance.now() - t0 });
      }
    });
    child.once("exit", (code) => fail(new Error(`aksemu exited with ${code}`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

export function agentFor(caPath: string, sockets: number): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets: sockets, ca: readFileSync(caPath) });
}

export function request(
  agent: https.Agent,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = https.request(url, { method: init.method ?? "GET", headers: init.headers, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end(init.body);
  });
}

export async function token(agent: https.Agent, url: string): Promise<string> {
  const r = await request(agent, `${url}/adfs/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=bench&client_secret=x&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
  });
  return (JSON.parse(r.body) as { access_token: string }).access_token;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

/** Sends GETs with `concurrency` requests in flight for `seconds`, over keep-alive connections. */
export async function load(
  agent: https.Agent,
  url: string,
  headers: Record<string, string>,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      const r = await request(agent, url, { headers });
      latencies.push(performance.now() - t);
      if (r.status !== 200) errors += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    requests: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    errors,
  };
}

export function fmt(n: number, digits = 0): string {
  return n.toFixed(digits);
}

/** Peak resident memory of a process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * CPU seconds (user + system) a process has used so far: on a shared machine a process's own CPU time varies far
 * less than the wall time of what it does.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command name: indexes 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface ApiCaller {
  /** A JSON request with the bearer token; throws on an answer other than 2xx. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** Moves the emulated clock forward by an ISO-8601 duration. */
  advance(duration: string): Promise<{ now: string; timersFired: number }>;
}

export function apiCaller(agent: https.Agent, url: string, bearer: string): ApiCaller {
  const headers = { authorization: `Bearer ${bearer}`, "content-type": "application/json" };
  const call: ApiCaller["call"] = async (method, path, body) => {
    const init: { method: string; headers: Record<string, string>; body?: string } = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await request(agent, `${url}${path}`, init);
    if (r.status >= 300 && r.status !== 202) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
    return r;
  };
  const advance: ApiCaller["advance"] = async (duration) =>
    JSON.parse((await call("POST", "/_emulator/clock/advance", { duration })).body) as {
      now: string;
      timersFired: number;
    };
  return { call, advance };
}

/**
 * GETs `aksemuUrl` under load, then a bare node:https server (its own process, aksemu's certificate from `dataDir`)
 * answering with the same body, and prints both and their ratio.
 */
export async function compareWithBare(options: {
  label: string;
  agent: https.Agent;
  aksemuUrl: string;
  headers: Record<string, string>;
  body: string;
  dataDir: string;
  concurrency: number;
  seconds: number;
}): Promise<void> {
  const { agent, headers, concurrency, seconds } = options;
  const bare = fork(
    join(import.meta.dirname, "bare-server.mjs"),
    [join(options.dataDir, "server-key.pem"), join(options.dataDir, "server.pem")],
    { stdio: ["ignore", "pipe", "inherit", "ipc"] },
  );
  try {
    bare.send(options.body);
    const bareUrl = await new Promise<string>((ok) => bare.once("message", (m) => ok(String(m))));
    await load(agent, options.aksemuUrl, headers, concurrency, 1); // warm-up
    await load(agent, `${bareUrl}/x`, headers, concurrency, 1);
    const a = await load(agent, options.aksemuUrl, headers, concurrency, seconds);
    const b = await load(agent, `${bareUrl}/x`, headers, concurrency, seconds);
    process.stdout.write(
      `${options.label}, ${concurrency} in flight, ${seconds} s each:\n` +
        `  aksemu     ${fmt(a.perSecond)} req/s  p50 ${fmt(a.p50ms, 2)} ms  p99 ${fmt(a.p99ms, 2)} ms  errors ${a.errors}\n` +
        `  bare https ${fmt(b.perSecond)} req/s  p50 ${fmt(b.p50ms, 2)} ms  p99 ${fmt(b.p99ms, 2)} ms  errors ${b.errors}\n` +
        `  ratio aksemu/bare throughput ${fmt(a.perSecond / b.perSecond, 2)} (aim >= 0.5), p99 ratio ${fmt(a.p99ms / b.p99ms, 2)}\n`,
    );
  } finally {
    bare.kill();
  }
}
