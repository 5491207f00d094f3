/**
 * aksemu as its own identity provider, enough for real clients:
 * - `/adfs/...` (what the az CLI uses: an authority ending in /adfs skips Entra instance discovery);
 * - `/{tenant}/v2.0/.well-known/openid-configuration` and `/{tenant}/oauth2/v2.0/token` (MSAL / @azure/identity);
 * - `/metadata/endpoints` (ARM's cloud metadata, read by `az cloud register`);
 * - `/msi/token` (managed-identity style, for `az login --identity`).
 * Any client id and secret receive a token (client-credentials grant).
 */
import type { ArmResponse, PlainRequest, PlainRoute } from "../arm/handler.js";
import { isObject } from "../arm/body.js";
import type { SigningKey } from "./keys.js";
import { TOKEN_LIFETIME_SECONDS, type TokenService } from "./tokens.js";

const MANAGEMENT = "https://management.core.windows.net/";

function aadError(status: number, error: string, code: number, description: string): ArmResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: "",
    },
  };
}

/** `https://management.core.windows.net//.default` → `https://management.core.windows.net/`. */
export function audienceFromScope(scope: string): string | undefined {
  const first = scope.split(/\s+/).find((s) => s.endsWith("/.default"));
  return first === undefined ? undefined : first.slice(0, -"/.default".length) || undefined;
}

export interface IdentityOptions {
  tokens: TokenService;
  key: SigningKey;
  tenantId: () => string;
}

export function identityRoutes(options: IdentityOptions): PlainRoute[] {
  const { tokens, key } = options;

  const isKnownTenant = (tenant: string): boolean =>
    ["common", "organizations", "consumers", "adfs"].includes(tenant.toLowerCase()) ||
    tenant.toLowerCase() === options.tenantId().toLowerCase();

  const tokenResponse = async (req: PlainRequest, issuer: string): Promise<ArmResponse> => {
    const form = isObject(req.body) ? (req.body as Record<string, unknown>) : {};
    const field = (name: string): string | undefined =>
      typeof form[name] === "string" ? (form[name] as string) : undefined;
    const grant = field("grant_type");
    if (grant !== "client_credentials") {
      return aadError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grant ?? ""}'. Use grant_type=client_credentials.`,
      );
    }
    const clientId = field("client_id");
    if (clientId === undefined || clientId === "") {
      return aadError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    }
    if (field("client_secret") === undefined && field("client_assertion") === undefined) {
      return aadError(
        401,
        "invalid_client",
        7000216,
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      );
    }
    const audience = audienceFromScope(field("scope") ?? "") ?? field("resource") ?? MANAGEMENT;
    const accessToken = await tokens.issue({ issuer, audience, tenantId: options.tenantId(), clientId });
    return {
      status: 200,
      body: {
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_SECONDS,
        ext_expires_in: TOKEN_LIFETIME_SECONDS,
        access_token: accessToken,
      },
      headers: { "Cache-Control": "no-store" },
    };
  };

  const openIdConfig = (req: PlainRequest, authority: string, issuer: string, tokenPath: string, keysPath: string) => ({
    status: 200,
    body: {
      issuer,
      authorization_endpoint: `${req.baseUrl}${authority}/oauth2/authorize`,
      token_endpoint: `${req.baseUrl}${tokenPath}`,
      jwks_uri: `${req.baseUrl}${keysPath}`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      tenant_region_scope: "WW",
      cloud_instance_name: "aksemu",
    },
  });

  const unknownTenant = (tenant: string): ArmResponse =>
    aadError(
      400,
      "invalid_tenant",
      90002,
      `Tenant '${tenant}' not found. Use the tenant id that aksemu printed at start-up.`,
    );

  const jwks = (): Promise<ArmResponse> => Promise.resolve({ status: 200, body: { keys: [key.jwk] } });

  return [
    {
      method: "GET",
      path: "/adfs/.well-known/openid-configuration",
      auth: "none",
      handler: (req) =>
        Promise.resolve(
          openIdConfig(req, "/adfs", `${req.baseUrl}/adfs`, "/adfs/oauth2/token", "/adfs/discovery/keys"),
        ),
    },
    { method: "GET", path: "/adfs/discovery/keys", auth: "none", handler: jwks },
    {
      method: "POST",
      path: "/adfs/oauth2/token",
      auth: "none",
      handler: (req) => tokenResponse(req, `${req.baseUrl}/adfs`),
    },
    {
      method: "GET",
      path: "/:tenant/v2.0/.well-known/openid-configuration",
      auth: "none",
      handler: (req) => {
        const tenant = req.params.tenant!;
        if (!isKnownTenant(tenant)) return Promise.resolve(unknownTenant(tenant));
        const tid = options.tenantId();
        return Promise.resolve(
          openIdConfig(
            req,
            `/${tenant}`,
            `${req.baseUrl}/${tid}/v2.0`,
            `/${tenant}/oauth2/v2.0/token`,
            `/${tenant}/discovery/v2.0/keys`,
          ),
        );
      },
    },
    { method: "GET", path: "/:tenant/discovery/v2.0/keys", auth: "none", handler: jwks },
    {
      method: "POST",
      path: "/:tenant/oauth2/v2.0/token",
      auth: "none",
      handler: (req) => {
        const tenant = req.params.tenant!;
        if (!isKnownTenant(tenant)) return Promise.resolve(unknownTenant(tenant));
        return tokenResponse(req, `${req.baseUrl}/${options.tenantId()}/v2.0`);
      },
    },
    {
      method: "POST",
      path: "/:tenant/oauth2/token",
      auth: "none",
      handler: (req) => {
        const tenant = req.params.tenant!;
        if (!isKnownTenant(tenant)) return Promise.resolve(unknownTenant(tenant));
        return tokenResponse(req, `${req.baseUrl}/${options.tenantId()}/`);
      },
    },
    {
      // Managed-identity style endpoint: form or query `resource`, header `Metadata: true`.
      method: "POST",
      path: "/msi/token",
      auth: "none",
      handler: async (req) => {
        if ((req.headers.metadata ?? "").toLowerCase() !== "true") {
          return {
            status: 400,
            body: { error: "invalid_request", error_description: "Required metadata header not specified" },
          };
        }
        const form = isObject(req.body) ? (req.body as Record<string, unknown>) : {};
        const resource = (typeof form.resource === "string" ? form.resource : req.query.resource) ?? MANAGEMENT;
        const token = await tokens.issue({
          issuer: `${req.baseUrl}/${options.tenantId()}/`,
          audience: resource,
          tenantId: options.tenantId(),
          clientId: "aksemu-managed-identity",
        });
        return {
          status: 200,
          body: {
            access_token: token,
            token_type: "Bearer",
            resource,
            expires_in: String(TOKEN_LIFETIME_SECONDS),
            expires_on: String(
              (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number }).exp,
            ),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/metadata/endpoints",
      auth: "none",
      handler: (req) => Promise.resolve({ status: 200, body: cloudMetadata(req) }),
    },
  ];
}

/** ARM's cloud metadata; the 2015-01-01 shape for old clients, the list shape from 2019-05-01 on. */
function cloudMetadata(req: PlainRequest): unknown {
  const base = req.baseUrl;
  const legacy = {
    galleryEndpoint: `${base}/`,
    graphEndpoint: "https://graph.windows.net/",
    portalEndpoint: `${base}/`,
    graphAudience: "https://graph.windows.net/",
    authentication: {
      loginEndpoint: `${base}/adfs`,
      audiences: [MANAGEMENT, "https://management.azure.com/"],
      tenant: "adfs",
      identityProvider: "ADFS",
    },
  };
  const version = req.query["api-version"] ?? "2015-01-01";
  if (version < "2019-05-01") return legacy;
  return [
    {
      portal: `${base}/`,
      authentication: {
        loginEndpoint: `${base}/adfs`,
        audiences: [MANAGEMENT, "https://management.azure.com/"],
        tenant: "adfs",
        identityProvider: "ADFS",
      },
      media: `${base}/`,
      graphAudience: "https://graph.windows.net/",
      graph: "https://graph.windows.net/",
      name: "aksemu",
      suffixes: { acrLoginServer: "azurecr.io", keyVaultDns: "vault.azure.net", storage: "core.windows.net" },
      batch: `${base}/`,
      resourceManager: `${base}/`,
      vmImageAliasDoc: `${base}/`,
      activeDirectoryDataLake: `${base}/`,
      sqlManagement: `${base}/`,
      gallery: `${base}/`,
    },
  ];
}
