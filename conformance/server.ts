/**
 * A real aksemu child process (the built `dist/main.js`) and a plain HTTPS client for it. The runner trusts the
 * server through a CA it creates once and copies into every server's data dir (as the test runner does), passed to
 * `node:https` directly, so `npm run conformance` needs no NODE_EXTRA_CA_CERTS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpsRequest, Agent } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseJson } from "./recordings.js";

const ROOT = resolve(import.meta.dirname, "..");
let main = join(ROOT, "dist", "main.js");

/**
 * Copies the built server (dist/ and package.json) aside, so that a run keeps replaying against one build while
 * `npm run build` rewrites dist/ (other work in the same tree). The copy sits under .aksemu/ so that Node still
 * resolves node_modules from the repository. Returns a function that removes it.
 */
export function snapshotBuild(): () => void {
  mkdirSync(join(ROOT, ".aksemu"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".aksemu", "conformance-build-"));
  // CONFORMANCE_BUILD: another checkout's root (its dist/ built) to replay against, e.g. a clean `git archive HEAD`.
  const from = resolve(process.env.CONFORMANCE_BUILD ?? ROOT);
  cpSync(join(from, "dist"), join(dir, "dist"), { recursive: true });
  copyFileSync(join(from, "package.json"), join(dir, "package.json"));
  if (existsSync(join(from, "data"))) cpSync(join(from, "data"), join(dir, "data"), { recursive: true });
  main = join(dir, "dist", "main.js");
  return () => {
    main = join(ROOT, "dist", "main.js");
    rmSync(dir, { recursive: true, force: true });
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

let caDir: Promise<string> | undefined;

/** Creates (once) the CA every conformance server issues its certificate from. */
function ensureCa(): Promise<string> {
  caDir ??= makeCa();
  return caDir;
}

async function makeCa(): Promise<string> {
  const dir = join(ROOT, ".aksemu", "conformance-ca");
  mkdirSync(dir, { recursive: true });
  const tls = (await import(join(dirname(main), "server", "tls.js"))) as {
    loadOrCreateTls: (dir: string, host: string) => Promise<unknown> | unknown;
  };
  await tls.loadOrCreateTls(dir, "127.0.0.1");
  return dir;
}

/** Servers started by this process, so that an interrupted run does not leave them behind. */
const live = new Set<AksemuServer>();

/** Kills every server this process started and removes their data dirs (synchronous: usable on exit). */
export function killAll(): void {
  for (const server of live) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  live.clear();
}

export class AksemuServer {
  private token: string | undefined;
  private readonly agent: Agent;
  subscriptionId = "";
  tenantId = "";

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly url: string,
    ca: string,
    readonly output: { stderr: string },
  ) {
    this.agent = new Agent({ ca, keepAlive: true, maxSockets: 8 });
  }

  /** Starts aksemu with a frozen clock at `now` (the wall clock when absent). */
  static async start(options: { now?: Date; extraArgs?: string[] }): Promise<AksemuServer> {
    const ca = await ensureCa();
    // On tmpfs when there is one: aksemu syncs every commit to disk, which is not what is measured here.
    const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
    const dataDir = mkdtempSync(join(base, "aksemu-conformance-"));
    for (const f of ["ca.pem", "ca-key.pem"]) copyFileSync(join(ca, f), join(dataDir, f));
    const args = [
      main,
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--clock",
      "frozen",
      ...(options.now === undefined ? [] : ["--now", options.now.toISOString()]),
      ...(options.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    const output = { stdout: "", stderr: "" };
    child.stdout!.on("data", (d: Buffer) => (output.stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => {
      output.stderr += d.toString();
      if (output.stderr.length > 200_000) output.stderr = output.stderr.slice(-100_000);
    });
    const ready = await new Promise<{ url: string; tenant: string; sub: string }>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`aksemu did not start in 30 s:\n${output.stderr}`)), 30_000);
      const check = (): void => {
        const m = /^aksemu listening on (https:\/\/\S+)$/m.exec(output.stdout);
        const tenant = /^tenant: (\S+)$/m.exec(output.stdout);
        const sub = /^subscription: (\S+)$/m.exec(output.stdout);
        if (m !== null && tenant !== null && sub !== null) {
          clearTimeout(timer);
          resolveReady({ url: m[1]!, tenant: tenant[1]!, sub: sub[1]! });
        }
      };
      child.stdout!.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`aksemu exited with ${code}:\n${output.stderr}`));
      });
    });
    child.removeAllListeners("exit");
    const server = new AksemuServer(child, dataDir, ready.url, readFileSync(join(ca, "ca.pem"), "utf8"), output);
    server.subscriptionId = ready.sub;
    server.tenantId = ready.tenant;
    live.add(server);
    return server;
  }

  /** A token for ARM from aksemu's own token endpoint (client-credentials grant). */
  async getToken(): Promise<string> {
    if (this.token !== undefined) return this.token;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "aksemu-conformance",
      client_secret: "any-secret",
      scope: "https://management.azure.com/.default",
    }).toString();
    const r = await this.raw("POST", `/${this.tenantId}/oauth2/v2.0/token`, form, {
      "content-type": "application/x-www-form-urlencoded",
    });
    const token = (r.json as { access_token?: string } | undefined)?.access_token;
    if (r.status !== 200 || token === undefined) throw new Error(`token request failed: ${r.status} ${r.text}`);
    this.token = token;
    return token;
  }

  /** One HTTPS request; `pathOrUrl` may be absolute (a Location header) or a path. */
  raw(method: string, pathOrUrl: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    const url = new URL(pathOrUrl, this.url);
    return new Promise((resolveResult, reject) => {
      const req = httpsRequest(
        url,
        {
          method,
          agent: this.agent,
          headers: { ...headers, ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
            }
            resolveResult({ status: res.statusCode ?? 0, headers: out, text, json: parseJson(text) });
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** An ARM request with the bearer token. */
  async arm(
    method: string,
    pathOrUrl: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    const token = await this.getToken();
    const h: Record<string, string> = { accept: "application/json", ...headers, authorization: `Bearer ${token}` };
    if (body !== undefined) h["content-type"] ??= "application/json";
    return this.raw(method, pathOrUrl, body, h);
  }

  /** The frozen clock as last set through this client (it only moves when told). */
  private clockMs = 0;

  /** Moves the frozen clock forward to `instant` (no-op when it is not later than now). */
  async moveClockTo(instant: Date): Promise<void> {
    if (instant.getTime() <= this.clockMs) return;
    this.clockMs = instant.getTime();
    const r = await this.raw("PUT", "/_emulator/clock", JSON.stringify({ now: instant.toISOString() }), {
      "content-type": "application/json",
    });
    if (r.status !== 200 && !(r.status === 400 && r.text.includes("ClockCannotMoveBackwards"))) {
      throw new Error(`clock move failed: ${r.status} ${r.text}`);
    }
  }

  async advance(duration: string): Promise<void> {
    const r = await this.raw("POST", "/_emulator/clock/advance", JSON.stringify({ duration }), {
      "content-type": "application/json",
    });
    if (r.status !== 200) throw new Error(`clock advance failed: ${r.status} ${r.text}`);
    this.clockMs = Date.parse((r.json as { now: string }).now);
  }

  async now(): Promise<Date> {
    const r = await this.raw("GET", "/_emulator/clock");
    const now = new Date((r.json as { now: string }).now);
    this.clockMs = now.getTime();
    return now;
  }

  /** Empties every resource, operation and timer (the clock keeps its time). */
  async reset(): Promise<void> {
    const r = await this.raw("POST", "/_emulator/reset");
    if (r.status !== 200) throw new Error(`reset failed: ${r.status} ${r.text}`);
  }

  async stop(): Promise<void> {
    live.delete(this);
    this.agent.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
      this.child.kill("SIGKILL");
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
