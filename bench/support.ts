/** Shared pieces of the benchmarks: starting aksemu and a bare HTTPS baseline, and a keep-alive load generator. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import https from "node:https";
import { resolve } from "node:path";

export const MAIN = resolve(import.meta.dirname, "..", "dist", "main.js");

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
  const child = spawn(process.execPath, [MAIN, "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
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
