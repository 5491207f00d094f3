/**
 * Microsoft.Insights activity log: the management events of a subscription, as ARM serves them to
 * `az monitor activity-log list` and `@azure/arm-monitor`
 * (`GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=...`,
 * spec shared/azure-specs/insights/2015-04-01/activityLogs_API.json).
 *
 * What is logged: every long-running operation when it starts and when it ends (user requests and platform actions
 * alike: the platform's caller is `AKS platform` and its reason goes into `description` and
 * `properties.reason`), and every synchronous ARM write that succeeded (resource group PUT, for example). Events
 * are stored with the rest of the state (the store's events table), stamped with the emulated clock.
 */
import { randomUUID } from "node:crypto";
import { ArmError } from "../../arm/errors.js";
import type { OperationRoute } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { parseResourceId } from "../../arm/resource-id.js";
import type { OperationPhase, OperationRecord } from "../../operations/operations.js";
import type { Store, StoredEvent } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";

export interface LocalizableString {
  value: string;
  localizedValue: string;
}

/** One event, in the wire shape of `EventData`. */
export interface EventData {
  authorization: { action: string; scope: string };
  caller: string;
  channels: "Operation";
  claims: Record<string, string>;
  correlationId: string;
  description: string;
  eventDataId: string;
  eventName: LocalizableString;
  category: LocalizableString;
  httpRequest?: { clientRequestId: string; clientIpAddress: string; method: string };
  id: string;
  level: "Critical" | "Error" | "Warning" | "Informational" | "Verbose";
  resourceGroupName: string;
  resourceProviderName: LocalizableString;
  resourceId: string;
  resourceType: LocalizableString;
  operationId: string;
  operationName: LocalizableString;
  properties: Record<string, string>;
  status: LocalizableString;
  subStatus: LocalizableString;
  eventTimestamp: string;
  submissionTimestamp: string;
  subscriptionId: string;
  tenantId: string;
}

export interface ActivityInput {
  subscriptionId: string;
  resourceId: string;
  operationName: string;
  status: "Started" | "Accepted" | "Succeeded" | "Failed" | "Canceled";
  caller: string;
  correlationId: string;
  operationId?: string;
  /** Why the platform acted (the policy rule), or a short description. */
  reason?: string;
  httpMethod?: string;
  httpStatus?: number;
  error?: { code: string; message: string };
}

function loc(value: string): LocalizableString {
  return { value, localizedValue: value };
}

/** .NET ticks of an instant (what ARM puts at the end of an event id). */
function ticksOf(ms: number): string {
  return ((BigInt(ms) + 62_135_596_800_000n) * 10_000n).toString();
}

const HTTP_STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "NoContent",
  400: "BadRequest",
  404: "NotFound",
  409: "Conflict",
};

/** The resource type of an ARM id, e.g. `Microsoft.ContainerService/managedClusters`. */
export function resourceTypeOf(resourceId: string): string {
  const parsed = parseResourceId(resourceId);
  if (parsed === undefined) return "Microsoft.Resources/subscriptions";
  if (parsed.namespace !== undefined && parsed.resourceType !== undefined) {
    return `${parsed.namespace}/${parsed.resourceType}`;
  }
  if (parsed.resourceGroup !== undefined) return "Microsoft.Resources/subscriptions/resourceGroups";
  return "Microsoft.Resources/subscriptions";
}

/** Operation actions (as providers name them) that are POST actions in ARM, and their action names. */
const ACTION_VERBS: Record<string, string> = {
  Stopping: "stop",
  Starting: "start",
  RotatingClusterCertificates: "rotateClusterCertificates",
  UpgradingNodeImageVersion: "upgradeNodeImageVersion",
  Aborting: "abort",
};

/** ARM's operation name for an operation record: `<type>/write`, `<type>/delete` or `<type>/<action>/action`. */
export function operationNameOf(record: OperationRecord): string {
  if (record.operationName !== undefined) return record.operationName;
  const type = resourceTypeOf(record.resourceId);
  if (record.action === "Deleting") return `${type}/delete`;
  const verb = ACTION_VERBS[record.action];
  if (verb !== undefined) return `${type}/${verb}/action`;
  return `${type}/write`;
}

/** Why the platform acted: the record's reason, or the one the provider put in the operation's payload. */
function reasonOf(record: OperationRecord): string | undefined {
  if (record.reason !== undefined) return record.reason;
  const payload = record.payload as { reason?: unknown } | null;
  return typeof payload?.reason === "string" ? payload.reason : undefined;
}

/** An event as stored: its input, id, instant and tenant (see `ActivityLog.record`). */
interface StoredActivity {
  input: ActivityInput;
  eventDataId: string;
  at: string;
  tenantId: string;
}

/** The EventData ARM serves for a stored event (events stored whole by earlier versions are served as they are). */
function eventDataOf(body: Record<string, unknown>): EventData {
  if (!("input" in body)) return body as unknown as EventData;
  const stored = body as unknown as StoredActivity;
  const { input, eventDataId } = stored;
  const iso = stored.at;
  const parsed = parseResourceId(input.resourceId);
  const type = resourceTypeOf(input.resourceId);
  const namespace = type.split("/")[0]!;
  const properties: Record<string, string> = {};
  if (input.httpStatus !== undefined)
    properties.statusCode = HTTP_STATUS_TEXT[input.httpStatus] ?? String(input.httpStatus);
  if (input.reason !== undefined) properties.reason = input.reason;
  if (input.error !== undefined) {
    properties.statusMessage = JSON.stringify({ error: input.error });
  }
  const status = input.status === "Accepted" ? "Accepted" : input.status;
  const event: EventData = {
    authorization: { action: input.operationName, scope: input.resourceId },
    caller: input.caller,
    channels: "Operation",
    claims: {},
    correlationId: input.correlationId,
    description: input.reason ?? "",
    eventDataId,
    eventName: input.status === "Started" ? loc("BeginRequest") : loc("EndRequest"),
    category: loc("Administrative"),
    id: `${input.resourceId}/events/${eventDataId}/ticks/${ticksOf(Date.parse(iso))}`,
    level: input.status === "Failed" ? "Error" : "Informational",
    resourceGroupName: parsed?.resourceGroup ?? "",
    resourceProviderName: loc(namespace),
    resourceId: input.resourceId,
    resourceType: loc(type),
    operationId: input.operationId ?? input.correlationId,
    operationName: loc(input.operationName),
    properties,
    status: loc(status),
    subStatus:
      input.httpStatus === undefined
        ? loc("")
        : {
            value: HTTP_STATUS_TEXT[input.httpStatus] ?? String(input.httpStatus),
            localizedValue:
              `${HTTP_STATUS_TEXT[input.httpStatus] ?? ""} (HTTP Status Code: ${input.httpStatus})`.trim(),
          },
    eventTimestamp: iso,
    submissionTimestamp: iso,
    subscriptionId: input.subscriptionId,
    tenantId: stored.tenantId,
  };
  if (input.httpMethod !== undefined) {
    event.httpRequest = {
      clientRequestId: input.correlationId,
      clientIpAddress: "127.0.0.1",
      method: input.httpMethod,
    };
  }
  return event;
}

export class ActivityLog {
  constructor(
    private readonly platform: Platform,
    private readonly tenantId: () => string,
  ) {
    platform.operations.listen((phase, operation, ctx) => this.onOperation(phase, operation, ctx.store, ctx.now));
  }

  /**
   * Records one event, inside the caller's transaction. What is stored is the event's input with its id, instant
   * and tenant (a few hundred bytes); the full EventData (about 2 KB, most of it derived) is built when it is read,
   * since a long advance writes tens of thousands of events and reads few of them.
   */
  async record(store: Store, input: ActivityInput, at: Date = this.platform.clock.now()): Promise<void> {
    const stored: StoredActivity = {
      input,
      eventDataId: randomUUID(),
      at: at.toISOString(),
      tenantId: this.tenantId(),
    };
    await store.addEvent(input.subscriptionId, stored.at, stored as unknown as Record<string, unknown>);
  }

  /**
   * Logs a synchronous ARM write that succeeded (what the server reports after a PUT/PATCH/DELETE/POST that did not
   * start a long-running operation): a Started and a Succeeded event, as ARM's BeginRequest / EndRequest pair.
   */
  async recordRequest(request: {
    method: string;
    resourceType: string;
    path: string;
    status: number;
    subscriptionId: string | undefined;
    caller: string;
    correlationId: string;
  }): Promise<void> {
    if (request.subscriptionId === undefined) return;
    const segments = request.path.split("/").filter((s) => s !== "");
    let resourceId = `/${segments.map((s) => decodeURIComponent(s)).join("/")}`;
    const type =
      resourceId.includes("/providers/") || segments.length <= 4 ? resourceTypeOf(resourceId) : request.resourceType;
    let operationName = `${type}/write`;
    if (request.method === "DELETE") operationName = `${type}/delete`;
    if (request.method === "POST") {
      const action = decodeURIComponent(segments[segments.length - 1] ?? "");
      resourceId = resourceId.slice(0, resourceId.length - action.length - 1);
      operationName = `${resourceTypeOf(resourceId)}/${action}/action`;
    }
    const subscriptionId = request.subscriptionId;
    await this.platform.store.transaction(async (store) => {
      const base = { subscriptionId, resourceId, operationName, caller: request.caller };
      const correlationId = request.correlationId;
      await this.record(store, { ...base, status: "Started", correlationId, httpMethod: request.method });
      await this.record(store, {
        ...base,
        status: "Succeeded",
        correlationId,
        httpMethod: request.method,
        httpStatus: request.status,
      });
    });
  }

  private async onOperation(phase: OperationPhase, op: OperationRecord, store: Store, now: Date): Promise<void> {
    const input: ActivityInput = {
      subscriptionId: op.subscriptionId,
      resourceId: op.resourceId,
      operationName: operationNameOf(op),
      status: phase,
      caller: op.caller,
      correlationId: op.correlationId ?? op.id,
      operationId: op.id,
    };
    const reason = reasonOf(op);
    if (reason !== undefined) input.reason = reason;
    if (phase === "Started") input.httpStatus = 202;
    if (phase === "Failed" && op.error !== undefined) input.error = { code: op.error.code, message: op.error.message };
    await this.record(store, input, now);
  }

  /** Events of a subscription matching a parsed filter, newest first (as ARM lists them). */
  async query(subscriptionId: string, filter: ActivityFilter): Promise<EventData[]> {
    const rows: StoredEvent[] = await this.platform.store.listEvents(subscriptionId, filter.from, filter.to);
    const out: EventData[] = [];
    for (let i = rows.length - 1; i >= 0; i--) {
      const event = eventDataOf(rows[i]!.body);
      if (matches(event, filter)) out.push(event);
    }
    return out;
  }

  routes(): OperationRoute[] {
    return [
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/providers/microsoft.insights/eventtypes/management/values",
        apiVersions: apiVersions.eventTypes,
        handler: async (ctx) => {
          const filter = parseActivityFilter(ctx.query.$filter);
          const events = await this.query(ctx.params.subscriptionId!, filter);
          const selected = selectFields(events, ctx.query.$select);
          return pagedList(selected, ctx.url, this.platform.pageSize);
        },
      },
    ];
  }
}

export interface ActivityFilter {
  from: string;
  to?: string;
  resourceGroupName?: string;
  resourceId?: string;
  correlationId?: string;
  resourceProvider?: string;
  caller?: string;
  status?: string;
}

function filterError(detail: string): ArmError {
  return new ArmError(
    400,
    "BadRequest",
    `The $filter is invalid: ${detail}. Use "eventTimestamp ge '<ISO instant>' [and eventTimestamp le '<ISO instant>'] [and resourceGroupName eq '<name>' | and resourceUri eq '<id>' | and correlationId eq '<id>' | and resourceProvider eq '<namespace>']".`,
    { target: "$filter" },
  );
}

/** A timestamp as clients send it: quoted or not, with or without a zone (no zone = UTC, as the az CLI means). */
function parseInstant(text: string): string {
  const raw = text.replace(/^'(.*)'$/, "$1").trim();
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw) ? raw : `${raw}Z`;
  const ms = Date.parse(zoned);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) throw filterError(`'${raw}' is not an ISO-8601 instant`);
  return new Date(ms).toISOString();
}

const CONDITION = /^\s*(\w+)\s+(eq|ge|le|gt|lt)\s+('(?:[^']|'')*'|\S+)\s*$/i;

/** Parses the restricted OData `$filter` of the activity log (see the spec's description of `$filter`). */
export function parseActivityFilter(text: string | undefined): ActivityFilter {
  if (text === undefined || text.trim() === "") {
    throw filterError("it is required and must give at least the start time ('eventTimestamp ge ...')");
  }
  let from: string | undefined;
  const filter: Partial<ActivityFilter> = {};
  for (const part of text.split(/\s+and\s+/i)) {
    const m = CONDITION.exec(part);
    if (m === null) throw filterError(`cannot read '${part.trim()}'`);
    const field = m[1]!.toLowerCase();
    const op = m[2]!.toLowerCase();
    const rawValue = m[3]!;
    const value = rawValue.replace(/^'(.*)'$/s, "$1").replace(/''/g, "'");
    if (field === "eventtimestamp") {
      const instant = parseInstant(rawValue);
      if (op === "ge" || op === "gt") from = instant;
      else if (op === "le" || op === "lt") filter.to = instant;
      else throw filterError("eventTimestamp takes 'ge' and 'le'");
      continue;
    }
    if (op !== "eq") throw filterError(`'${m[1]!}' takes 'eq'`);
    switch (field) {
      case "resourcegroupname":
        filter.resourceGroupName = value;
        break;
      case "resourceuri":
      case "resourceid":
        filter.resourceId = value;
        break;
      case "correlationid":
        filter.correlationId = value;
        break;
      case "resourceprovider":
        filter.resourceProvider = value;
        break;
      case "caller":
        filter.caller = value;
        break;
      case "status":
        filter.status = value;
        break;
      default:
        throw filterError(`'${m[1]!}' cannot be filtered on`);
    }
  }
  if (from === undefined) throw filterError("the start time ('eventTimestamp ge ...') is required");
  if (filter.to !== undefined && filter.to < from) throw filterError("the end time is before the start time");
  return { ...filter, from };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function matches(event: EventData, filter: ActivityFilter): boolean {
  if (filter.resourceGroupName !== undefined && !same(event.resourceGroupName, filter.resourceGroupName)) return false;
  if (filter.resourceId !== undefined && !same(event.resourceId, filter.resourceId)) return false;
  if (filter.correlationId !== undefined && !same(event.correlationId, filter.correlationId)) return false;
  if (filter.resourceProvider !== undefined && !same(event.resourceProviderName.value, filter.resourceProvider)) {
    return false;
  }
  if (filter.caller !== undefined && !same(event.caller, filter.caller)) return false;
  if (filter.status !== undefined && !same(event.status.value, filter.status)) return false;
  return true;
}

/** `$select=eventTimestamp,operationName,...`: only those properties of each event. */
function selectFields(events: EventData[], select: string | undefined): unknown[] {
  if (select === undefined || select.trim() === "") return events;
  const fields = select
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  return events.map((event) => {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const key = Object.keys(event).find((k) => same(k, field));
      if (key !== undefined) out[key] = (event as unknown as Record<string, unknown>)[key];
    }
    return out;
  });
}
