/**
 * Issue 3's figures: GET of a managed cluster (aksemu against a bare node:https server answering with the same JSON,
 * same machine, same run), and managed clusters created and polled to Succeeded per second (PUT, then the
 * Azure-AsyncOperation URL until it says Succeeded, as a client's poller does), with the default operation duration.
 */
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentFor, compareWithBare, fmt, request, startAksemu, stop, token } from "./support.js";

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
    await compareWithBare({
      label: `GET managed cluster (${one.body.length} bytes)`,
      agent,
      aksemuUrl: clusterUrl("c0"),
      headers,
      body: one.body,
      dataDir,
      concurrency: CONCURRENCY,
      seconds: SECONDS,
    });
    agent.destroy();
    await stop(server.child);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
