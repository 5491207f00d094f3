/**
 * `aksemu az <args...>` and `aksemu env`: the user's own Azure CLI pointed at a running aksemu.
 *
 * The running instance is found through its data dir: while it runs, the server keeps `<data-dir>/server.json`
 * (`{url, pid, tenantId, subscriptionId, caPath}`). az then runs with a private profile, `<data-dir>/azure-cli`
 * (AZURE_CONFIG_DIR), so the user's own Azure profile is never read or changed. The first time (and whenever the
 * server's URL, tenant, subscription, CA or token-signing key changed, or the profile lost its login), the wrapper runs
 * the three commands of the manual set-up in that profile: `az cloud register` (or `az cloud update`), `az cloud set`
 * and `az login --service-principal`. Later calls go straight to az, which reuses its cached login.
 *
 * `HOME` is left alone on purpose: `--generate-ssh-keys` uses (or creates) `~/.ssh/id_rsa.pub` and
 * `az aks get-credentials` merges into `~/.kube/config`, exactly as against Azure. Pass `--ssh-key-value` and
 * `--file` to keep them elsewhere (the test suite sets HOME to a temporary folder).
 *
 * This module is loaded by the CLI entry point only; it must stay light (node built-ins only) because every
 * `aksemu az` call pays for its start-up.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Written by the server (src/server/start.ts RUNTIME_FILE) while it runs. */
export const RUNTIME_FILE = "server.json";
/** Written by the server's identity code (src/identity/keys.ts); a new key invalidates every cached token. */
const SIGNING_KEY_FILE = "token-signing-key.pem";
export const CLOUD_NAME = "aksemu";
/** The service principal the wrapper logs in as. aksemu's token endpoint accepts any client id and secret. */
export const CLIENT_ID = "aksemu-az-cli";
export const CLIENT_SECRET = "aksemu";
const STATE_FILE = "aksemu-login.json";

export interface ServerInfo {
  url: string;
  pid: number;
  tenantId: string;
  subscriptionId: string;
  caPath?: string;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The aksemu running with `dataDir`, or a CliError that says how to start one. */
export function findServer(dataDir: string): ServerInfo {
  const dir = resolve(dataDir);
  const path = join(dir, RUNTIME_FILE);
  const start = `Start one with \`npx aksemu --data-dir ${dataDir}\` (or pass the --data-dir it was started with).`;
  if (!existsSync(path)) {
    throw new CliError(
      `aksemu: no aksemu is running for the data dir ${dir}. ${start} ` +
        `(A server started with --in-memory has no data dir and cannot be reached this way.)`,
    );
  }
  let info: Partial<ServerInfo>;
  try {
    info = JSON.parse(readFileSync(path, "utf8")) as Partial<ServerInfo>;
  } catch (error) {
    throw new CliError(`aksemu: ${path} is unreadable (${(error as Error).message}). ${start}`);
  }
  if (
    typeof info.url !== "string" ||
    typeof info.tenantId !== "string" ||
    typeof info.subscriptionId !== "string" ||
    typeof info.pid !== "number"
  ) {
    throw new CliError(`aksemu: ${path} is incomplete. ${start}`);
  }
  if (!isAlive(info.pid)) {
    throw new CliError(
      `aksemu: the aksemu that used the data dir ${dir} (pid ${info.pid}) is no longer running. ${start}`,
    );
  }
  return info as ServerInfo;
}

export function configDirOf(dataDir: string): string {
  return join(resolve(dataDir), "azure-cli");
}

/** The environment every az call runs with. */
export function azEnvironment(
  dataDir: string,
  server: ServerInfo,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    AZURE_CONFIG_DIR: configDirOf(dataDir),
    AZURE_CORE_COLLECT_TELEMETRY: "false",
    AZURE_CORE_SURVEY_MESSAGE: "false",
  };
  // The CA that issued aksemu's certificate; overrides whatever bundle the machine points Python at.
  if (server.caPath !== undefined) env.REQUESTS_CA_BUNDLE = server.caPath;
  // Never send requests for aksemu through a proxy.
  const host = new URL(server.url).hostname.replace(/^\[|\]$/g, "");
  for (const name of ["NO_PROXY", "no_proxy"]) {
    const current = base[name];
    env[name] = current === undefined || current === "" ? host : `${current},${host}`;
  }
  return env;
}

interface LoginState {
  url: string;
  tenantId: string;
  subscriptionId: string;
  caPath: string | null;
  signingKey: string | null;
}

function fingerprint(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

function desiredState(dataDir: string, server: ServerInfo): LoginState {
  return {
    url: server.url,
    tenantId: server.tenantId,
    subscriptionId: server.subscriptionId,
    caPath: server.caPath ?? null,
    signingKey: fingerprint(join(resolve(dataDir), SIGNING_KEY_FILE)),
  };
}

function readText(path: string): string | undefined {
  try {
    // az writes some of its JSON files with a byte-order mark.
    return readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
}

/** Sections of one of az's INI files (`config`, `clouds.config`). */
function iniSections(text: string | undefined): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of (text ?? "").split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header !== null) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      continue;
    }
    const kv = /^\s*([^=#;]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (kv !== null && current !== undefined) current.set(kv[1]!.toLowerCase(), kv[2]!);
  }
  return sections;
}

/** What the private profile holds now, read from az's own files. */
function profileStatus(configDir: string, server: ServerInfo) {
  const clouds = iniSections(readText(join(configDir, "clouds.config")));
  const config = iniSections(readText(join(configDir, "config")));
  const cloud = clouds.get(CLOUD_NAME);
  let loggedIn = false;
  const profile = readText(join(configDir, "azureProfile.json"));
  if (profile !== undefined) {
    try {
      const parsed = JSON.parse(profile) as { subscriptions?: { id?: string; environmentName?: string }[] };
      loggedIn = (parsed.subscriptions ?? []).some(
        (s) => s.id?.toLowerCase() === server.subscriptionId.toLowerCase() && s.environmentName === CLOUD_NAME,
      );
    } catch {
      loggedIn = false;
    }
  }
  return {
    registered: cloud !== undefined,
    endpointMatches: cloud?.get("endpoint_resource_manager") === `${server.url}/`,
    active: config.get("cloud")?.get("name") === CLOUD_NAME,
    loggedIn,
  };
}

/** The three commands of the manual set-up (what `aksemu env` prints and what the wrapper runs). */
export function setupCommands(server: ServerInfo): {
  register: string[];
  update: string[];
  set: string[];
  login: string[];
} {
  const arm = `${server.url}/`;
  return {
    register: ["cloud", "register", "--name", CLOUD_NAME, "--endpoint-resource-manager", arm],
    update: ["cloud", "update", "--name", CLOUD_NAME, "--endpoint-resource-manager", arm],
    set: ["cloud", "set", "--name", CLOUD_NAME],
    login: [
      "login",
      "--service-principal",
      "--username",
      CLIENT_ID,
      "--password",
      CLIENT_SECRET,
      "--tenant",
      server.tenantId,
    ],
  };
}

export interface AzRunOptions {
  dataDir: string;
  /** The az executable (default: `az` on PATH). */
  az?: string;
  env?: NodeJS.ProcessEnv;
}

function notFound(az: string): CliError {
  return new CliError(
    `aksemu: the Azure CLI ('${az}') was not found on PATH. Install it (Debian/Ubuntu: \`apt-get install azure-cli\`; ` +
      `others: https://aka.ms/InstallAzureCli) and run the command again.`,
    127,
  );
}

/** Runs one set-up step quietly; prints az's own error and fails when it fails. */
function step(az: string, args: string[], env: NodeJS.ProcessEnv, what: string): void {
  const result = spawnSync(az, [...args, "--only-show-errors", "--output", "none"], { env, encoding: "utf8" });
  if (result.error !== undefined) {
    if ((result.error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(az);
    throw new CliError(`aksemu: ${what} failed: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const shown = args.map((a) => (a === CLIENT_SECRET ? "***" : a)).join(" ");
    throw new CliError(
      `aksemu: ${what} failed (az ${shown} exited with ${result.status}):\n${result.stderr.trim()}`,
      result.status ?? 1,
    );
  }
}

/**
 * Makes the private profile point at the running server and hold a valid login, running only the az commands
 * needed. Returns the az commands it ran (empty on the fast path).
 */
export function ensureLoggedIn(dataDir: string, server: ServerInfo, az = "az", base = process.env): string[][] {
  const configDir = configDirOf(dataDir);
  mkdirSync(configDir, { recursive: true });
  const env = azEnvironment(dataDir, server, base);
  const wanted = desiredState(dataDir, server);
  const statePath = join(configDir, STATE_FILE);
  let saved: LoginState | undefined;
  try {
    saved = JSON.parse(readText(statePath) ?? "null") as LoginState | undefined;
  } catch {
    saved = undefined;
  }
  const status = profileStatus(configDir, server);
  const stateMatches = saved !== undefined && saved !== null && JSON.stringify(saved) === JSON.stringify(wanted);
  const ran: string[][] = [];
  const commands = setupCommands(server);

  if (!status.registered) {
    try {
      step(az, commands.register, env, "registering the aksemu cloud");
    } catch (error) {
      // Another `aksemu az` started at the same moment may have registered it first.
      if (!profileStatus(configDir, server).endpointMatches) throw error;
    }
    ran.push(commands.register);
  } else if (!status.endpointMatches) {
    step(az, commands.update, env, "pointing the aksemu cloud at the running server");
    ran.push(commands.update);
  }
  if (!status.active) {
    step(az, commands.set, env, "selecting the aksemu cloud");
    ran.push(commands.set);
  }
  if (ran.length > 0 || !stateMatches || !status.loggedIn) {
    step(az, commands.login, env, "logging in to aksemu");
    ran.push(commands.login);
    writeFileSync(statePath, `${JSON.stringify(wanted, null, 2)}\n`);
  }
  return ran;
}

/** `aksemu az <args...>`: runs az with the arguments untouched; resolves with az's exit code. */
export async function runAz(args: readonly string[], options: AzRunOptions): Promise<number> {
  const az = options.az ?? process.env.AKSEMU_AZ ?? "az";
  const base = options.env ?? process.env;
  const server = findServer(options.dataDir);
  ensureLoggedIn(options.dataDir, server, az, base);
  const env = azEnvironment(options.dataDir, server, base);
  return new Promise<number>((resolveExit, reject) => {
    const child = spawn(az, [...args], { env, stdio: "inherit" });
    // Ctrl-C reaches az too (same process group); the wrapper waits for az to finish and reports its exit code.
    const forward = (signal: NodeJS.Signals) => () => {
      if (signal !== "SIGINT") child.kill(signal);
    };
    const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const cleanup = (): void => {
      for (const [s, h] of handlers) process.off(s, h);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(error.code === "ENOENT" ? notFound(az) : error);
    });
    child.once("exit", (code, signal) => {
      cleanup();
      if (code !== null) resolveExit(code);
      else resolveExit(128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15));
    });
  });
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `aksemu env`: the exports and az commands that set up a user's own shell (POSIX sh syntax). */
export function envScript(dataDir: string, server: ServerInfo): string {
  const env = azEnvironment(dataDir, server, {});
  const commands = setupCommands(server);
  const line = (args: string[]): string => ["az", ...args].map(shellQuote).join(" ");
  const out = [
    `# aksemu at ${server.url} (data dir ${resolve(dataDir)}, subscription ${server.subscriptionId})`,
    `# Apply to this shell with: eval "$(npx aksemu env${dataDir === "./.aksemu" ? "" : ` --data-dir ${shellQuote(dataDir)}`})"`,
    `# The az profile below is private to this aksemu; your own ~/.azure is not touched.`,
  ];
  for (const name of ["AZURE_CONFIG_DIR", "REQUESTS_CA_BUNDLE", "AZURE_CORE_COLLECT_TELEMETRY"]) {
    if (env[name] !== undefined) out.push(`export ${name}=${shellQuote(env[name])}`);
  }
  out.push(`${line(commands.register)} --output none 2>/dev/null || ${line(commands.update)} --output none`);
  out.push(line(commands.set));
  out.push(`${line(commands.login)} --output none`);
  return `${out.join("\n")}\n`;
}
