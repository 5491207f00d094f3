// The control API under /_emulator/: the clock (read, advance, set, refusals), health, reset; and a frozen clock
// holding a resource group deletion InProgress until the clock moves.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const START = "2026-03-01T00:00:00.000Z";
const RESOURCES = specFile("resources/2025-04-01/resources.json");

describe("control API and clock", () => {
  let server: Aksemu;
  let realClock: Aksemu;
  before(async () => {
    [server, realClock] = await Promise.all([
      startAksemu({ args: ["--clock", "frozen", "--now", START] }),
      startAksemu({ args: ["--now", "2030-01-01T00:00:00Z"] }),
    ]);
  });
  after(async () => {
    await Promise.all([server.dispose(), realClock.dispose()]);
  });

  const control = (path: string, method = "GET", body?: unknown) =>
    server.fetch(`/_emulator/${path}`, { method, auth: false, ...(body === undefined ? {} : { body }) });

  it("reads, advances and sets the clock", async () => {
    const read = await control("clock");
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, { now: START, mode: "frozen" });

    const advanced = await control("clock/advance", "POST", { duration: "P30D" });
    assert.equal(advanced.status, 200);
    assert.deepEqual(advanced.body, { now: "2026-03-31T00:00:00.000Z", timersFired: 0 });
    const calendar = await control("clock/advance", "POST", { duration: "P1M" });
    assert.equal(
      (calendar.body as { now: string }).now,
      "2026-04-30T00:00:00.000Z",
      "P1M from March 31st ends on April 30th",
    );
    const hours = await control("clock/advance", "POST", { duration: "PT36H30M" });
    assert.equal((hours.body as { now: string }).now, "2026-05-01T12:30:00.000Z");

    const set = await control("clock", "PUT", { now: "2026-06-01T00:00:00Z" });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { now: "2026-06-01T00:00:00.000Z", timersFired: 0 });
    assert.equal((await server.now()).toISOString(), "2026-06-01T00:00:00.000Z");
    // Frozen: time does not move by itself.
    assert.equal((await server.now()).toISOString(), "2026-06-01T00:00:00.000Z");
    const same = await control("clock", "PUT", { now: "2026-06-01T00:00:00Z" });
    assert.equal(same.status, 200, "setting the current instant is not moving backwards");
  });

  it("refuses to move backwards and refuses bad durations and instants with 400", async () => {
    const now = (await server.now()).toISOString();
    const backwards = await control("clock", "PUT", { now: "2020-01-01T00:00:00Z" });
    assert.equal(backwards.status, 400);
    assert.equal((backwards.body as { error: { code: string } }).error.code, "ClockCannotMoveBackwards");
    assert.match((backwards.body as { error: { message: string } }).error.message, /backwards/);
    for (const body of [
      { duration: "30 days" },
      { duration: "P" },
      { duration: "PT" },
      { duration: "-P1D" },
      { duration: "P1.5M" },
      { duration: "" },
      { duration: 30 },
      {},
      { now: "2027-01-01" },
    ]) {
      const r = await control("clock/advance", "POST", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof (r.body as { error: { code: string; message: string } }).error.message, "string");
    }
    for (const body of [
      { now: "tomorrow" },
      { now: 5 },
      {},
      { now: "2027-02-30T00:00:00Z" },
      { now: "2027-13-01T00:00:00Z" },
    ]) {
      const r = await control("clock", "PUT", body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    const broken = await server.fetch("/_emulator/clock/advance", {
      method: "POST",
      auth: false,
      rawBody: "{",
      headers: { "content-type": "application/json" },
    });
    assert.equal(broken.status, 400);
    assert.equal((await server.now()).toISOString(), now, "nothing moved");
  });

  it("holds a resource group deletion InProgress on a frozen clock until the clock moves", async () => {
    const client = server.resources();
    await client.resourceGroups.createOrUpdate("rg-held", { location: "westeurope" });
    const poller = await client.resourceGroups.beginDelete("rg-held", { updateIntervalInMs: 10 });
    // Poll a few times through the SDK: the clock does not move, so neither does the operation.
    for (let i = 0; i < 3; i++) {
      await poller.poll();
      assert.equal(poller.isDone(), false);
    }
    const group = await client.resourceGroups.get("rg-held");
    assert.equal(group.properties?.provisioningState, "Deleting");
    const raw = await server.fetch(
      `/subscriptions/${server.subscriptionId}/resourcegroups/rg-held?api-version=2025-04-01`,
    );
    assertMatchesSpec(RESOURCES, "ResourceGroups_Get", 200, raw.body);
    // A second DELETE joins the running operation; a PUT is refused while it runs.
    const again = await server.fetch(
      `/subscriptions/${server.subscriptionId}/resourcegroups/rg-held?api-version=2025-04-01`,
      { method: "DELETE" },
    );
    assert.equal(again.status, 202);
    const put = await server.fetch(
      `/subscriptions/${server.subscriptionId}/resourcegroups/rg-held?api-version=2025-04-01`,
      { method: "PUT", body: { location: "westeurope" } },
    );
    assert.equal(put.status, 409);

    const moved = await server.advance("PT1S");
    assert.equal(moved.timersFired, 1);
    await poller.pollUntilDone();
    assert.equal((await client.resourceGroups.checkExistence("rg-held")).body, false);
  });

  it("fires due timers in order when the clock is set to an instant", async () => {
    const client = server.resources();
    for (const name of ["rg-t1", "rg-t2", "rg-t3"]) {
      await client.resourceGroups.createOrUpdate(name, { location: "westeurope" });
      await client.resourceGroups.beginDelete(name);
    }
    const target = new Date((await server.now()).getTime() + 86_400_000).toISOString();
    const r = await control("clock", "PUT", { now: target });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { now: target, timersFired: 3 });
    for (const name of ["rg-t1", "rg-t2", "rg-t3"])
      assert.equal((await client.resourceGroups.checkExistence(name)).body, false);
  });

  it("moves in real mode too, from the --now start", async () => {
    const first = await realClock.now();
    assert.ok(first.getTime() >= Date.parse("2030-01-01T00:00:00Z"));
    assert.ok(first.getTime() < Date.parse("2030-01-01T00:10:00Z"));
    const mode = await realClock.fetch("/_emulator/clock", { auth: false });
    assert.equal((mode.body as { mode: string }).mode, "real");
    const advanced = await realClock.advance("P1D");
    assert.ok(Date.parse(advanced.now) >= first.getTime() + 86_400_000);
    // Time flows while a move waits its turn: a zero or tiny move is still forward, never a 5xx.
    const moves = await Promise.all(
      ["P0D", "PT0S", "PT0.001S", "P0D", "PT1S"].map((duration) =>
        realClock.fetch("/_emulator/clock/advance", { method: "POST", body: { duration }, auth: false }),
      ),
    );
    for (const m of moves) assert.equal(m.status, 200, m.text);
    const far = await realClock.fetch("/_emulator/clock/advance", {
      method: "POST",
      body: { duration: "P99999999Y" },
      auth: false,
    });
    assert.equal(far.status, 400);
    const justNow = await realClock.fetch("/_emulator/clock", {
      method: "PUT",
      body: { now: (await realClock.now()).toISOString() },
      auth: false,
    });
    assert.ok(justNow.status === 200 || justNow.status === 400, justNow.text);
    assert.doesNotMatch(realClock.output.stderr, /Error/);
  });

  it("answers health", async () => {
    const health = await control("health");
    assert.equal(health.status, 200);
    const body = health.body as { status: string; version: string; clock: { now: string; mode: string } };
    assert.equal(body.status, "ok");
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.equal(body.clock.mode, "frozen");
  });

  it("resets every resource, keeping the CA, the signing key and the ids", async () => {
    const client = server.resources();
    await client.resourceGroups.createOrUpdate("rg-before-reset", { location: "westeurope" });
    await client.providers.register("Microsoft.Storage");
    const caBefore = readFileSync(join(server.dataDir, "ca.pem"));
    const keyBefore = readFileSync(join(server.dataDir, "token-signing-key.pem"));
    const oldToken = await server.token();

    const reset = await control("reset", "POST");
    assert.equal(reset.status, 200);

    const groups = await server.fetch(`/subscriptions/${server.subscriptionId}/resourcegroups?api-version=2025-04-01`, {
      auth: false,
      headers: { authorization: `Bearer ${oldToken}` },
    });
    assert.equal(groups.status, 200, "a token from before the reset is still valid");
    assert.deepEqual((groups.body as { value: unknown[] }).value, []);
    assert.equal((await client.providers.get("Microsoft.Storage")).registrationState, "NotRegistered");
    assert.deepEqual(readFileSync(join(server.dataDir, "ca.pem")), caBefore);
    assert.deepEqual(readFileSync(join(server.dataDir, "token-signing-key.pem")), keyBefore);
    const ca = await server.fetch("/_emulator/ca.pem", { auth: false });
    assert.equal(ca.text, caBefore.toString("utf8"));
    // Same subscription and tenant after the reset.
    const subs = await server.fetch("/subscriptions?api-version=2022-12-01");
    const value = (subs.body as { value: { subscriptionId: string; tenantId: string }[] }).value;
    assert.deepEqual(
      value.map((s) => [s.subscriptionId, s.tenantId]),
      [[server.subscriptionId, server.tenantId]],
    );
  });
});
