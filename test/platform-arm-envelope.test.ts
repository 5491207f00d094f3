// The ARM envelope every provider shares: case-insensitive paths, api-version rules, request ids, paging, ETags,
// long-running deletes, provider registrations on the clock; every Microsoft.Resources response checked against the
// specs (resources 2021-04-01 and 2025-04-01, subscriptions 2019-11-01 and 2022-12-01).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { assertMatchesSpec, specFile, validateResponse } from "./support/spec.js";

const RESOURCES_VERSIONS = ["2021-04-01", "2025-04-01"] as const;
const SUBSCRIPTIONS_VERSIONS = ["2019-11-01", "2022-12-01"] as const;
const resourcesSpec = (v: string): string => specFile(`resources/${v}/resources.json`);
const subscriptionsSpec = (v: string): string => specFile(`subscriptions/${v}/subscriptions.json`);

type ErrorBody = { error: { code: string; message: string } };
const code = (body: unknown): string => (body as ErrorBody).error.code;
const message = (body: unknown): string => (body as ErrorBody).error.message;

describe("ARM envelope", () => {
  let server: Aksemu;
  let strict: Aksemu;
  before(async () => {
    [server, strict] = await Promise.all([
      startAksemu({ args: ["--clock", "frozen", "--now", "2026-03-01T00:00:00Z", "--page-size", "2"] }),
      startAksemu({ args: ["--strict-api-version"] }),
    ]);
  });
  after(async () => {
    await Promise.all([server.dispose(), strict.dispose()]);
  });

  const sub = (): string => `/subscriptions/${server.subscriptionId}`;
  const rg = (name: string, version = "2021-04-01"): string => `${sub()}/resourcegroups/${name}?api-version=${version}`;

  it("matches paths case-insensitively and keeps the name as created", async () => {
    const created = await server.fetch(rg("Rg-Case"), { method: "PUT", body: { location: "westeurope" } });
    assert.equal(created.status, 201);
    const upper = await server.fetch(
      `/SUBSCRIPTIONS/${server.subscriptionId.toUpperCase()}/RESOURCEGROUPS/RG-CASE?api-version=2021-04-01`,
    );
    assert.equal(upper.status, 200, upper.text);
    assert.equal((upper.body as { name: string }).name, "Rg-Case");
    assert.equal((upper.body as { id: string }).id, `${sub()}/resourceGroups/Rg-Case`);
    assertMatchesSpec(resourcesSpec("2021-04-01"), "ResourceGroups_Get", 200, upper.body);
    const mixed = await server.fetch(
      `/Subscriptions/${server.subscriptionId}/resourceGroups/rg-case?API-VERSION=2021-04-01`,
    );
    // ARM treats query parameter names case-insensitively too
    assert.equal(mixed.status, 200, mixed.text);
  });

  it("requires an api-version, lists the supported ones, serves newer dates with a Warning", async () => {
    const missing = await server.fetch(`${sub()}/resourcegroups`);
    assert.equal(missing.status, 400);
    assert.equal(code(missing.body), "MissingApiVersionParameter");
    assert.match(message(missing.body), /2021-04-01/);
    assertMatchesSpec(resourcesSpec("2021-04-01"), "ResourceGroups_List", 400, missing.body);

    for (const bad of ["2021-04-02", "latest", "2021-13-01", "2021-04-01;drop"]) {
      const r = await server.fetch(`${sub()}/resourcegroups?api-version=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, bad);
      assert.equal(code(r.body), "InvalidApiVersionParameter", bad);
      assert.match(message(r.body), /'2025-04-01, .*2021-04-01, /);
      assert.match(message(r.body), /Microsoft\.Resources\/resourceGroups/);
    }

    const newer = await server.fetch(`${sub()}/resourcegroups?api-version=2099-01-01`);
    assert.equal(newer.status, 200);
    assert.match(newer.headers.get("warning") ?? "", /^299 .*2099-01-01/);
    assertMatchesSpec(resourcesSpec("2025-04-01"), "ResourceGroups_List", 200, newer.body);
    const known = await server.fetch(`${sub()}/resourcegroups?api-version=2025-04-01`);
    assert.equal(known.headers.get("warning"), null);

    const refused = await strict.fetch(`/subscriptions/${strict.subscriptionId}/resourcegroups?api-version=2099-01-01`);
    assert.equal(refused.status, 400);
    assert.equal(code(refused.body), "InvalidApiVersionParameter");
    const fine = await strict.fetch(`/subscriptions/${strict.subscriptionId}/resourcegroups?api-version=2025-04-01`);
    assert.equal(fine.status, 200);
  });

  it("puts x-ms-request-id and x-ms-correlation-request-id on every response, echoing the client's", async () => {
    const correlation = "7f1c7a8e-5b0e-4a55-9a57-1b2b3c4d5e6f";
    const responses = await Promise.all([
      server.fetch(`${sub()}/resourcegroups?api-version=2021-04-01`),
      server.fetch(`${sub()}/resourcegroups/nope?api-version=2021-04-01`),
      server.fetch(`${sub()}/resourcegroups?api-version=2021-04-01`, { auth: false }),
      server.fetch(`/no/such/path`),
      server.fetch(`/_emulator/health`, { auth: false }),
      server.fetch(`/adfs/.well-known/openid-configuration`, { auth: false }),
      server.fetch(`${sub()}/resourcegroups/x?api-version=2021-04-01`, {
        method: "PUT",
        rawBody: "{",
        headers: { "content-type": "application/json" },
      }),
    ]);
    const ids = new Set<string>();
    for (const r of responses) {
      const id = r.headers.get("x-ms-request-id");
      assert.match(id ?? "", /^[0-9a-f-]{36}$/, `status ${r.status}`);
      assert.equal(r.headers.get("x-ms-correlation-request-id"), id);
      ids.add(id!);
    }
    assert.equal(ids.size, responses.length, "request ids are unique");
    const echoed = await server.fetch(`${sub()}/resourcegroups?api-version=2021-04-01`, {
      headers: { "x-ms-correlation-request-id": correlation },
    });
    assert.equal(echoed.headers.get("x-ms-correlation-request-id"), correlation);
    assert.notEqual(echoed.headers.get("x-ms-request-id"), correlation);
    // The SDK sends x-ms-client-request-id; it comes back too.
    const raw = await fetch(new URL(`${sub()}/resourcegroups?api-version=2021-04-01`, server.url), {
      headers: { authorization: `Bearer ${await server.token()}`, "x-ms-client-request-id": "client-1" },
    });
    assert.equal(raw.headers.get("x-ms-client-request-id"), "client-1");
  });

  it("pages lists with nextLink, and the SDK's list() returns every item", async () => {
    const client = server.resources();
    const names = ["page-a", "page-b", "page-c", "page-d", "page-e"];
    for (const name of names)
      await client.resourceGroups.createOrUpdate(name, { location: "westus2", tags: { purpose: "paging" } });
    for (const version of RESOURCES_VERSIONS) {
      let url: string | undefined =
        `${sub()}/resourcegroups?api-version=${version}&$filter=${encodeURIComponent("tagName eq 'purpose'")}`;
      const seen: string[] = [];
      let pages = 0;
      while (url !== undefined) {
        const r = await server.fetch(url);
        assert.equal(r.status, 200, r.text);
        assertMatchesSpec(resourcesSpec(version), "ResourceGroups_List", 200, r.body);
        const page = r.body as { value: { name: string }[]; nextLink?: string };
        assert.ok(page.value.length <= 2);
        seen.push(...page.value.map((g) => g.name));
        url = page.nextLink;
        if (url !== undefined) assert.ok(url.startsWith(`${server.url}/subscriptions/`), url);
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen.sort(), names);
    }
    const listed: string[] = [];
    for await (const g of client.resourceGroups.list({ filter: "tagName eq 'purpose' and tagValue eq 'paging'" }))
      listed.push(g.name!);
    assert.deepEqual(listed.sort(), names);
    const providers: string[] = [];
    for await (const p of client.providers.list()) providers.push(p.namespace!);
    assert.ok(providers.length > 4 && providers.includes("Microsoft.Network"), providers.join(","));
    // $top caps a page; following the nextLinks still gives everything.
    const topped: string[] = [];
    for await (const page of client.resourceGroups.list({ top: 1, filter: "tagName eq 'purpose'" }).byPage()) {
      assert.equal(page.length, 1);
      topped.push(...page.map((g) => g.name!));
    }
    assert.deepEqual(topped.sort(), names);
    const badTop = await server.fetch(`${sub()}/resourcegroups?api-version=2021-04-01&$top=0`);
    assert.equal(badTop.status, 400);
    const badToken = await server.fetch(`${sub()}/resourcegroups?api-version=2021-04-01&$skipToken=not-a-number`);
    assert.equal(badToken.status, 400);
  });

  it("answers If-Match / If-None-Match with 412 PreconditionFailed", async () => {
    const first = await server.fetch(rg("rg-etag"), {
      method: "PUT",
      body: { location: "westeurope" },
      headers: { "if-none-match": "*" },
    });
    assert.equal(first.status, 201);
    const etag = first.headers.get("etag");
    assert.ok(etag);
    const again = await server.fetch(rg("rg-etag"), {
      method: "PUT",
      body: { location: "westeurope" },
      headers: { "if-none-match": "*" },
    });
    assert.equal(again.status, 412);
    assert.equal(code(again.body), "PreconditionFailed");
    assertMatchesSpec(resourcesSpec("2021-04-01"), "ResourceGroups_CreateOrUpdate", 412, again.body);
    const read = await server.fetch(rg("rg-etag"));
    assert.equal(read.headers.get("etag"), etag);
    const stale = '"00000000-0000-0000-0000-000000000000"';
    for (const [method, body] of [
      ["PUT", { location: "westeurope", tags: { a: "b" } }],
      ["PATCH", { tags: { a: "b" } }],
      ["DELETE", undefined],
    ] as const) {
      const r = await server.fetch(rg("rg-etag"), { method, body, headers: { "if-match": stale } });
      assert.equal(r.status, 412, `${method} ${r.text}`);
      assert.equal(code(r.body), "PreconditionFailed");
    }
    const updated = await server.fetch(rg("rg-etag"), {
      method: "PATCH",
      body: { tags: { a: "b" } },
      headers: { "if-match": etag! },
    });
    assert.equal(updated.status, 200);
    assertMatchesSpec(resourcesSpec("2021-04-01"), "ResourceGroups_Update", 200, updated.body);
    const newEtag = updated.headers.get("etag");
    assert.ok(newEtag && newEtag !== etag);
    const old = await server.fetch(rg("rg-etag"), {
      method: "PATCH",
      body: { tags: {} },
      headers: { "if-match": etag! },
    });
    assert.equal(old.status, 412);
    const ifMatchMissing = await server.fetch(rg("rg-no-such"), {
      method: "PUT",
      body: { location: "westeurope" },
      headers: { "if-match": "*" },
    });
    assert.equal(ifMatchMissing.status, 412);
    const wildcard = await server.fetch(rg("rg-etag"), {
      method: "PUT",
      body: { location: "westeurope" },
      headers: { "if-match": "*" },
    });
    assert.equal(wildcard.status, 200);
  });

  it("validates resource group responses against resources 2021-04-01 and 2025-04-01", async () => {
    for (const version of RESOURCES_VERSIONS) {
      const spec = resourcesSpec(version);
      const name = `rg-spec-${version}`;
      const put = await server.fetch(rg(name, version), {
        method: "PUT",
        body: { location: "West Europe", tags: { env: "test" } },
      });
      assert.equal(put.status, 201, put.text);
      assertMatchesSpec(spec, "ResourceGroups_CreateOrUpdate", 201, put.body);
      assert.equal((put.body as { location: string }).location, "westeurope");
      const put2 = await server.fetch(rg(name, version), { method: "PUT", body: { location: "westeurope" } });
      assert.equal(put2.status, 200);
      assertMatchesSpec(spec, "ResourceGroups_CreateOrUpdate", 200, put2.body);
      const get = await server.fetch(rg(name, version));
      assertMatchesSpec(spec, "ResourceGroups_Get", 200, get.body);
      const patch = await server.fetch(rg(name, version), { method: "PATCH", body: { tags: { env: "prod" } } });
      assertMatchesSpec(spec, "ResourceGroups_Update", 200, patch.body);
      const head = await server.fetch(rg(name, version), { method: "HEAD" });
      assert.equal(head.status, 204);
      assertMatchesSpec(spec, "ResourceGroups_CheckExistence", 204, head.body);
      const headMissing = await server.fetch(rg("rg-none", version), { method: "HEAD" });
      assert.equal(headMissing.status, 404);
      assertMatchesSpec(spec, "ResourceGroups_CheckExistence", 404, headMissing.body);
      const missing = await server.fetch(rg("rg-none", version));
      assert.equal(missing.status, 404);
      assert.equal(code(missing.body), "ResourceGroupNotFound");
      assertMatchesSpec(spec, "ResourceGroups_Get", 404, missing.body);

      // DELETE is long-running: 202 + Location; the operation result answers 202 until the clock moves, then 200.
      const del = await server.fetch(rg(name, version), { method: "DELETE" });
      assert.equal(del.status, 202);
      assertMatchesSpec(spec, "ResourceGroups_Delete", 202, del.body);
      const location = del.headers.get("location")!;
      assert.ok(
        location.startsWith(`${server.url}/subscriptions/${server.subscriptionId}/operationresults/`),
        location,
      );
      assert.ok(Number(del.headers.get("retry-after")) <= 1);
      assert.ok(Number(del.headers.get("retry-after-ms")) <= 1000);
      const deleting = await server.fetch(rg(name, version));
      assert.equal(
        (deleting.body as { properties: { provisioningState: string } }).properties.provisioningState,
        "Deleting",
      );
      assertMatchesSpec(spec, "ResourceGroups_Get", 200, deleting.body);
      assert.equal((await server.fetch(location)).status, 202);
      await server.advance("PT1S");
      const done = await server.fetch(location);
      assert.equal(done.status, 200);
      assert.equal((await server.fetch(rg(name, version))).status, 404);
    }
  });

  it("validates subscriptions and tenants against subscriptions 2019-11-01 and 2022-12-01", async () => {
    for (const version of SUBSCRIPTIONS_VERSIONS) {
      const spec = subscriptionsSpec(version);
      const list = await server.fetch(`/subscriptions?api-version=${version}`);
      assert.equal(list.status, 200);
      // Two known differences between the spec and ARM, kept as ARM has them: ARM adds `count` and leaves out
      // `nextLink` on the last page (the spec marks it required). Everything else must match.
      const { count, ...rest } = list.body as { count?: { type: string; value: number } };
      assert.deepEqual(count, { type: "Total", value: 1 });
      assert.deepEqual(
        validateResponse(spec, "Subscriptions_List", 200, rest).filter(
          (e) => e !== '(body): missing required property "nextLink"',
        ),
        [],
      );
      assert.ok(validateResponse(spec, "Subscriptions_List", 200, { ...rest, value: [{ state: 1 }] }).length > 1);
      const one = await server.fetch(`${sub()}?api-version=${version}`);
      assertMatchesSpec(spec, "Subscriptions_Get", 200, one.body);
      const tenants = await server.fetch(`/tenants?api-version=${version}`);
      assert.deepEqual(
        validateResponse(spec, "Tenants_List", 200, tenants.body).filter(
          (e) => e !== '(body): missing required property "nextLink"',
        ),
        [],
      );
      const locations = await server.fetch(`${sub()}/locations?api-version=${version}`);
      assert.equal(locations.status, 200);
      assertMatchesSpec(spec, "Subscriptions_ListLocations", 200, locations.body);
      const unknown = await server.fetch(`/subscriptions/00000000-0000-0000-0000-000000000001?api-version=${version}`);
      assert.equal(unknown.status, 404);
      assert.equal(code(unknown.body), "SubscriptionNotFound");
      // 2019-11-01 documents no error response for this operation; ARM's CloudError is the shape.
      if (version === "2019-11-01")
        assertMatchesSpec(resourcesSpec("2021-04-01"), "ResourceGroups_Get", 404, unknown.body);
      else assertMatchesSpec(spec, "Subscriptions_Get", 404, unknown.body);
    }
    const client = new SubscriptionClient(server.credential(), { endpoint: server.url });
    const regions = [];
    for await (const l of client.subscriptions.listLocations(server.subscriptionId)) regions.push(l.name);
    assert.ok(regions.includes("westeurope"));
  });

  it("registers and unregisters providers, settling on the clock", async () => {
    const client = server.resources();
    const before = await client.providers.get("Microsoft.Network");
    assert.equal(before.registrationState, "NotRegistered");
    const registering = await client.providers.register("Microsoft.Network");
    assert.equal(registering.registrationState, "Registering");
    for (const version of RESOURCES_VERSIONS) {
      const get = await server.fetch(`${sub()}/providers/Microsoft.Network?api-version=${version}`);
      assert.equal((get.body as { registrationState: string }).registrationState, "Registering");
      assertMatchesSpec(resourcesSpec(version), "Providers_Get", 200, get.body);
    }
    // The frozen clock holds it in Registering; moving the clock settles it.
    assert.equal((await client.providers.get("microsoft.network")).registrationState, "Registering");
    const fired = await server.advance("PT5S");
    assert.ok(fired.timersFired >= 1);
    assert.equal((await client.providers.get("Microsoft.Network")).registrationState, "Registered");

    // az-style: POST register is idempotent once registered.
    const again = await server.fetch(`${sub()}/providers/Microsoft.Network/register?api-version=2021-04-01`, {
      method: "POST",
    });
    assert.equal(again.status, 200);
    assert.equal((again.body as { registrationState: string }).registrationState, "Registered");
    assertMatchesSpec(resourcesSpec("2021-04-01"), "Providers_Register", 200, again.body);

    const unregistering = await server.fetch(`${sub()}/providers/Microsoft.Network/unregister?api-version=2025-04-01`, {
      method: "POST",
    });
    assert.equal((unregistering.body as { registrationState: string }).registrationState, "Unregistering");
    assertMatchesSpec(resourcesSpec("2025-04-01"), "Providers_Unregister", 200, unregistering.body);
    await server.advance("PT5S");
    assert.equal((await client.providers.get("Microsoft.Network")).registrationState, "Unregistered");

    for (const version of RESOURCES_VERSIONS) {
      const list = await server.fetch(`${sub()}/providers?api-version=${version}`);
      assertMatchesSpec(resourcesSpec(version), "Providers_List", 200, list.body);
    }
    const unknown = await server.fetch(`${sub()}/providers/Microsoft.Nope?api-version=2021-04-01`);
    assert.equal(unknown.status, 404);
    assert.equal(code(unknown.body), "InvalidResourceNamespace");
    const unknownRegister = await server.fetch(`${sub()}/providers/Microsoft.Nope/register?api-version=2021-04-01`, {
      method: "POST",
    });
    assert.equal(unknownRegister.status, 404);
    assertMatchesSpec(resourcesSpec("2021-04-01"), "Providers_Register", 404, unknownRegister.body);
  });
});
