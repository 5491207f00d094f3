/**
 * Starts a real aksemu (the built `dist/main.js`) as a child process with a fresh data dir, and gives tests the real
 * clients they use against it. Nothing here stands in for the server: every call goes over HTTPS to the child.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ClientSecretCredential, type TokenCredential } from "@azure/identity";
import { ResourceManagementClient } from "@azure/arm-resources";

const MAIN = resolve(import.meta.dirname, "..", "..", "dist", "main.js");

export interface StartOptions {
  /** Extra command-line flags. */
  args?: string[];
  /** Reuse a data dir (for restart tests); a fresh one is made otherwise. */
  dataDir?: string;
  /** Do not copy the shared test CA in (to test certificate creation itself). */
  ownCa?: boolean;
}

export interface ReadyLine {
  url: string;
  port: number;
  tenantId: string;
  subscriptionId: string;
  caPath: string | undefined;
}

export class Aksemu {
  private tokenCache: { token: string; at: number } | undefined;

  constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly ready: ReadyLine,
    readonly output: { stdout: string; stderr: string },
  ) {}

  get url(): string {
    return this.ready.url;
  }
  get subscriptionId(): string {
    return this.ready.subscriptionId;
  }
  get tenantId(): string {
    return this.ready.tenantId;
  }

  credential(clientId = "aksemu-test-client", secret = "any-secret"): TokenCredential {
    return new ClientSecretCredential(this.tenantId, clientId, secret, {
      authorityHost: this.url,
      disableInstanceDiscovery: true,
    });
  }

  resources(): ResourceManagementClient {
    return new ResourceManagementClient(this.credential(), this.subscriptionId, { endpoint: this.url });
  }

  /** A token for ARM from aksemu's own token endpoint, through the real @azure/identity. */
  async token(): Promise<string> {
    if (this.tokenCache !== undefined && Date.now() - this.tokenCache.at < 600_000) return this.tokenCache.token;
    const token = await this.credential().getToken("https://management.azure.com/.default");
    if (token === null) throw new Error("no token");
    this.tokenCache = { token: token.token, at: Date.now() };
    return token.token;
  }

  /** Plain HTTPS, with a bearer token unless `auth: false`. */
  async fetch(
    path: string,
    init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; auth?: boolean } = {},
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.auth !== false) headers.authorization = `Bearer ${await this.token()}`;
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(new URL(path, this.url), { method: init.method ?? "GET", headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  /** Moves the emulated clock forward by an ISO-8601 duration. */
  async advance(duration: string): Promise<{ now: string; timersFired: number }> {
    const r = await this.fetch("/_emulator/clock/advance", { method: "POST", body: { duration }, auth: false });
    if (r.status !== 200) throw new Error(`advance failed: ${r.status} ${r.text}`);
    return r.body as { now: string; timersFired: number };
  }

  async now(): Promise<Date> {
    const r = await this.fetch("/_emulator/clock", { auth: false });
    return new Date((r.body as { now: string }).now);
  }

  /** Stops the server with a signal and waits for it to exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    this.child.kill(signal);
    return exited;
  }

  /** Stops the server and removes its data dir. */
  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), "aksemu-test-"));
}

/** Copies the shared test CA (made by scripts/run-tests.mjs) into a data dir, so this process trusts the server. */
export function seedTestCa(dataDir: string): void {
  const caDir = process.env.AKSEMU_TEST_CA_DIR;
  if (caDir === undefined)
    throw new Error("Run tests through `npm test` (scripts/run-tests.mjs), which sets up the test CA.");
  for (const file of ["ca.pem", "ca-key.pem"]) {
    if (!existsSync(join(dataDir, file))) copyFileSync(join(caDir, file), join(dataDir, file));
  }
}

export function parseReady(stdout: string): ReadyLine | undefined {
  const m = /^aksemu listening on (https:\/\/[^\s]+)$/m.exec(stdout);
  const tenant = /^tenant: (\S+)$/m.exec(stdout);
  const sub = /^subscription: (\S+)$/m.exec(stdout);
  if (m === null || tenant === null || sub === null) return undefined;
  const ca = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(stdout);
  const url = m[1]!;
  return { url, port: Number(new URL(url).port), tenantId: tenant[1]!, subscriptionId: sub[1]!, caPath: ca?.[1] };
}

/** Starts aksemu on a free port and waits for its ready line. */
export async function startAksemu(options: StartOptions = {}): Promise<Aksemu> {
  const dataDir = options.dataDir ?? freshDataDir();
  if (options.ownCa !== true) seedTestCa(dataDir);
  const args = [MAIN, "--port", "0", "--data-dir", dataDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (d: Buffer) => (output.stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output.stderr += d.toString()));
  const ready = await new Promise<ReadyLine>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`aksemu did not start in 20 s:\n${output.stderr}`)), 20_000);
    const check = (): void => {
      const parsed = parseReady(output.stdout);
      if (parsed !== undefined) {
        clearTimeout(timer);
        resolveReady(parsed);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`aksemu exited with ${code}:\n${output.stderr}`));
    });
  });
  const server = new Aksemu(child, dataDir, ready, output);
  child.removeAllListeners("exit");
  return server;
}
