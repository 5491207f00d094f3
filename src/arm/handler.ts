/**
 * The contract between the server's route table and a provider's handlers.
 *
 * A provider declares its operations (method, path template, the api-versions of its resource type, handler). The
 * server matches the path, authenticates, checks the api-version and calls the handler with a `RequestContext`; the
 * handler answers with an `ArmResponse` or throws an `ArmError`.
 */
import type { ApiVersionSet } from "./api-versions.js";

export interface Caller {
  /** Object id of the principal (or `aksemu-platform` for actions the platform takes). */
  objectId: string;
  appId: string;
  tenantId: string;
}

export interface RequestContext {
  method: string;
  /** Path parameters, in the case the client sent them. */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  headers: Record<string, string | undefined>;
  /** The api-version requested, and the one whose shapes are served. */
  apiVersion: string;
  servedApiVersion: string;
  /** Absolute request URL (for nextLink and operation URLs). */
  url: URL;
  /** `https://host:port`, as the client reached the server. */
  baseUrl: string;
  caller: Caller;
  correlationId: string;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<ArmResponse>;

export type HttpMethod = "GET" | "PUT" | "PATCH" | "POST" | "DELETE" | "HEAD";

export interface OperationRoute {
  method: HttpMethod;
  /** Fastify-style template, e.g. `/subscriptions/:subscriptionId/resourcegroups/:resourceGroupName`. */
  path: string;
  /** The resource type whose api-versions apply, e.g. `Microsoft.Resources/resourceGroups`. */
  apiVersions: ApiVersionSet;
  /** Writes are refused on a disabled subscription; reads are not. Defaults to PUT/PATCH/DELETE/POST. */
  isWrite?: boolean;
  handler: Handler;
}

/** Shortcut for JSON answers. */
export function ok(body: unknown, status = 200, headers?: Record<string, string>): ArmResponse {
  return headers === undefined ? { status, body } : { status, body, headers };
}

/** A route outside ARM's envelope (identity endpoints, cloud metadata, the control API): no api-version check. */
export interface PlainRequest {
  method: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  headers: Record<string, string | undefined>;
  url: URL;
  baseUrl: string;
}

export interface PlainRoute {
  method: HttpMethod;
  path: string;
  /** `none`: open; `emulator`: open on loopback, token required otherwise. */
  auth: "none" | "emulator";
  handler: (req: PlainRequest) => Promise<ArmResponse>;
}
