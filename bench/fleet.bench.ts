/**
 * Issue 6's fleet run: 10,000 clusters in mixed states (running on the default minor, running on the oldest
 * supported minor, stopped on either, and a tenth in a subscription that gets suspended), then the clock advanced 13
 * months in one call. Prints the seeding rate, the wall time of the advance, timers fired per second and the server's
 * peak memory (VmHWM). Aim: the advance under 30 s and the server under 1 GB.
 *
 * Everything goes through HTTPS as a client would (cluster PUTs, stops, the control API); nothing is seeded in-process.
 * `BENCH_CLUSTERS` changes the fleet size; `BENCH_IN_MEMORY=1` runs the server with `--in-memory` (no fsync per
 * transaction).
 *
 * `BENCH_FLEET_SEEDED=<dir>` keeps the seeded fleet (data directory and names) in `<dir>` the first time and starts
 * from a copy of it afterwards, so that a change to the advance can be measured again and again without seeding
 * (a seeded copy is only valid for the aksemu version that wrote it).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import https, { Agent } from "node:https";
import {
  agentFor,
  apiCaller,
  cpuSeconds,
  fmt,
  peakRssMb,
  startAksemu,
  stop,
  token,
  type ApiCaller,
} from "./support.js";

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 10_000);
const CONCURRENCY = 64;
const GROUPS = 100;
const T0 = "2026-11-27T00:00:00Z";
const AKS = "api-version=2025-10-01";

interface Plan {
  sub: string;
  rg: string;
  name: string;
  version?: string;
  stop: boolean;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Seeds the fleet over HTTPS; returns the line that describes it. */
async function seed(
  call: ApiCaller["call"],
  advance: ApiCaller["advance"],
  defaultSub: string,
  inMemory: boolean,
): Promise<string> {
  const suspended = randomUUID();
  await call("PUT", `/_emulator/subscriptions/${suspended}/state`, { state: "Enabled" });
  const subs = [defaultSub, suspended];
  for (const sub of subs) {
    for (let g = 0; g < GROUPS; g++) {
      await call("PUT", `/subscriptions/${sub}/resourcegroups/fleet-${g}?api-version=2021-04-01`, { location: "westeurope" }); // prettier-ignore
    }
  }
  const plans: Plan[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const kind = i % 20; // 0-7 default running, 8-11 oldest running, 12-14 oldest stopped, 15-17 default stopped, 18-19 suspended
    const sub = kind >= 18 ? suspended : defaultSub;
    const plan: Plan = { sub, rg: `fleet-${i % GROUPS}`, name: `c${i}`, stop: kind >= 12 && kind <= 17 };
    if (kind >= 8 && kind <= 14) plan.version = "1.34";
    plans.push(plan);
  }
  const clusterPath = (p: Plan): string =>
    `/subscriptions/${p.sub}/resourceGroups/${p.rg}/providers/Microsoft.ContainerService/managedClusters/${p.name}`;

  let t = performance.now();
  await pool(plans, CONCURRENCY, async (p) => {
    await call("PUT", `${clusterPath(p)}?${AKS}`, {
      location: "westeurope",
      identity: { type: "SystemAssigned" },
      properties: {
        dnsPrefix: p.name,
        ...(p.version === undefined ? {} : { kubernetesVersion: p.version }),
        agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
      },
    });
  });
  const seedSeconds = (performance.now() - t) / 1000;
  process.stdout.write(`  seeded ${CLUSTERS} cluster PUTs in ${fmt(seedSeconds, 1)} s\n`);
  t = performance.now();
  const created = await advance("PT10M");
  process.stdout.write(`  creations completed by the clock in ${fmt((performance.now() - t) / 1000, 1)} s\n`);
  const stops = plans.filter((p) => p.stop);
  t = performance.now();
  await pool(stops, CONCURRENCY, async (p) => void (await call("POST", `${clusterPath(p)}/stop?${AKS}`)));
  const stopSeconds = (performance.now() - t) / 1000;
  const stopped = await advance("PT10M");
  await call("PUT", `/_emulator/subscriptions/${suspended}/state`, { state: "Disabled" });
  return (
    `fleet of ${CLUSTERS} clusters over HTTPS (${CONCURRENCY} in flight${inMemory ? ", --in-memory" : ", SQLite file"}): ` +
    `PUTs ${fmt(seedSeconds, 1)} s (${fmt(CLUSTERS / seedSeconds)}/s), creations completed by the clock (${created.timersFired} timers), ` +
    `${stops.length} stops ${fmt(stopSeconds, 1)} s (${stopped.timersFired} timers)\n`
  );
}

export default async function bench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "aksemu-fleet-"));
  const inMemory = process.env.BENCH_IN_MEMORY === "1";
  const seeded = inMemory ? undefined : process.env.BENCH_FLEET_SEEDED;
  if (seeded !== undefined && existsSync(join(seeded, "fleet.txt"))) cpSync(seeded, dataDir, { recursive: true });
  const args = ["--data-dir", dataDir, "--clock", "frozen", "--now", T0, ...(inMemory ? ["--in-memory"] : [])];
  let server = await startAksemu(args);
  // With --in-memory the server's CA stays in memory: trust it by not checking (this is a local benchmark).
  const agent: https.Agent = inMemory
    ? new Agent({ keepAlive: true, maxSockets: CONCURRENCY, rejectUnauthorized: false })
    : agentFor(join(dataDir, "ca.pem"), CONCURRENCY);
  try {
    let caller = apiCaller(agent, server.url, await token(agent, server.url));
    if (seeded !== undefined && existsSync(join(seeded, "fleet.txt"))) {
      process.stdout.write(`  (fleet copied from ${seeded})\n`);
      process.stdout.write(readFileSync(join(seeded, "fleet.txt"), "utf8"));
    } else {
      const line = await seed(caller.call, caller.advance, server.subscriptionId, inMemory);
      process.stdout.write(line);
      if (seeded !== undefined) {
        // Keep a copy of the stopped server's data (consistent on disk) and start again from it.
        await stop(server.child);
        cpSync(dataDir, seeded, { recursive: true });
        writeFileSync(join(seeded, "fleet.txt"), line);
        server = await startAksemu(args);
        caller = apiCaller(agent, server.url, await token(agent, server.url));
      }
    }
    const { call, advance } = caller;
    // As after seeding, the server has served an ARM request (its request scope is in use) when the advance starts.
    await call("GET", `/subscriptions/${server.subscriptionId}/resourcegroups?api-version=2021-04-01`);

    const t = performance.now();
    const cpu = cpuSeconds(server.child.pid!);
    const year = await advance("P13M");
    const seconds = (performance.now() - t) / 1000;
    const cpuUsed = cpuSeconds(server.child.pid!) - cpu;
    const fleet = JSON.parse((await call("GET", "/_emulator/supportability")).body) as {
      count: number;
      statuses: Record<string, number>;
      value: { archived: boolean }[];
    };
    const archived = fleet.value.filter((v) => v.archived).length;
    process.stdout.write(
      `advance 13 months in one call: ${fmt(seconds, 2)} s wall (aim < 30 s), ${year.timersFired} timers fired, ` +
        `${fmt(year.timersFired / seconds)} timers/s; the server used ${fmt(cpuUsed, 2)} s of CPU for it ` +
        `(${fmt((cpuUsed * 1000) / Math.max(1, year.timersFired), 2)} ms per timer)\n` +
        `  after: ${fleet.count} clusters left (${CLUSTERS - fleet.count} deleted by the platform), statuses ${JSON.stringify(fleet.statuses)}, ${archived} archived\n` +
        `  server peak memory (VmHWM) ${fmt(peakRssMb(server.child.pid!))} MB (aim < 1024 MB)\n`,
    );
  } finally {
    agent.destroy();
    await stop(server.child);
    // BENCH_KEEP_DATA=1 keeps the data directory (to look at the store afterwards).
    if (process.env.BENCH_KEEP_DATA === "1") process.stdout.write(`  data kept in ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}
