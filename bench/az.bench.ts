/**
 * Issue 4's figures: what aksemu adds to the real Azure CLI. In one run, against one aksemu: the wall time of
 * `az version` (az's own start-up, no request), `aksemu az version` (the wrapper's cost on top), `aksemu az aks show`
 * and `aksemu az aks create` (a fresh cluster each time, default flags). Medians of a few repetitions, and the
 * differences to `az version`. Aims: `aks show` within 0.2 s of `az version`; `aks create` under 2 s.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN, agentFor, request, startAksemu, stop, token } from "./support.js";

const REPEAT = Number(process.env.BENCH_AZ_REPEAT ?? 5);
const CREATES = Number(process.env.BENCH_AZ_CREATES ?? 3);

interface Run {
  code: number;
  ms: number;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const t0 = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    child.once("error", fail);
    child.once("close", (code) => ok({ code: code ?? -1, ms: performance.now() - t0, stderr }));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const signed = (ms: number): string => `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 1000).toFixed(2)} s`;

export default async function bench(): Promise<void> {
  const probe = await run("az", ["version", "-o", "none"], {
    ...process.env,
    AZURE_CORE_COLLECT_TELEMETRY: "false",
  }).catch(() => undefined);
  if (probe === undefined || probe.code !== 0) {
    process.stdout.write("skipped: the Azure CLI (az) is not installed\n");
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), "aksemu-bench-az-"));
  const home = mkdtempSync(join(tmpdir(), "aksemu-bench-az-home-"));
  const server = await startAksemu(["--data-dir", dataDir]);
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    const azEnv: NodeJS.ProcessEnv = {
      ...env,
      AZURE_CONFIG_DIR: join(dataDir, "azure-cli"),
      REQUESTS_CA_BUNDLE: join(dataDir, "ca.pem"),
      AZURE_CORE_COLLECT_TELEMETRY: "false",
    };
    const wrapped = (args: string[]): Promise<Run> =>
      run(process.execPath, [MAIN, "az", "--data-dir", dataDir, ...args], env);

    // First use: cloud register/set and login (reported, not part of the medians), then a cluster to show.
    const setup = await wrapped(["group", "create", "-n", "bench", "-l", "eastus", "-o", "none"]);
    if (setup.code !== 0) throw new Error(`set-up failed:\n${setup.stderr}`);
    process.stdout.write(`first aksemu az call (cloud register + set + login + group create): ${s(setup.ms)}\n`);
    const first = await wrapped(["aks", "create", "-g", "bench", "-n", "show-me", "--generate-ssh-keys", "-o", "none"]);
    const aksServed = first.code === 0;
    if (!aksServed) {
      process.stdout.write(`az aks create failed, aks figures skipped:\n${first.stderr.trim()}\n`);
    }

    const version: number[] = [];
    const wrappedVersion: number[] = [];
    const show: number[] = [];
    const plainShow: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      version.push((await run("az", ["version", "-o", "none"], azEnv)).ms);
      wrappedVersion.push((await wrapped(["version", "-o", "none"])).ms);
      if (aksServed) {
        const showArgs = ["aks", "show", "-g", "bench", "-n", "show-me", "-o", "none"];
        plainShow.push((await run("az", showArgs, azEnv)).ms);
        const r = await wrapped(showArgs);
        if (r.code !== 0) throw new Error(`az aks show failed:\n${r.stderr}`);
        show.push(r.ms);
      }
    }
    // The server's share of `az aks show`: its one GET, timed from Node over a warm connection.
    const serverGet: number[] = [];
    if (aksServed) {
      const agent = agentFor(join(dataDir, "ca.pem"), 1);
      const headers = { authorization: `Bearer ${await token(agent, server.url)}` };
      const url = `${server.url}/subscriptions/${server.subscriptionId}/resourceGroups/bench/providers/Microsoft.ContainerService/managedClusters/show-me?api-version=2022-11-01`;
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        const r = await request(agent, url, { headers });
        if (r.status !== 200) throw new Error(`GET of the cluster answered ${r.status}`);
        serverGet.push(performance.now() - t0);
      }
      agent.destroy();
    }
    const create: number[] = [];
    for (let i = 0; aksServed && i < CREATES; i++) {
      const r = await wrapped(["aks", "create", "-g", "bench", "-n", `c${i}`, "--generate-ssh-keys", "-o", "none"]);
      if (r.code !== 0) throw new Error(`az aks create failed:\n${r.stderr}`);
      create.push(r.ms);
    }

    const base = median(version);
    const rows: [string, number[], string][] = [
      ["az version (az's own start-up)", version, ""],
      ["aksemu az version", wrappedVersion, "wrapper cost"],
    ];
    if (aksServed) {
      rows.push(["az aks show (plain az, same profile)", plainShow, "az's aks module + one GET"]);
      rows.push(["aksemu az aks show", show, "aim: within +0.20 s"]);
      rows.push(["aksemu az aks create", create, "aim: under 2 s in total"]);
    }
    process.stdout.write(`| command | runs | median | vs az version | note |\n|---|---|---|---|---|\n`);
    for (const [name, values, note] of rows) {
      const m = median(values);
      process.stdout.write(
        `| ${name} | ${values.length} | ${s(m)} | ${values === version ? "" : signed(m - base)} | ${note} |\n`,
      );
    }
    if (serverGet.length > 0) {
      const share = median(serverGet);
      process.stdout.write(
        `aksemu's own share of aks show: its GET of the cluster takes ${share.toFixed(1)} ms (median of ${serverGet.length}, warm HTTPS); ` +
          `the rest of the +${s(median(show) - base)} is az loading its aks module and the wrapper's node start-up\n`,
      );
    }
  } finally {
    await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}
