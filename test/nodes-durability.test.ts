/**
 * Node auto-repair is durable and deterministic: a repair interrupted by a crash (SIGKILL) resumes after the restart
 * from the stored timers and operations, and ends with the same events at the same instants as an uninterrupted run
 * whose clock was advanced in one call.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { injectFault, listNodes, type NodeView } from "./support/nodes.js";
import { clusterId, createCluster } from "./support/policy.js";

const START = "2026-11-27T08:00:00.000Z";

async function scenario(server: Aksemu): Promise<string> {
  await server.resources().resourceGroups.createOrUpdate("rg-durable", { location: "westeurope" });
  await createCluster(server, "rg-durable", "durable", {
    agentPoolProfiles: [{ name: "system", count: 3, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
  });
  await server.advance("PT2M");
  const id = clusterId(server.subscriptionId, "rg-durable", "durable");
  const nodes = await listNodes(server, id);
  for (const [i, fault] of ["OSDiskCorrupted", "HostFailure", "Unrecoverable"].entries()) {
    await injectFault(server, id, nodes[i]!.name, fault);
  }
  return id;
}

const summary = (nodes: NodeView[]): unknown =>
  nodes.map((n) => ({ name: n.name, ready: n.ready, repair: n.autoRepair.status, events: n.events }));

describe("node auto-repair across a crash", () => {
  const servers: Aksemu[] = [];
  after(async () => {
    for (const s of servers) await s.dispose();
  });

  it("resumes after SIGKILL and ends exactly as an uninterrupted run", async () => {
    const a = await startAksemu({ args: ["--clock", "frozen", "--now", START] });
    servers.push(a);
    const idA = await scenario(a);
    await a.advance("PT20M"); // mid-repair: reboots and reimages done, redeploys running
    const mid = await listNodes(a, idA);
    assert.ok(mid.some((n) => n.autoRepair.status === "Redeploying"));
    await a.stop("SIGKILL");
    const a2 = await startAksemu({ dataDir: a.dataDir, args: ["--clock", "frozen", "--now", START] });
    servers.push(a2);
    assert.equal((await a2.now()).toISOString(), new Date(Date.parse(START) + 23 * 60_000).toISOString());
    for (let i = 0; i < 12; i++) await a2.advance("PT10M");
    const resumed = await listNodes(a2, idA);

    const b = await startAksemu({ args: ["--clock", "frozen", "--now", START] });
    servers.push(b);
    const idB = await scenario(b);
    await b.advance("PT2H20M");
    const straight = await listNodes(b, idB);

    assert.equal(resumed[2]!.autoRepair.status, "GaveUp");
    assert.equal(resumed[2]!.events.length, 18);
    assert.ok(resumed[0]!.ready && resumed[1]!.ready);
    // Node names differ per cluster id (the 8-digit suffix); compare everything else.
    const strip = (v: unknown): string => JSON.stringify(v).replace(/aks-system-\d{8}-vmss/g, "aks-system-X-vmss");
    assert.equal(strip(summary(resumed)), strip(summary(straight)));
  });
});
