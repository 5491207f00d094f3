/**
 * Issue 3's figures: GET of a managed cluster (aksemu against a bare node:https server answering with the same JSON,
 * same machine, same run), and managed clusters created and polled to Succeeded per second (PUT, then the
 * Azure-AsyncOperation URL until it says Succeeded, as a client's poller does), with the default operation duration.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentFor, fmt, load, request, startAksemu, stop, token } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 32;
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 200);
const API = "api-version=2026-06-01";

function clusterBody(name: string): string {
  return JSON.stringify({
    location: "eastus",
    identity: { type: "SystemAssigned" },
    properties: {
      dnsPrefix: name,
      agentPoolProfiles: [{ name: "system", count: 3, vmSize: "Standard_D4s_v5", mode: "System" }],
    },
  });
}

export default async function bench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "aksemu-bench-"));
  try {
    const server = await startAksemu(["--data-dir", dataDir]);
    const agent = agentFor(join(dataDir, "ca.pem"), CONCURRENCY);
    const bearer = await token(agent, server.url);
    const headers = { authorization: `Bearer ${bearer}` };
    const json = { ...headers, "content-type": "application/json" };
    const rg = `/subscriptions/${server.subscriptionId}/resourcegroups/bench-rg`;
    await request(agent, `${server.url}${rg}?api-version=2021-04-01`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ location: "eastus" }),
    });
    const clusterUrl = (name: string): string =>
      `${server.url}${rg}/providers/Microsoft.ContainerService/managedClusters/${name}?${API}`;

    // Clusters created and polled to Succeeded.
    let next = 0;
    let failures = 0;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= CLUSTERS) return;
        const name = `c${i}`;
        const put = await new Promise<{ status: number; asyncUrl: string }>((ok, fail) => {
          const req = https.request(clusterUrl(name), { method: "PUT", headers: json, agent }, (res) => {
            res.resume();
            res.on("end", () => ok({ status: res.statusCode ?? 0, asyncUrl: String(res.headers["azure-asyncoperation"] ?? "") })); // prettier-ignore
          });
          req.on("error", fail);
          req.end(clusterBody(name));
        });
        if (put.status !== 201) {
          failures += 1;
          continue;
        }
        for (;;) {
          const r = await request(agent, put.asyncUrl, { headers });
          const status = (JSON.parse(r.body) as { status?: string }).status;
          if (status === "Succeeded") break;
          if (status !== "InProgress") {
            failures += 1;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const createSeconds = (performance.now() - t0) / 1000;
    process.stdout.write(
      `managed clusters created and polled to Succeeded: ${CLUSTERS} in ${fmt(createSeconds, 2)} s = ${fmt(CLUSTERS / createSeconds, 1)} clusters/s (${CONCURRENCY} clients, default operation duration, poll every 50 ms), failures ${failures}\n`, // prettier-ignore
    );

    // GET of one managed cluster against the bare baseline answering with the same body.
    const one = await request(agent, clusterUrl("c0"), { headers });
    const bare = fork(join(import.meta.dirname, "bare-server.mjs"), [join(dataDir, "server-key.pem"), join(dataDir, "server.pem")], { stdio: ["ignore", "pipe", "inherit", "ipc"] }); // prettier-ignore
    bare.send(one.body);
    const bareUrl = await new Promise<string>((ok) => bare.once("message", (m) => ok(String(m))));
    await load(agent, clusterUrl("c0"), headers, CONCURRENCY, 1); // warm-up
    await load(agent, `${bareUrl}/x`, headers, CONCURRENCY, 1);
    const a = await load(agent, clusterUrl("c0"), headers, CONCURRENCY, SECONDS);
    const b = await load(agent, `${bareUrl}/x`, headers, CONCURRENCY, SECONDS);
    process.stdout.write(
      `GET managed cluster (${one.body.length} bytes), ${CONCURRENCY} in flight, ${SECONDS} s each:\n` +
        `  aksemu     ${fmt(a.perSecond)} req/s  p50 ${fmt(a.p50ms, 2)} ms  p99 ${fmt(a.p99ms, 2)} ms  errors ${a.errors}\n` +
        `  bare https ${fmt(b.perSecond)} req/s  p50 ${fmt(b.p50ms, 2)} ms  p99 ${fmt(b.p99ms, 2)} ms  errors ${b.errors}\n` +
        `  ratio aksemu/bare throughput ${fmt(a.perSecond / b.perSecond, 2)} (aim >= 0.5), p99 ratio ${fmt(a.p99ms / b.p99ms, 2)}\n`,
    );
    bare.kill();
    agent.destroy();
    await stop(server.child);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
