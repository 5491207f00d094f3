// Identity: aksemu's own token endpoints, OpenID configuration, JWKS and cloud metadata, with real clients
// (@azure/identity, a form post like the az CLI's, jose), and ARM's 401 answers for bad tokens.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPrivateKey } from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify } from "jose";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const RESOURCES = specFile("resources/2021-04-01/resources.json");

interface OpenIdConfig {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
}

describe("identity", () => {
  let server: Aksemu;
  before(async () => (server = await startAksemu()));
  after(() => server.dispose());

  const groupsPath = (): string => `/subscriptions/${server.subscriptionId}/resourcegroups?api-version=2021-04-01`;

  /** A token from /adfs/oauth2/token, posted as a form the way the az CLI (MSAL for ADFS) does. */
  async function adfsToken(fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(new URL("/adfs/oauth2/token", server.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("issues tokens at /adfs/oauth2/token (form post) that ARM accepts", async () => {
    const byScope = await adfsToken({
      grant_type: "client_credentials",
      client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      client_secret: "whatever",
      scope: "https://management.core.windows.net//.default",
    });
    assert.equal(byScope.status, 200);
    assert.equal(byScope.body.token_type, "Bearer");
    assert.ok(typeof byScope.body.expires_in === "number" && byScope.body.expires_in > 300);
    const byResource = await adfsToken({
      grant_type: "client_credentials",
      client_id: "some-app",
      client_secret: "s",
      resource: "https://management.core.windows.net/",
    });
    assert.equal(byResource.status, 200);
    for (const token of [byScope.body.access_token, byResource.body.access_token]) {
      const r = await server.fetch(groupsPath(), {
        auth: false,
        headers: { authorization: `Bearer ${String(token)}` },
      });
      assert.equal(r.status, 200, r.text);
      assertMatchesSpec(RESOURCES, "ResourceGroups_List", 200, r.body);
    }
    const noGrant = await adfsToken({ client_id: "a", client_secret: "b" });
    assert.equal(noGrant.status, 400);
    assert.equal(noGrant.body.error, "unsupported_grant_type");
  });

  it("issues tokens to @azure/identity's ClientSecretCredential, verifiable with the published JWKS", async () => {
    const credential = new ClientSecretCredential(server.tenantId, "my-app", "my-secret", {
      authorityHost: server.url,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken("https://management.azure.com/.default");
    assert.ok(token.token.split(".").length === 3);
    assert.ok(token.expiresOnTimestamp > Date.now() + 10 * 60_000);

    const config = (await server.fetch(`/${server.tenantId}/v2.0/.well-known/openid-configuration`, { auth: false }))
      .body as OpenIdConfig;
    assert.equal(config.issuer, `${server.url}/${server.tenantId}/v2.0`);
    assert.equal(config.token_endpoint, `${server.url}/${server.tenantId}/oauth2/v2.0/token`);
    const jwks = createRemoteJWKSet(new URL(config.jwks_uri));
    const { payload, protectedHeader } = await jwtVerify(token.token, jwks, {
      issuer: config.issuer,
      audience: "https://management.azure.com",
    });
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(payload.tid, server.tenantId);
    assert.equal(payload.appid, "my-app");
    assert.match(String(payload.oid), /^[0-9a-f-]{36}$/);

    // The same principal for the same client id, every time.
    const again = await new ClientSecretCredential(server.tenantId, "my-app", "other-secret", {
      authorityHost: server.url,
      disableInstanceDiscovery: true,
    }).getToken("https://management.azure.com/.default");
    const second = await jwtVerify(again.token, jwks);
    assert.equal(second.payload.oid, payload.oid);
  });

  it("serves the ADFS OpenID configuration and its keys", async () => {
    const r = await server.fetch("/adfs/.well-known/openid-configuration", { auth: false });
    assert.equal(r.status, 200);
    const config = r.body as OpenIdConfig;
    assert.equal(config.issuer, `${server.url}/adfs`);
    assert.equal(config.token_endpoint, `${server.url}/adfs/oauth2/token`);
    const token = await adfsToken({
      grant_type: "client_credentials",
      client_id: "c",
      client_secret: "s",
      scope: "https://management.core.windows.net//.default",
    });
    const { payload } = await jwtVerify(String(token.body.access_token), createRemoteJWKSet(new URL(config.jwks_uri)), {
      issuer: config.issuer,
      audience: "https://management.core.windows.net/",
    });
    assert.equal(payload.tid, server.tenantId);
    const unknownTenant = await server.fetch("/not-a-tenant/v2.0/.well-known/openid-configuration", { auth: false });
    assert.equal(unknownTenant.status, 400);
    assert.equal((unknownTenant.body as { error: string }).error, "invalid_tenant");
  });

  it("serves cloud metadata at /metadata/endpoints (also with a leading //)", async () => {
    for (const path of ["/metadata/endpoints?api-version=2015-01-01", "//metadata/endpoints?api-version=2015-01-01"]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      const body = (await response.json()) as { authentication: { loginEndpoint: string; audiences: string[] } };
      assert.equal(body.authentication.loginEndpoint, `${server.url}/adfs`);
      assert.ok(body.authentication.audiences.includes("https://management.core.windows.net/"));
    }
    const modern = await server.fetch("/metadata/endpoints?api-version=2022-09-01", { auth: false });
    const clouds = modern.body as { resourceManager: string; authentication: { loginEndpoint: string } }[];
    assert.equal(clouds[0]!.resourceManager, `${server.url}/`);
    assert.equal(clouds[0]!.authentication.loginEndpoint, `${server.url}/adfs`);
  });

  describe("refuses ARM requests with 401, ARM's codes and a WWW-Authenticate challenge", () => {
    async function refused(authorization: string | undefined, code: string): Promise<void> {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const r = await server.fetch(groupsPath(), { auth: false, headers });
      assert.equal(r.status, 401, r.text);
      const error = (r.body as { error: { code: string; message: string } }).error;
      assert.equal(error.code, code);
      assert.ok(error.message.length > 20);
      assertMatchesSpec(RESOURCES, "ResourceGroups_List", 401, r.body);
      const challenge = r.headers.get("www-authenticate") ?? "";
      assert.match(
        challenge,
        /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}", error="invalid_token"/,
      );
      assert.ok(r.headers.get("x-ms-request-id"));
    }

    it("no token", () => refused(undefined, "AuthenticationFailed"));
    it("malformed Authorization header", async () => {
      await refused("Basic dXNlcjpwYXNz", "AuthenticationFailed");
      await refused("Bearer", "AuthenticationFailed");
      await refused("Bearer not-a-jwt", "InvalidAuthenticationToken");
    });
    it("a token signed by another key", async () => {
      const genuine = await server.token();
      const kid = decodeProtectedHeader(genuine).kid!;
      const { privateKey } = await generateKeyPair("RS256");
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ tid: server.tenantId, oid: "x", appid: "x" })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
        .setAudience("https://management.azure.com/")
        .setIssuer(`${server.url}/${server.tenantId}/v2.0`)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey);
      await refused(`Bearer ${forged}`, "InvalidAuthenticationToken");
      // and a genuine token with its signature altered
      const [h, p, s] = genuine.split(".") as [string, string, string];
      const flipped = `${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
      await refused(`Bearer ${h}.${p}.${flipped}`, "InvalidAuthenticationToken");
    });
    it("an expired token signed with aksemu's own key", async () => {
      const key = createPrivateKey(readFileSync(join(server.dataDir, "token-signing-key.pem"), "utf8"));
      const kid = decodeProtectedHeader(await server.token()).kid!;
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ tid: server.tenantId, oid: "x", appid: "x" })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
        .setAudience("https://management.azure.com/")
        .setIssuer(`${server.url}/${server.tenantId}/v2.0`)
        .setIssuedAt(now - 7200)
        .setNotBefore(now - 7200)
        .setExpirationTime(now - 3600)
        .sign(key);
      await refused(`Bearer ${expired}`, "ExpiredAuthenticationToken");
      // The same claims, not expired: accepted (so it was the expiry that was refused).
      const fresh = await new SignJWT({ tid: server.tenantId, oid: "x", appid: "x" })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
        .setAudience("https://management.azure.com/")
        .setIssuer(`${server.url}/${server.tenantId}/v2.0`)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(key);
      const ok = await server.fetch(groupsPath(), { auth: false, headers: { authorization: `Bearer ${fresh}` } });
      assert.equal(ok.status, 200);
    });
    it("a token for another audience", async () => {
      const graph = await server.credential().getToken("https://graph.microsoft.com/.default");
      await refused(`Bearer ${graph!.token}`, "InvalidAuthenticationTokenAudience");
    });
  });
});
