/**
 * The HTTPS front door. Middleware order, explicitly:
 *   1. onRequest: request ids (`x-ms-request-id`, `x-ms-correlation-request-id`) on every response;
 *   2. body parsing with ARM's size limit (JSON, form-encoded for the token endpoints);
 *   3. route match (case-insensitive, duplicate slashes tolerated);
 *   4. for ARM routes: authentication → api-version → subscription (exists; writable for writes) → provider handler;
 *      for the control API: loopback or token; identity and metadata routes are open;
 *   5. errors of any kind leave as ARM's envelope; nothing escapes as a crash.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import secureJson from "secure-json-parse";
import { ArmError, armErrors, isArmError } from "../arm/errors.js";
import type { ArmResponse, OperationRoute, PlainRequest, PlainRoute, RequestContext } from "../arm/handler.js";
import { runInRequestScope } from "../arm/request-scope.js";
import type { TokenService } from "../identity/tokens.js";
import type { Subscriptions } from "../providers/resources/index.js";
import type { TlsMaterial } from "./tls.js";

/** ARM refuses request bodies over 4 MB. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface AppOptions {
  tls: TlsMaterial;
  tokens: TokenService;
  subscriptions: Subscriptions;
  armRoutes: OperationRoute[];
  plainRoutes: PlainRoute[];
  strictApiVersion: boolean;
  /** The control API is open without a token only while the server listens on loopback. */
  loopbackOnly: boolean;
  verbose: boolean;
  /**
   * Called after a synchronous ARM write succeeded (not for long-running ones: operations log those), so that the
   * activity log records it.
   */
  onSyncWrite?: (write: SyncWrite) => Promise<void>;
}

export interface SyncWrite {
  method: string;
  /** The resource type the route serves, e.g. `Microsoft.Resources/resourceGroups`. */
  resourceType: string;
  /** The request path without the query. */
  path: string;
  status: number;
  ctx: RequestContext;
}

function headerMap(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function baseUrlOf(req: FastifyRequest): string {
  return `https://${req.headers.host ?? "127.0.0.1"}`;
}

function send(reply: FastifyReply, response: ArmResponse): FastifyReply {
  reply.code(response.status);
  if (response.headers !== undefined) for (const [k, v] of Object.entries(response.headers)) reply.header(k, v);
  if (response.body === undefined || response.status === 204 || reply.request.method === "HEAD") return reply.send();
  const declared = reply.getHeader("content-type");
  if (typeof response.body === "string" && typeof declared === "string" && !declared.includes("json")) {
    return reply.send(response.body);
  }
  reply.header("content-type", "application/json; charset=utf-8");
  return reply.send(JSON.stringify(response.body));
}

/** `x-ms-request-id`, `x-ms-correlation-request-id` (the client's, echoed) and `x-ms-client-request-id` (echoed). */
function stampRequestIds(req: FastifyRequest, reply: FastifyReply): void {
  const correlation = req.headers["x-ms-correlation-request-id"];
  reply.header("x-ms-request-id", req.id);
  reply.header(
    "x-ms-correlation-request-id",
    typeof correlation === "string" && correlation !== "" ? correlation : req.id,
  );
  const clientRequestId = req.headers["x-ms-client-request-id"];
  if (typeof clientRequestId === "string") reply.header("x-ms-client-request-id", clientRequestId);
}

/**
 * Reads and drops what is left of a request body (up to `maxBytes`), so that a client still sending an over-sized
 * body gets to read the 413 instead of a broken pipe.
 */
function drainRequest(req: FastifyRequest, maxBytes: number): Promise<void> {
  const raw = req.raw;
  if (raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolveDrained) => {
    let seen = 0;
    const finish = (): void => {
      raw.removeListener("data", onData);
      raw.removeListener("end", finish);
      raw.removeListener("error", finish);
      raw.removeListener("close", finish);
      resolveDrained();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    raw.on("data", onData);
    raw.once("end", finish);
    raw.once("error", finish);
    raw.once("close", finish);
    raw.resume();
  });
}

/** Query parameters as single strings: a parameter given twice counts once (ARM's api-version must agree). */
function singleValued(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) {
      const values = [...new Set(v.map(String))];
      if (k.toLowerCase() === "api-version" && values.length > 1) {
        throw new ArmError(
          400,
          "InvalidApiVersionParameter",
          `The api-version query parameter was given more than once, with different values ('${values.join("', '")}'). Send it once.`,
        );
      }
      out[k] = values[0];
    } else if (v !== undefined) {
      out[k] = String(v);
    }
  }
  return out;
}

function sendError(reply: FastifyReply, error: ArmError): FastifyReply {
  return send(reply, { status: error.status, body: error.toBody(), headers: error.headers });
}

/** Maps Fastify's own errors (body too large, bad JSON, unsupported media type) to ARM's. */
function toArmError(error: unknown): ArmError {
  if (isArmError(error)) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return armErrors.requestTooLarge(BODY_LIMIT_BYTES);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return armErrors.unsupportedMediaType("unknown");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return armErrors.invalidRequestContent("The request body is empty. Send a JSON object");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ArmError(400, "InvalidContentLength", "The Content-Length header does not match the request body.");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ArmError(
        414,
        "RequestUriTooLong",
        "A segment of the request path is longer than 1024 characters. Resource names are far shorter; check the path.",
      );
    case "FST_ERR_BAD_URL":
    case "FST_ERR_ASYNC_CONSTRAINT":
      return new ArmError(400, "InvalidRequestUri", "The request URI is malformed. Check its percent-encoding.");
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new ArmError(e.statusCode, "BadRequest", e.message ?? "The request is invalid.");
  }
  return new ArmError(
    500,
    "InternalServerError",
    `aksemu failed to process the request: ${e.message ?? String(error)}`,
  );
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    https: { key: options.tls.key, cert: options.tls.cert },
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: {
      caseSensitive: false,
      ignoreDuplicateSlashes: true,
      ignoreTrailingSlash: true,
      maxParamLength: 1024,
    },
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    keepAliveTimeout: 65_000,
    genReqId: () => randomUUID(),
    // Errors raised before routing (bad percent-encoding, over-long path segments) leave in ARM's envelope too.
    frameworkErrors: (error, req, reply) => {
      stampRequestIds(req, reply);
      return sendError(reply, toArmError(error));
    },
  });

  // 1. Request ids on every response, as ARM sends them.
  app.addHook("onRequest", (req, reply, done) => {
    stampRequestIds(req, reply);
    if (options.verbose) process.stderr.write(`${req.method} ${req.url}\n`);
    done();
  });

  // 2. Bodies: JSON without prototype poisoning; form-encoded for token requests; nothing else.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(["application/json", "text/json"], { parseAs: "string" }, (_req, text, done) => {
    const raw = typeof text === "string" ? text : text.toString("utf8");
    if (raw.trim() === "") return done(null, undefined);
    try {
      done(null, secureJson.parse(raw, undefined, { protoAction: "remove", constructorAction: "remove" }));
    } catch (error) {
      done(armErrors.invalidRequestContent((error as Error).message), undefined);
    }
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, text, done) => {
    const params = new URLSearchParams(typeof text === "string" ? text : text.toString("utf8"));
    done(null, Object.fromEntries(params.entries()));
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (req, text, done) => {
    const raw = typeof text === "string" ? text : text.toString("utf8");
    if (raw.trim() === "") return done(null, undefined);
    done(armErrors.unsupportedMediaType(req.headers["content-type"] ?? ""), undefined);
  });

  // 5. Errors.
  app.setErrorHandler(async (error, req, reply) => {
    const arm = toArmError(error);
    if (arm.status >= 500) process.stderr.write(`aksemu: ${(error as Error).stack ?? String(error)}\n`);
    if (arm.status === 413) await drainRequest(req, 64 * 1024 * 1024);
    return sendError(reply, arm);
  });

  const challengeUri = (req: FastifyRequest): string => `${baseUrlOf(req)}/${options.subscriptions.tenantId}`;

  app.setNotFoundHandler(async (req, reply) => {
    const path = new URL(req.url, "https://x").pathname;
    const lower = path.toLowerCase().replace(/\/+/g, "/");
    if (lower.startsWith("/subscriptions") || lower.startsWith("/providers") || lower.startsWith("/tenants")) {
      await options.tokens.verify(req.headers.authorization, challengeUri(req));
      const m = /^\/subscriptions\/[^/]+(?:\/resourcegroups\/[^/]+)?\/providers\/([^/]+)(?:\/([^/]+))?/i.exec(path);
      if (m !== null) {
        const namespace = decodeURIComponent(m[1]!);
        const known = options.armRoutes.some((r) =>
          r.apiVersions.resourceType.toLowerCase().startsWith(`${namespace.toLowerCase()}/`),
        );
        if (!known) throw armErrors.invalidResourceNamespace(namespace);
        if (m[2] !== undefined) {
          throw armErrors.invalidResourceType(
            decodeURIComponent(m[2]),
            namespace,
            String((req.query as Record<string, unknown>)["api-version"] ?? ""),
          );
        }
      }
    }
    return sendError(reply, armErrors.notFound(path));
  });

  // 3 + 4. ARM routes.
  for (const route of options.armRoutes) {
    const isWrite = route.isWrite ?? route.method !== "GET";
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req, reply) => {
        const principal = await options.tokens.verify(req.headers.authorization, challengeUri(req));
        const query = singleValued(req.query);
        // ARM reads query parameter names case-insensitively (`Api-Version` works too).
        const apiVersion =
          query["api-version"] ?? Object.entries(query).find(([k]) => k.toLowerCase() === "api-version")?.[1];
        const decision = route.apiVersions.decide(apiVersion, options.strictApiVersion);
        const params = req.params as Record<string, string>;
        if (params.subscriptionId !== undefined) {
          const subscription = await options.subscriptions.require(params.subscriptionId);
          if (isWrite) options.subscriptions.assertWritable(subscription);
        }
        const baseUrl = baseUrlOf(req);
        const ctx: RequestContext = {
          method: req.method,
          params,
          query,
          body: req.body,
          headers: headerMap(req),
          apiVersion: decision.requested,
          servedApiVersion: decision.served,
          url: new URL(req.url, baseUrl),
          baseUrl,
          caller: { objectId: principal.objectId, appId: principal.appId, tenantId: principal.tenantId },
          correlationId: String(reply.getHeader("x-ms-correlation-request-id") ?? req.id),
        };
        const response = await runInRequestScope({ correlationId: ctx.correlationId }, () => route.handler(ctx));
        if (isWrite && options.onSyncWrite !== undefined && response.status < 300 && response.status !== 202) {
          const lro = Object.keys(response.headers ?? {}).some((h) => h.toLowerCase() === "azure-asyncoperation");
          if (!lro) {
            await options.onSyncWrite({
              method: req.method,
              resourceType: route.apiVersions.resourceType,
              path: ctx.url.pathname,
              status: response.status,
              ctx,
            });
          }
        }
        if (decision.warning !== undefined) reply.header("Warning", decision.warning);
        return send(reply, response);
      },
    });
  }

  // Identity, metadata and the control API.
  for (const route of options.plainRoutes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req, reply) => {
        if (route.auth === "emulator" && !options.loopbackOnly) {
          await options.tokens.verify(req.headers.authorization, challengeUri(req));
        }
        const baseUrl = baseUrlOf(req);
        const plain: PlainRequest = {
          method: req.method,
          params: req.params as Record<string, string>,
          query: singleValued(req.query),
          body: req.body,
          headers: headerMap(req),
          url: new URL(req.url, baseUrl),
          baseUrl,
        };
        return send(reply, await route.handler(plain));
      },
    });
  }

  return app;
}
