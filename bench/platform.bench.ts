/**
 * Issue 2's figures: GET of a resource group over HTTPS with a bearer token, aksemu against a bare node:https server
 * returning the same JSON on the same machine, and start-up time to the ready line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { fork } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentFor, fmt, load, request, startAksemu, stop, token } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 32;

export default async function bench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "aksemu-bench-"));
  try {
    const first = await startAksemu(["--data-dir", dataDir]);
    await stop(first.child);
    const second = await startAksemu(["--data-dir", dataDir]);
    process.stdout.write(
      `start-up to ready line: first start ${fmt(first.readyMs)} ms (creates CA, keys, database), restart ${fmt(second.readyMs)} ms\n`,
    );

    const ca = join(dataDir, "ca.pem");
    const agent = agentFor(ca, CONCURRENCY);
    const bearer = await token(agent, second.url);
    const path = `/subscriptions/${second.subscriptionId}/resourcegroups/bench-rg?api-version=2021-04-01`;
    const put = await request(agent, `${second.url}${path}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ location: "eastus", tags: { purpose: "bench" } }),
    });
    const headers = { authorization: `Bearer ${bearer}` };

    // The baseline runs in its own process too, with aksemu's certificate, answering with the same JSON.
    const bare = fork(
      join(import.meta.dirname, "bare-server.mjs"),
      [join(dataDir, "server-key.pem"), join(dataDir, "server.pem")],
      {
        stdio: ["ignore", "pipe", "inherit", "ipc"],
      },
    );
    bare.send(put.body);
    const bareUrl = await new Promise<string>((ok) => bare.once("message", (m) => ok(String(m))));

    await load(agent, `${second.url}${path}`, headers, CONCURRENCY, 1); // warm-up
    await load(agent, `${bareUrl}/x`, headers, CONCURRENCY, 1);
    const a = await load(agent, `${second.url}${path}`, headers, CONCURRENCY, SECONDS);
    const b = await load(agent, `${bareUrl}/x`, headers, CONCURRENCY, SECONDS);
    process.stdout.write(
      `GET resource group, ${CONCURRENCY} in flight, ${SECONDS} s each:\n` +
        `  aksemu     ${fmt(a.perSecond)} req/s  p50 ${fmt(a.p50ms, 2)} ms  p99 ${fmt(a.p99ms, 2)} ms  errors ${a.errors}\n` +
        `  bare https ${fmt(b.perSecond)} req/s  p50 ${fmt(b.p50ms, 2)} ms  p99 ${fmt(b.p99ms, 2)} ms  errors ${b.errors}\n` +
        `  ratio aksemu/bare throughput ${fmt(a.perSecond / b.perSecond, 2)} (aim >= 0.5), p99 ratio ${fmt(a.p99ms / b.p99ms, 2)}\n`,
    );
    bare.kill();
    agent.destroy();
    await stop(second.child);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
