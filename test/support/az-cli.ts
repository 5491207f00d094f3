/**
 * Runs the real Azure CLI through `aksemu az --data-dir <the test server's data dir> ...` (the built dist/main.js),
 * exactly as a user would, and parses what it prints.
 *
 * When `az` is not installed the az suites are skipped with a printed reason, except under `CI=true`, where a
 * missing az fails the run (CI installs Debian's azure-cli).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startAksemu, type Aksemu, type StartOptions } from "./aksemu.js";

export const MAIN = resolve(import.meta.dirname, "..", "..", "dist", "main.js");

export interface AzCheck {
  available: boolean;
  version?: string;
  reason?: string;
}

let cached: AzCheck | undefined;

/** Is `az` on PATH? (One cheap `az version` call, made once per process.) */
export function checkAz(): AzCheck {
  if (cached !== undefined) return cached;
  const result = spawnSync("az", ["version", "-o", "json"], {
    encoding: "utf8",
    env: { ...process.env, AZURE_CORE_COLLECT_TELEMETRY: "false", AZURE_CONFIG_DIR: join(tmpdir(), "aksemu-az-probe") },
  });
  if (result.error !== undefined || result.status !== 0) {
    cached = {
      available: false,
      reason: `the Azure CLI is not installed (az: ${result.error?.message ?? `exit ${result.status}`}); install azure-cli to run these tests`,
    };
  } else {
    const parsed = JSON.parse(result.stdout) as Record<string, string>;
    cached = { available: true, version: parsed["azure-cli"] ?? "unknown" };
  }
  return cached;
}

/**
 * `describe` options for an az suite: skipped with its reason when az is missing, except under CI=true, where the
 * suite runs and its `before` fails (see `requireAz`).
 */
export function azSuiteOptions(): { skip: string | false } {
  const check = checkAz();
  if (check.available || process.env.CI === "true") return { skip: false };
  process.stdout.write(`# az suites skipped: ${check.reason ?? ""}\n`);
  return { skip: check.reason ?? "az not installed" };
}

/** Fails the suite when az is missing (reached only under CI=true). */
export function requireAz(): void {
  const check = checkAz();
  if (!check.available) throw new Error(`CI=true and ${check.reason ?? "az is missing"}`);
}

/**
 * A command line as its words, written as a user types it: `` cmd`aks show -g ${rg} -n c1` ``. Each interpolated value
 * stays one word (even with spaces in it), joined to the text it touches (`--name=${x}` is one word).
 */
export function cmd(strings: TemplateStringsArray, ...values: unknown[]): string[] {
  const words: string[] = [];
  let word: string | undefined;
  strings.forEach((text, i) => {
    for (const part of text.split(/(\s+)/)) {
      if (part === "") continue;
      if (/^\s+$/.test(part)) {
        if (word !== undefined) words.push(word);
        word = undefined;
      } else word = (word ?? "") + part;
    }
    if (i < values.length) word = (word ?? "") + String(values[i]);
  });
  if (word !== undefined) words.push(word);
  return words;
}

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `aksemu az` for one server, with HOME in a temporary folder (so --generate-ssh-keys stays out of ~). */
export class AzCli {
  readonly home: string;
  /** Every command run, with its duration: printed by the suites so slow commands stand out. */
  readonly log: { args: string[]; code: number; ms: number }[] = [];

  constructor(
    private server: Aksemu,
    home?: string,
  ) {
    this.home = home ?? mkdtempSync(join(tmpdir(), "aksemu-az-home-"));
  }

  /** Points the runner at another server (after a restart). */
  use(server: Aksemu): void {
    this.server = server;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home, AZURE_CORE_COLLECT_TELEMETRY: "false" };
  }

  /** Runs `node dist/main.js <prefix...> az --data-dir <dir> <args...>`. */
  async run(args: string[], prefix: string[] = []): Promise<AzResult> {
    const started = performance.now();
    const child = spawn(process.execPath, [MAIN, ...prefix, "az", "--data-dir", this.server.dataDir, ...args], {
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number>((r) => child.once("close", (c) => r(c ?? -1)));
    const ms = Math.round(performance.now() - started);
    this.log.push({ args, code, ms });
    return { code, stdout, stderr, ms };
  }

  /** Runs a command that must succeed; returns its parsed JSON output (`-o json` is added). */
  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.run([...args, "-o", "json"]);
    if (r.code !== 0) throw new Error(`az ${args.join(" ")} exited with ${r.code}:\n${r.stderr}`);
    return (r.stdout.trim() === "" ? undefined : JSON.parse(r.stdout)) as T;
  }

  /** Runs a command that must succeed; returns its stdout. */
  async ok(args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`az ${args.join(" ")} exited with ${r.code}:\n${r.stderr}`);
    return r.stdout;
  }

  /** A one-line summary of the commands run (for the test output). */
  summary(): string {
    const total = this.log.reduce((s, e) => s + e.ms, 0);
    return `${this.log.length} az commands in ${(total / 1000).toFixed(1)} s; slowest: ${[...this.log]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((e) => `${e.args.slice(0, 3).join(" ")} ${e.ms} ms`)
      .join(", ")}`;
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Starts the server of an az suite (after checking that az is there) and an az runner for it. */
export async function startAzServer(options: StartOptions = {}): Promise<{ server: Aksemu; az: AzCli }> {
  requireAz();
  const server = await startAksemu(options);
  return { server, az: new AzCli(server) };
}

/** Ends an az suite: prints the runner's summary, removes its home and stops the server (each if it was started). */
export async function stopAzServer(server: Aksemu | undefined, az: AzCli | undefined): Promise<void> {
  if (az !== undefined) {
    process.stdout.write(`# ${az.summary()}\n`);
    az.dispose();
  }
  await server?.dispose();
}
