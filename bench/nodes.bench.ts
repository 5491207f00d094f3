/**
 * Issue 7's node run: one cluster of 1,000 nodes (a system pool and nine user pools of 100), 10% of them given a
 * fault (the five kinds of the ladder in turn), then the clock advanced a day in one call, which runs node
 * auto-repair for all of them. Prints the set-up times, the wall time of the advance, timers fired per second, the
 * server's peak memory (VmHWM), and how the repairs ended.
 *
 * Everything goes through HTTPS as a client would (cluster and pool PUTs, the control API). `BENCH_NODES` changes
 * the size (a multiple of 100).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type https from "node:https";
import { agentFor, apiCaller, fmt, peakRssMb, startAksemu, stop, token } from "./support.js";

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const T0 = "2026-11-27T00:00:00Z";
const AKS = "api-version=2025-10-01";
const KINDS = ["KubeletStopped", "OSDiskCorrupted", "HostFailure", "Unrecoverable", "NoHeartbeat"];

export default async function bench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "aksemu-nodes-"));
  const server = await startAksemu(["--data-dir", dataDir, "--clock", "frozen", "--now", T0]);
  const agent: https.Agent = agentFor(join(dataDir, "ca.pem"), 16);
  try {
    const bearer = await token(agent, server.url);
    const { call, advance } = apiCaller(agent, server.url, bearer);

    const sub = server.subscriptionId;
    const clusterId = `/subscriptions/${sub}/resourceGroups/rg-nodes/providers/Microsoft.ContainerService/managedClusters/big`;
    await call("PUT", `/subscriptions/${sub}/resourcegroups/rg-nodes?api-version=2021-04-01`, { location: "eastus" });
    const pools = Math.max(1, Math.round(NODES / 100));
    let t = performance.now();
    await call("PUT", `${clusterId}?${AKS}`, {
      location: "eastus",
      identity: { type: "SystemAssigned" },
      properties: {
        dnsPrefix: "big",
        agentPoolProfiles: [{ name: "system", count: 100, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
      },
    });
    await advance("PT1M");
    for (let i = 1; i < pools; i++) {
      await call("PUT", `${clusterId}/agentPools/user${i}?${AKS}`, {
        properties: { count: 100, vmSize: "Standard_D4s_v5", mode: "User", osType: "Linux" },
      });
      await advance("PT1M");
    }
    const createMs = performance.now() - t;
    const list = JSON.parse((await call("GET", `/_emulator/nodes${clusterId}`)).body) as {
      value: { name: string; ready: boolean }[];
    };
    process.stdout.write(
      `cluster of ${list.value.length} nodes in ${pools} pools created in ${fmt(createMs)} ms (${list.value.filter((n) => n.ready).length} Ready)\n`,
    );

    t = performance.now();
    const failing = list.value.filter((_, i) => i % 10 === 0);
    for (const [i, node] of failing.entries()) {
      await call("POST", "/_emulator/faults", { cluster: clusterId, node: node.name, fault: KINDS[i % KINDS.length] });
    }
    process.stdout.write(`${failing.length} faults injected in ${fmt(performance.now() - t)} ms\n`);

    t = performance.now();
    const result = await advance("P1D");
    const advanceMs = performance.now() - t;
    const after = JSON.parse((await call("GET", `/_emulator/nodes${clusterId}`)).body) as {
      value: { ready: boolean; autoRepair: { status: string } }[];
    };
    const gaveUp = after.value.filter((n) => n.autoRepair.status === "GaveUp").length;
    process.stdout.write(
      `advance P1D: ${fmt(advanceMs)} ms wall, ${result.timersFired} timers fired (${fmt((result.timersFired * 1000) / advanceMs)} /s)\n` +
        `  after a day: ${after.value.filter((n) => n.ready).length} Ready, ${gaveUp} given up by auto-repair (Unrecoverable)\n` +
        `  server peak memory (VmHWM): ${fmt(peakRssMb(server.child.pid!))} MB\n`,
    );
  } finally {
    agent.destroy();
    await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
