// Durability: a burst of accepted writes and long-running deletions, SIGKILL the moment the last response arrived,
// restart on the same data dir: every accepted resource group and every operation is there, and the deletions that
// were in flight finish after the restart when the clock moves.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { freshDataDir, startAksemu, type Aksemu } from "./support/aksemu.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const RESOURCES = specFile("resources/2021-04-01/resources.json");
const START = "2026-05-01T12:00:00.000Z";

describe("crash safety", () => {
  const dataDir = freshDataDir();
  const servers: Aksemu[] = [];
  after(async () => {
    for (const s of servers) await s.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every accepted write and operation across a SIGKILL", async () => {
    const first = await startAksemu({ dataDir, args: ["--clock", "frozen", "--now", START] });
    servers.push(first);
    const sub = first.subscriptionId;
    const path = (name: string): string => `/subscriptions/${sub}/resourcegroups/${name}?api-version=2021-04-01`;

    // Groups whose deletion will be in flight at the crash.
    const doomed = ["doomed-0", "doomed-1", "doomed-2", "doomed-3", "doomed-4"];
    await Promise.all(doomed.map((n) => first.fetch(path(n), { method: "PUT", body: { location: "eastus" } })));
    await first.token();

    // The burst: 50 creations and 5 deletions at once.
    const names = Array.from({ length: 50 }, (_, i) => `burst-${String(i).padStart(2, "0")}`);
    const responses = await Promise.all([
      ...names.map((n) => first.fetch(path(n), { method: "PUT", body: { location: "westeurope", tags: { n } } })),
      ...doomed.map((n) => first.fetch(path(n), { method: "DELETE" })),
    ]);
    // SIGKILL as soon as the last response is in: no graceful shutdown, no flush.
    first.child.kill("SIGKILL");
    const creations = responses.slice(0, names.length);
    const deletions = responses.slice(names.length);
    for (const r of creations) {
      assert.equal(r.status, 201, r.text);
      assertMatchesSpec(RESOURCES, "ResourceGroups_CreateOrUpdate", 201, r.body);
    }
    for (const r of deletions) assert.equal(r.status, 202, r.text);
    const operationPaths = deletions.map((r) => {
      const location = new URL(r.headers.get("location")!);
      return `${location.pathname}${location.search}`;
    });
    await first.stop("SIGKILL");

    // Restart without --now: the persisted (frozen) time resumes.
    const second = await startAksemu({ dataDir, args: ["--clock", "frozen"] });
    servers.push(second);
    assert.equal(second.subscriptionId, sub, "the same subscription after a restart");
    assert.equal((await second.now()).toISOString(), START, "time resumes where it was");

    const client = second.resources();
    const found = new Map<string, string | undefined>();
    for await (const g of client.resourceGroups.list()) found.set(g.name!, g.properties?.provisioningState);
    for (const n of names) assert.equal(found.get(n), "Succeeded", `${n} survived`);
    const tagged = await client.resourceGroups.get("burst-17");
    assert.deepEqual(tagged.tags, { n: "burst-17" });
    for (const n of doomed) assert.equal(found.get(n), "Deleting", `${n} is still being deleted`);
    for (const p of operationPaths) {
      const r = await second.fetch(p);
      assert.equal(r.status, 202, `operation ${p} is still running after the restart`);
    }

    // Moving the clock finishes the deletions that were in flight at the crash.
    const moved = await second.advance("PT1M");
    assert.equal(moved.timersFired, doomed.length);
    for (const p of operationPaths) assert.equal((await second.fetch(p)).status, 200);
    for (const n of doomed) assert.equal((await client.resourceGroups.checkExistence(n)).body, false);
    let count = 0;
    for await (const _ of client.resourceGroups.list()) count++;
    assert.equal(count, names.length);

    // A clean restart after that keeps the finished state.
    assert.equal(await second.stop("SIGTERM"), 0);
    const third = await startAksemu({ dataDir });
    servers.push(third);
    const after = await third.fetch(`/subscriptions/${sub}/resourcegroups?api-version=2021-04-01`);
    assert.equal((after.body as { value: unknown[] }).value.length, names.length);
    for (const p of operationPaths) assert.equal((await third.fetch(p)).status, 200);
  });
});
