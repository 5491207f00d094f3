// Hostile and malformed requests: every one is answered with a 4xx in ARM's error envelope (never a 5xx, never a
// crash), and the server still answers afterwards.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:https";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const RESOURCES = specFile("resources/2021-04-01/resources.json");

type Reply = { status: number; headers: Headers; body: unknown; text: string };

describe("bad input", () => {
  let server: Aksemu;
  before(async () => (server = await startAksemu()));
  after(() => server.dispose());

  const sub = (): string => `/subscriptions/${server.subscriptionId}`;
  const rgPath = (name: string): string => `${sub()}/resourcegroups/${name}?api-version=2021-04-01`;

  /** A 4xx with ARM's envelope and request ids; returns the error code. */
  function refused(r: Reply, status?: number, fullLabel = ""): string {
    const label = fullLabel.length > 80 ? `${fullLabel.slice(0, 80)}...` : fullLabel;
    assert.ok(r.status >= 400 && r.status < 500, `${label}: expected a 4xx, got ${r.status} ${r.text.slice(0, 300)}`);
    if (status !== undefined) assert.equal(r.status, status, `${label}: ${r.text.slice(0, 300)}`);
    assert.ok(r.headers.get("x-ms-request-id"), `${label}: x-ms-request-id`);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/, label);
    const error = (r.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    assert.ok(error !== undefined, `${label}: ARM error envelope, got ${r.text.slice(0, 200)}`);
    assert.equal(typeof error.code, "string", label);
    assert.equal(typeof error.message, "string", label);
    assertMatchesSpec(RESOURCES, "ResourceGroups_CreateOrUpdate", r.status, r.body);
    return error.code as string;
  }

  async function healthy(): Promise<void> {
    const r = await server.fetch("/_emulator/health", { auth: false });
    assert.equal(r.status, 200);
    assert.equal(server.child.exitCode, null, "the server is still running");
  }

  it("refuses malformed JSON and bodies of the wrong shape", async () => {
    const raw = async (body: string, label: string, expected = "InvalidRequestContent"): Promise<void> => {
      const r = await server.fetch(rgPath("rg-bad"), {
        method: "PUT",
        rawBody: body,
        headers: { "content-type": "application/json" },
      });
      assert.equal(refused(r, 400, label), expected, label);
    };
    await raw("{", "truncated");
    await raw('{"location": "westeurope",}', "trailing comma");
    await raw("{'location': 'westeurope'}", "single quotes");
    await raw('{"location": "westeurope"} {"x": 1}', "two documents");
    await raw("\u0000\u0001\u0002", "binary");
    await raw("[]", "array");
    await raw('[{"location": "westeurope"}]', "array of objects");
    await raw('"westeurope"', "string");
    await raw("5", "number");
    await raw("null", "null");
    await raw('{"location": 5}', "location number");
    await raw('{"location": {"name": "westeurope"}}', "location object");
    await raw('{"location": "westeurope", "tags": "x"}', "tags string");
    await raw('{"location": "westeurope", "tags": ["a"]}', "tags array");
    await raw('{"location": "westeurope", "tags": {"a": 1}}', "tag value number");
    await raw('{"location": "westeurope", "tags": {"a": {"b": "c"}}}', "tag value object");
    await raw('{"location": "westeurope", "managedBy": 1}', "managedBy number");
    await raw("[".repeat(100_000) + "]".repeat(100_000), "deeply nested arrays");
    // valid JSON, just deep: parsed, then refused for what it lacks
    await raw('{"a":'.repeat(50_000) + "1" + "}".repeat(50_000), "deeply nested objects", "LocationRequired");
    const wrongName = await server.fetch(rgPath("rg-bad"), {
      method: "PUT",
      body: { location: "westeurope", tags: { "a/b": "c" } },
    });
    refused(wrongName, 400, "tag name");
    const tooMany = await server.fetch(rgPath("rg-bad"), {
      method: "PUT",
      body: { location: "westeurope", tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"])) },
    });
    assert.equal(refused(tooMany, 400, "51 tags"), "InvalidTagCount");
    const patchArray = await server.fetch(rgPath("rg-bad"), {
      method: "PATCH",
      rawBody: "[]",
      headers: { "content-type": "application/json" },
    });
    refused(patchArray, undefined, "PATCH array");
    assert.equal((await server.fetch(rgPath("rg-bad"))).status, 404, "nothing was created");
    await healthy();
  });

  it("neither pollutes prototypes nor keeps __proto__ / constructor payloads", async () => {
    const payloads = [
      '{"location": "westeurope", "__proto__": {"polluted": "yes"}}',
      '{"location": "westeurope", "constructor": {"prototype": {"polluted": "yes"}}}',
      '{"location": "westeurope", "tags": {"__proto__": {"polluted": "yes"}}}',
      '{"location": "westeurope", "tags": {"__proto__": "x", "ok": "y"}}',
      '{"location": "westeurope", "properties": {"__proto__": {"provisioningState": "Failed"}}}',
    ];
    for (const [i, payload] of payloads.entries()) {
      const name = `rg-proto-${i}`;
      const r = await server.fetch(rgPath(name), {
        method: "PUT",
        rawBody: payload,
        headers: { "content-type": "application/json" },
      });
      if (r.status >= 400) {
        refused(r, 400, payload);
        continue;
      }
      assert.ok(r.status === 200 || r.status === 201, `${payload}: ${r.status} ${r.text}`);
      assertMatchesSpec(RESOURCES, "ResourceGroups_CreateOrUpdate", r.status, r.body);
      assert.ok(!r.text.includes("polluted"), `${payload} -> ${r.text}`);
      const read = await server.fetch(rgPath(name));
      assert.ok(!read.text.includes("polluted"), read.text);
      assert.equal(
        (read.body as { properties: { provisioningState: string } }).properties.provisioningState,
        "Succeeded",
      );
    }
    // Nothing leaked into other objects on the server.
    const fresh = await server.fetch(rgPath("rg-proto-check"), { method: "PUT", body: { location: "westeurope" } });
    assert.equal(fresh.status, 201);
    assert.ok(!fresh.text.includes("polluted"), fresh.text);
    const list = await server.fetch(`${sub()}/resourcegroups?api-version=2021-04-01`);
    assert.ok(!list.text.includes("polluted"));
    await healthy();
  });

  it("refuses bodies over 4 MB with 413 and other content types with 415", async () => {
    const huge = JSON.stringify({ location: "westeurope", tags: { big: "x".repeat(4 * 1024 * 1024 + 10) } });
    const r = await server.fetch(rgPath("rg-huge"), {
      method: "PUT",
      rawBody: huge,
      headers: { "content-type": "application/json" },
    });
    assert.equal(refused(r, 413, "huge"), "RequestContentTooLarge");
    assert.match((r.body as { error: { message: string } }).error.message, /4194304 bytes/);
    for (const type of [
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
    ]) {
      const wrong = await server.fetch(rgPath("rg-type"), {
        method: "PUT",
        rawBody: '{"location": "westeurope"}',
        headers: { "content-type": type },
      });
      refused(wrong, undefined, type);
    }
    const noType = await fetch(new URL(rgPath("rg-type"), server.url), {
      method: "PUT",
      headers: { authorization: `Bearer ${await server.token()}` },
      body: new Blob(['{"location": "westeurope"}']),
    });
    assert.ok(noType.status < 500, `no content-type: ${noType.status}`);
    const charset = await server.fetch(rgPath("rg-charset"), {
      method: "PUT",
      rawBody: '{"location": "westeurope"}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    assert.equal(charset.status, 201, "application/json with a charset is fine");
    await healthy();
  });

  it("refuses hostile resource group names", async () => {
    const names = [
      "..%2F..%2Fetc%2Fpasswd",
      "..%2F..",
      "%2e%2e",
      "a%00b",
      "%00",
      "rg%0d%0aX-Injected:%20yes",
      "rg.",
      "x".repeat(91),
      "y".repeat(5000),
      "rg%20with%20space",
      "%F0%9F%98%80",
      "rg%3Cscript%3E",
      "rg'%22",
      "%E0%A4%A",
      "rg%",
    ];
    for (const name of names) {
      const r = await server.fetch(`${sub()}/resourcegroups/${name}?api-version=2021-04-01`, {
        method: "PUT",
        body: { location: "westeurope" },
      });
      refused(r, undefined, name);
      assert.equal(r.headers.get("x-injected"), null);
    }
    // Unicode letters are allowed in resource group names, and come back as sent.
    const unicode = await server.fetch(
      `${sub()}/resourcegroups/${encodeURIComponent("rg-café-日本")}?api-version=2021-04-01`,
      {
        method: "PUT",
        body: { location: "westeurope" },
      },
    );
    assert.equal(unicode.status, 201, unicode.text);
    assert.equal((unicode.body as { name: string }).name, "rg-café-日本");
    const ninety = "n".repeat(90);
    assert.equal((await server.fetch(rgPath(ninety), { method: "PUT", body: { location: "westeurope" } })).status, 201);
    // Traversal in other positions of the path goes nowhere either.
    for (const path of [
      `${sub()}/resourcegroups/..%2F..%2F..?api-version=2021-04-01`,
      `/subscriptions/..%2F..%2F_emulator%2Freset/resourcegroups?api-version=2021-04-01`,
      `${sub()}/resourcegroups/rg/../../../_emulator/health?api-version=2021-04-01`,
    ]) {
      const r = await server.fetch(path);
      assert.ok((r.status >= 400 && r.status < 500) || r.status === 200, `${path}: ${r.status}`);
      assert.ok(r.status < 500);
    }
    await healthy();
  });

  it("refuses bad subscription ids, unknown paths, namespaces and methods", async () => {
    const badSub = await server.fetch("/subscriptions/not-a-guid/resourcegroups?api-version=2021-04-01");
    assert.equal(refused(badSub, 400, "bad sub"), "InvalidSubscriptionId");
    const badSubPut = await server.fetch("/subscriptions/123/resourcegroups/rg?api-version=2021-04-01", {
      method: "PUT",
      body: { location: "westeurope" },
    });
    assert.equal(refused(badSubPut, 400), "InvalidSubscriptionId");
    const unknownSub = await server.fetch(
      "/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups?api-version=2021-04-01",
    );
    assert.equal(refused(unknownSub, 404), "SubscriptionNotFound");
    const unknownPath = await server.fetch("/no/such/thing");
    assert.equal(refused(unknownPath, 404), "NotFound");
    const unknownNamespace = await server.fetch(`${sub()}/providers/Microsoft.Nope/things?api-version=2021-04-01`);
    assert.equal(refused(unknownNamespace, 404), "InvalidResourceNamespace");
    const inGroup = await server.fetch(
      `${sub()}/resourceGroups/rg/providers/Microsoft.Nope/things/x?api-version=2021-04-01`,
    );
    assert.equal(refused(inGroup, 404), "InvalidResourceNamespace");
    const unknownType = await server.fetch(`${sub()}/providers/Microsoft.Resources/nothings?api-version=2021-04-01`);
    refused(unknownType, 404, "unknown type");
    const post = await server.fetch(rgPath("rg"), { method: "POST", body: {} });
    refused(post, undefined, "POST on a resource group");
    const options = await server.fetch(rgPath("rg"), { method: "OPTIONS" });
    assert.ok(options.status >= 400 && options.status < 500, `OPTIONS ${options.status}`);
    const operation = await server.fetch(`${sub()}/operationresults/not-an-operation?api-version=2021-04-01`);
    refused(operation, 404, "unknown operation");
    await healthy();
  });

  it("refuses odd query strings and api-versions without a 5xx", async () => {
    const queries = [
      "api-version=2021-04-01&api-version=2021-04-01",
      "api-version=2021-04-01&api-version=2025-04-01",
      "api-version[]=2021-04-01",
      "api-version=",
      "api-version=%00",
      "api-version=" + "9".repeat(5000),
      "api-version=2021-04-01&$skipToken=%%%",
      "api-version=2021-04-01&$skipToken=LTE",
      "api-version=2021-04-01&$filter=" + encodeURIComponent("tagName eq '"),
      "api-version=2021-04-01&$top=-1",
    ];
    for (const q of queries) {
      const r = await server.fetch(`${sub()}/resourcegroups?${q}`);
      assert.ok(r.status < 500, `${q}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status >= 400) refused(r, undefined, q);
    }
    await healthy();
  });

  it("refuses missing and forged tokens on every kind of route", async () => {
    const forged = [
      "Bearer a.b.c",
      "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyJ9.",
      `Bearer ${"x".repeat(10_000)}`,
      "Bearer \u00e9t\u00e9",
      "bearer",
      "Negotiate abc",
    ];
    for (const path of [
      rgPath("rg"),
      `${sub()}/providers?api-version=2021-04-01`,
      "/subscriptions?api-version=2022-12-01",
      `${sub()}/providers/Microsoft.Nope/x?api-version=1`,
    ]) {
      for (const authorization of forged) {
        let r: Reply;
        try {
          r = await server.fetch(path, { auth: false, headers: { authorization } });
        } catch {
          continue; // fetch itself refuses some header values (non-latin1): nothing was sent
        }
        assert.equal(r.status, 401, `${path} ${authorization.slice(0, 30)}: ${r.text}`);
        refused(r, 401);
        assert.ok(r.headers.get("www-authenticate"));
      }
    }
    await healthy();
  });

  it("survives a raw request the fetch API would not send", async () => {
    const raw = (path: string, headers: Record<string, string>, body?: string): Promise<number> =>
      new Promise((resolveStatus) => {
        const url = new URL(server.url);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path,
            method: body === undefined ? "GET" : "PUT",
            headers,
            ca: undefined,
          },
          (res) => {
            res.resume();
            res.on("end", () => resolveStatus(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolveStatus(0));
        if (body !== undefined) req.write(body);
        req.end();
      });
    const token = await server.token();
    // Content-Length larger than the body sent, then the connection closes: no answer is needed, no crash allowed.
    const statuses = await Promise.all([
      raw(`${sub()}/resourcegroups?api-version=2021-04-01`, {
        authorization: `Bearer ${token}`,
        "x-ms-correlation-request-id": "x".repeat(8000),
      }),
      raw(
        `${sub()}/resourcegroups/rg-raw?api-version=2021-04-01`,
        { authorization: `Bearer ${token}`, "content-type": "application/json" },
        '{"location"',
      ),
    ]);
    for (const s of statuses) assert.ok(s < 500, `status ${s}`);
    await healthy();
  });

  it("never answered with a 5xx (nothing logged as a server failure)", async () => {
    assert.doesNotMatch(server.output.stderr, /aksemu: .*Error/);
    await healthy();
  });
});
