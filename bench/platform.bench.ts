/**
 * Issue 2's figures: GET of a resource group over HTTPS with a bearer token, aksemu against a bare node:https server
 * returning the same JSON on the same machine, and start-up time to the ready line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentFor, compareWithBare, fmt, request, startAksemu, stop, token } from "./support.js";

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
    await compareWithBare({
      label: "GET resource group",
      agent,
      aksemuUrl: `${second.url}${path}`,
      headers,
      body: put.body,
      dataDir,
      concurrency: CONCURRENCY,
      seconds: SECONDS,
    });
    agent.destroy();
    await stop(second.child);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
