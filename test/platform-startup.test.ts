// Starting and stopping aksemu: the ready line, --port 0, --in-memory, SIGTERM/SIGINT, certificates kept across
// restarts, --cert/--key, and refused flags.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { request, type RequestOptions } from "node:https";
import { join, resolve } from "node:path";
import type { TLSSocket } from "node:tls";
import { loadOrCreateTls } from "../src/server/tls.js";
import { freshDataDir, startAksemu, type Aksemu } from "./support/aksemu.js";

const MAIN = resolve(import.meta.dirname, "..", "dist", "main.js");
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface HttpsReply {
  status: number;
  body: unknown;
  text: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

/** HTTPS with an explicit trust anchor (`ca`), or none at all (`ca: undefined` → no verification). */
function https(
  url: string,
  options: { ca?: string | undefined; method?: string; headers?: Record<string, string>; body?: string },
): Promise<HttpsReply> {
  return new Promise((resolveReply, reject) => {
    const target = new URL(url);
    const opts: RequestOptions = {
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: options.method ?? "GET",
      headers: options.headers ?? {},
      agent: false,
      ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca, rejectUnauthorized: true }),
    };
    const req = request(opts, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let body: unknown;
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolveReply({ status: res.statusCode ?? 0, body, text, fingerprint });
      });
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

async function tokenFrom(url: string, ca: string | undefined): Promise<string> {
  const r = await https(`${url}/adfs/oauth2/token`, {
    ca,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=startup-test&client_secret=s&scope=https%3A%2F%2Fmanagement.core.windows.net%2F%2F.default",
  });
  assert.equal(r.status, 200, r.text);
  return (r.body as { access_token: string }).access_token;
}

/** Runs aksemu expecting it to refuse to start; returns its exit code and stderr. */
function runToExit(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("exit", (code) => resolveExit({ code, stderr, stdout }));
  });
}

describe("start-up and shutdown", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  const track = (server: Aksemu): Aksemu => {
    cleanup.push(() => server.dispose());
    return server;
  };

  it("prints the ready line, tenant, subscription and how to trust it; --port 0 picks a free port; SIGTERM/SIGINT stop it cleanly", async () => {
    const startedAt = Date.now();
    const [a, b] = await Promise.all([startAksemu(), startAksemu()]);
    const elapsed = Date.now() - startedAt;
    track(a);
    track(b);
    for (const server of [a, b]) {
      const lines = server.output.stdout.split("\n");
      const m = /^aksemu listening on https:\/\/127\.0\.0\.1:(\d+)$/.exec(lines[0]!);
      assert.ok(m !== null, lines[0]);
      assert.ok(Number(m[1]) > 0);
      assert.equal(Number(m[1]), server.ready.port);
      assert.match(lines[1]!, /^tenant: /);
      assert.match(lines[1]!.slice("tenant: ".length), GUID);
      assert.match(lines[2]!, /^subscription: /);
      assert.match(lines[2]!.slice("subscription: ".length), GUID);
      const ca = join(server.dataDir, "ca.pem");
      assert.ok(lines[3]!.includes(`NODE_EXTRA_CA_CERTS=${ca}`), lines[3]);
      assert.ok(lines[3]!.includes(`REQUESTS_CA_BUNDLE=${ca}`), lines[3]);
      assert.ok(existsSync(ca));
      const health = await server.fetch("/_emulator/health", { auth: false });
      assert.equal(health.status, 200);
    }
    assert.notEqual(a.ready.port, b.ready.port);
    assert.notEqual(a.subscriptionId, b.subscriptionId, "each data dir has its own ids");
    // Two servers started in parallel, each to its ready line (a generous bound for loaded CI machines; the aim is
    // under a second each, which `npm run bench` measures).
    assert.ok(elapsed < 20_000, `start-up took ${elapsed} ms`);

    // SIGTERM and SIGINT shut down cleanly: exit code 0, server.json removed, the store kept.
    for (const [server, signal] of [
      [a, "SIGTERM"],
      [b, "SIGINT"],
    ] as const) {
      const runtime = join(server.dataDir, "server.json");
      const info = JSON.parse(readFileSync(runtime, "utf8")) as Record<string, unknown>;
      assert.equal(info.url, server.url);
      assert.equal(info.pid, server.child.pid);
      assert.equal(info.subscriptionId, server.subscriptionId);
      assert.equal(info.tenantId, server.tenantId);
      assert.equal(await server.stop(signal), 0, `${signal}: exit code 0\n${server.output.stderr}`);
      assert.equal(existsSync(runtime), false, `${signal}: server.json removed`);
      assert.match(server.output.stderr, new RegExp(`${signal}, shutting down`));
      assert.ok(existsSync(join(server.dataDir, "aksemu.db")), "the store stays");
    }
  });

  it("--in-memory writes nothing to the data dir and keeps nothing across restarts", async () => {
    const dataDir = freshDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = track(await startAksemu({ dataDir, ownCa: true, args: ["--in-memory"] }));
    assert.match(
      server.output.stdout,
      /trust: in-memory mode writes no files; fetch the CA from https:\/\/127\.0\.0\.1:\d+\/_emulator\/ca\.pem/,
    );
    // Bootstrap trust from the CA the server serves, then talk to it verified.
    const ca = (await https(`${server.url}/_emulator/ca.pem`, {})).text;
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    const token = await tokenFrom(server.url, ca);
    const put = await https(
      `${server.url}/subscriptions/${server.subscriptionId}/resourcegroups/rg-mem?api-version=2021-04-01`,
      {
        ca,
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ location: "westeurope" }),
      },
    );
    assert.equal(put.status, 201, put.text);
    assert.deepEqual(readdirSync(dataDir), [], "nothing on disk while running");
    assert.equal(await server.stop("SIGTERM"), 0);
    assert.deepEqual(readdirSync(dataDir), [], "nothing on disk after shutdown");

    const again = track(await startAksemu({ dataDir, ownCa: true, args: ["--in-memory"] }));
    assert.notEqual(again.subscriptionId, server.subscriptionId, "a new in-memory world");
    assert.deepEqual(readdirSync(dataDir), []);
  });

  it("creates its CA once and reuses the certificates, keys and ids across restarts", async () => {
    const dataDir = freshDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = track(await startAksemu({ dataDir, ownCa: true }));
    const caPem = readFileSync(join(dataDir, "ca.pem"), "utf8");
    const ca = new X509Certificate(caPem);
    assert.ok(ca.ca, "ca.pem is a certificate authority");
    const firstHealth = await https(`${first.url}/_emulator/health`, { ca: caPem });
    assert.equal(firstHealth.status, 200);
    const served = new X509Certificate(readFileSync(join(dataDir, "server.pem")));
    assert.ok(served.checkIP("127.0.0.1"), "the server certificate covers 127.0.0.1");
    assert.ok(served.checkHost("localhost"), "and localhost");
    assert.ok(served.checkIssued(ca));
    const token = await tokenFrom(first.url, caPem);
    assert.equal(await first.stop("SIGTERM"), 0);

    const second = track(await startAksemu({ dataDir, ownCa: true }));
    assert.equal(readFileSync(join(dataDir, "ca.pem"), "utf8"), caPem, "same ca.pem bytes");
    const secondHealth = await https(`${second.url}/_emulator/health`, { ca: caPem });
    assert.equal(secondHealth.fingerprint, firstHealth.fingerprint, "same server certificate");
    assert.equal(second.subscriptionId, first.subscriptionId);
    assert.equal(second.tenantId, first.tenantId);
    const groups = await https(
      `${second.url}/subscriptions/${second.subscriptionId}/resourcegroups?api-version=2021-04-01`,
      {
        ca: caPem,
        headers: { authorization: `Bearer ${token}` },
      },
    );
    assert.equal(groups.status, 200, "a token from before the restart is still valid");
  });

  it("issues a new server certificate from the CA already in the data dir, so clients that trust it keep working", async () => {
    const dataDir = freshDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = track(await startAksemu({ dataDir, ownCa: true }));
    const caPem = readFileSync(join(dataDir, "ca.pem"), "utf8");
    const oldFingerprint = (await https(`${first.url}/_emulator/health`, { ca: caPem })).fingerprint;
    assert.equal(await first.stop("SIGTERM"), 0);
    rmSync(join(dataDir, "server.pem")); // lost, or expired: either way it must be issued again

    const second = track(await startAksemu({ dataDir, ownCa: true }));
    const health = await https(`${second.url}/_emulator/health`, { ca: caPem });
    assert.equal(health.status, 200, "the old ca.pem verifies the new certificate");
    assert.notEqual(health.fingerprint, oldFingerprint, "a new server certificate");
    assert.equal(readFileSync(join(dataDir, "ca.pem"), "utf8"), caPem, "the same CA");
    const served = new X509Certificate(readFileSync(join(dataDir, "server.pem")));
    assert.ok(served.checkIssued(new X509Certificate(caPem)));
  });

  it("serves the certificate given with --cert/--key", async () => {
    const certDir = freshDataDir();
    const dataDir = freshDataDir();
    cleanup.push(() => rmSync(certDir, { recursive: true, force: true }));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    loadOrCreateTls(certDir, "127.0.0.1"); // the user's own CA and certificate, made elsewhere
    const userCa = readFileSync(join(certDir, "ca.pem"), "utf8");
    const userCert = new X509Certificate(readFileSync(join(certDir, "server.pem")));
    const server = track(
      await startAksemu({
        dataDir,
        ownCa: true,
        args: ["--cert", join(certDir, "server.pem"), "--key", join(certDir, "server-key.pem")],
      }),
    );
    const health = await https(`${server.url}/_emulator/health`, { ca: userCa });
    assert.equal(health.status, 200);
    assert.equal(health.fingerprint, userCert.fingerprint256);
    assert.equal(existsSync(join(dataDir, "server.pem")), false, "no certificate of its own was made");
  });

  it("opens the control API without a token only on loopback", async () => {
    const server = track(await startAksemu({ args: ["--host", "0.0.0.0"] }));
    assert.match(server.output.stdout, /^aksemu listening on https:\/\/0\.0\.0\.0:\d+$/m);
    for (const [path, method, body] of [
      ["/_emulator/clock", "GET", undefined],
      ["/_emulator/clock/advance", "POST", { duration: "P1D" }],
      ["/_emulator/clock", "PUT", { now: "2099-01-01T00:00:00Z" }],
      ["/_emulator/reset", "POST", undefined],
    ] as const) {
      const refused = await server.fetch(path, { method, auth: false, ...(body === undefined ? {} : { body }) });
      assert.equal(refused.status, 401, `${method} ${path} without a token`);
      assert.equal((refused.body as { error: { code: string } }).error.code, "AuthenticationFailed");
      assert.ok(refused.headers.get("www-authenticate"));
      const allowed = await server.fetch(path, { method, ...(body === undefined ? {} : { body }) });
      assert.equal(allowed.status, 200, `${method} ${path} with a token: ${allowed.text}`);
    }
    // Health and the CA stay open: they reveal nothing and are needed to bootstrap trust.
    assert.equal((await server.fetch("/_emulator/health", { auth: false })).status, 200);
    assert.equal((await server.fetch("/_emulator/ca.pem", { auth: false })).status, 200);
  });

  it("refuses bad flags with a message and a non-zero exit", async () => {
    const dataDir = freshDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const cases: [string[], RegExp][] = [
      [["--cert", "/nonexistent.pem"], /--cert and --key go together/],
      [["--port", "70000"], /port/],
      [["--port", "abc"], /port/],
      [["--now", "yesterday"], /ISO-8601/],
      [["--now", "2026-02-30T00:00:00Z"], /ISO-8601/],
      [["--clock", "sometimes"], /real|frozen/],
      [["--cert", join(dataDir, "missing.pem"), "--key", join(dataDir, "missing-key.pem")], /missing/],
    ];
    const results = await Promise.all(
      cases.map(([args]) => runToExit(["--port", "0", "--data-dir", dataDir, ...args])),
    );
    for (const [i, r] of results.entries()) {
      const [args, message] = cases[i]!;
      assert.notEqual(r.code, 0, `${args.join(" ")} must fail`);
      assert.match(r.stderr, message, `${args.join(" ")}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /aksemu listening/);
    }
  });
});
