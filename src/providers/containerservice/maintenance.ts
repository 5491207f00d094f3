/**
 * Planned maintenance: `managedClusters/{name}/maintenanceConfigurations/{configName}` (create or update, get, delete,
 * list). A synchronous resource. Names are AKS's three: `default` (timeInWeek / notAllowedTime),
 * `aksManagedAutoUpgradeSchedule` and `aksManagedNodeOSUpgradeSchedule` (a `maintenanceWindow`), fact sheet §3.4.
 */
import { isObject, asObject, optionalArray, optionalInteger, optionalObject, optionalString, type JsonObject } from "../../arm/body.js"; // prettier-ignore
import { newEtag } from "../../arm/etag.js";
import { ok, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pageOf } from "../../arm/paging.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import { aksErrors } from "./errors.js";
import type { ClusterRecord } from "./lifecycle.js";
import { MAINTENANCE_TYPE, MAINTENANCE_WIRE_TYPE } from "./model.js";
import { MAINTENANCE_NAMES, enumValue } from "./validation.js";

/** `maintenanceWindow` (and the aksManaged* configurations) came with api-version 2023-05-01. */
const WINDOW_SINCE = "2023-05-01";

function shaped(body: JsonObject, apiVersion: string): JsonObject {
  if (apiVersion.slice(0, 10) >= WINDOW_SINCE || !isObject(body.properties)) return body;
  const { maintenanceWindow: _drop, ...properties } = body.properties;
  return { ...body, properties };
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const WEEK_INDEX = ["First", "Second", "Third", "Fourth", "Last"] as const;

function isDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

function validate(name: string, body: JsonObject): JsonObject {
  const props = optionalObject(body, "properties", "properties") ?? {};
  const window = optionalObject(props, "maintenanceWindow", "properties.maintenanceWindow");
  const timeInWeek = optionalArray(props, "timeInWeek", "properties.timeInWeek");
  optionalArray(props, "notAllowedTime", "properties.notAllowedTime");
  if (name === "default" && window !== undefined) {
    throw aksErrors.invalidParameter(
      "The 'default' maintenance configuration uses timeInWeek and notAllowedTime; maintenanceWindow is for aksManagedAutoUpgradeSchedule and aksManagedNodeOSUpgradeSchedule.",
      "properties.maintenanceWindow",
    );
  }
  if (name !== "default" && window === undefined) {
    throw aksErrors.invalidParameter(`The '${name}' maintenance configuration needs properties.maintenanceWindow.`, "properties.maintenanceWindow"); // prettier-ignore
  }
  for (const [i, slot] of (timeInWeek ?? []).entries()) {
    const path = `properties.timeInWeek[${i}]`;
    if (!isObject(slot)) throw aksErrors.invalidParameter(`${path} must be an object.`, path);
    enumValue(optionalString(slot, "day", `${path}.day`), DAYS, `${path}.day`);
    for (const h of optionalArray(slot, "hourSlots", `${path}.hourSlots`) ?? []) {
      if (typeof h !== "number" || !Number.isInteger(h) || h < 0 || h > 23) {
        throw aksErrors.invalidParameter(`${path}.hourSlots holds hours 0-23; got ${JSON.stringify(h)}.`, `${path}.hourSlots`); // prettier-ignore
      }
    }
  }
  if (window !== undefined) {
    const w = "properties.maintenanceWindow";
    const duration = optionalInteger(window, "durationHours", `${w}.durationHours`) ?? 24;
    if (duration < 4 || duration > 24) {
      throw aksErrors.invalidParameter(`${w}.durationHours must be between 4 and 24.`, `${w}.durationHours`);
    }
    const startTime = optionalString(window, "startTime", `${w}.startTime`);
    if (startTime === undefined || !/^([01]\d|2[0-3]):[0-5]\d$/.test(startTime)) {
      throw aksErrors.invalidParameter(`${w}.startTime must be 'HH:mm' (00:00-23:59).`, `${w}.startTime`);
    }
    const offset = optionalString(window, "utcOffset", `${w}.utcOffset`);
    if (offset !== undefined && !/^[-+]\d{2}:\d{2}$/.test(offset)) {
      throw aksErrors.invalidParameter(`${w}.utcOffset must look like '+05:30' or '-07:00'.`, `${w}.utcOffset`);
    }
    const schedule = optionalObject(window, "schedule", `${w}.schedule`);
    const kinds = schedule === undefined ? [] : Object.keys(schedule).filter((k) => schedule[k] !== null);
    if (kinds.length !== 1) {
      throw aksErrors.invalidParameter(`${w}.schedule needs exactly one of daily, weekly, absoluteMonthly, relativeMonthly.`, `${w}.schedule`); // prettier-ignore
    }
    const rel = schedule?.relativeMonthly;
    if (isObject(rel)) {
      enumValue(optionalString(rel, "weekIndex", `${w}.schedule.relativeMonthly.weekIndex`), WEEK_INDEX, `${w}.schedule.relativeMonthly.weekIndex`); // prettier-ignore
      enumValue(optionalString(rel, "dayOfWeek", `${w}.schedule.relativeMonthly.dayOfWeek`), DAYS, `${w}.schedule.relativeMonthly.dayOfWeek`); // prettier-ignore
    }
    const weekly = schedule?.weekly;
    if (isObject(weekly)) enumValue(optionalString(weekly, "dayOfWeek", `${w}.schedule.weekly.dayOfWeek`), DAYS, `${w}.schedule.weekly.dayOfWeek`); // prettier-ignore
    // The spec's ranges (and required fields) of each schedule kind.
    const ranges: Record<string, [string, number, number][]> = {
      daily: [["intervalDays", 1, 7]],
      weekly: [["intervalWeeks", 1, 4]],
      absoluteMonthly: [["intervalMonths", 1, 6], ["dayOfMonth", 1, 31]],
      relativeMonthly: [["intervalMonths", 1, 6]],
    }; // prettier-ignore
    for (const kind of kinds) {
      const item = schedule![kind];
      const path = `${w}.schedule.${kind}`;
      if (ranges[kind] === undefined) {
        throw aksErrors.invalidParameter(`${w}.schedule.${kind} is not a schedule kind: use daily, weekly, absoluteMonthly or relativeMonthly.`, `${w}.schedule`); // prettier-ignore
      }
      if (!isObject(item)) throw aksErrors.invalidParameter(`${path} must be an object.`, path);
      for (const [key, min, max] of ranges[kind]) {
        const n = optionalInteger(item, key, `${path}.${key}`);
        if (n === undefined || n < min || n > max) {
          throw aksErrors.invalidParameter(
            `${path}.${key} must be an integer from ${min} to ${max}.`,
            `${path}.${key}`,
          );
        }
      }
      if (
        kind !== "daily" &&
        kind !== "absoluteMonthly" &&
        optionalString(item, "dayOfWeek", `${path}.dayOfWeek`) === undefined
      ) {
        throw aksErrors.invalidParameter(`${path}.dayOfWeek is required (Sunday to Saturday).`, `${path}.dayOfWeek`); // prettier-ignore
      }
      if (kind === "relativeMonthly" && optionalString(item, "weekIndex", `${path}.weekIndex`) === undefined) {
        throw aksErrors.invalidParameter(`${path}.weekIndex is required (First, Second, Third, Fourth or Last).`, `${path}.weekIndex`); // prettier-ignore
      }
    }
    const startDate = optionalString(window, "startDate", `${w}.startDate`);
    if (startDate !== undefined && !isDate(startDate)) {
      throw aksErrors.invalidParameter(`${w}.startDate must be a date 'YYYY-MM-DD'; got '${startDate}'.`, `${w}.startDate`); // prettier-ignore
    }
    for (const [i, span] of (optionalArray(window, "notAllowedDates", `${w}.notAllowedDates`) ?? []).entries()) {
      const path = `${w}.notAllowedDates[${i}]`;
      if (
        !isObject(span) ||
        typeof span.start !== "string" ||
        typeof span.end !== "string" ||
        !isDate(span.start) ||
        !isDate(span.end)
      ) {
        // prettier-ignore
        throw aksErrors.invalidParameter(`${path} needs start and end dates 'YYYY-MM-DD'.`, path);
      }
      if (span.start > span.end) throw aksErrors.invalidParameter(`${path}.start (${span.start}) is after its end (${span.end}).`, path); // prettier-ignore
    }
  }
  return props;
}

/**
 * What AKS stores from a valid request, as it echoes it: empty `notAllowedTime` dropped, its instants written without
 * fractional seconds (`2021-11-26T03:00:00Z`); a `maintenanceWindow` without `startDate` starts today (UTC), and
 * without `durationHours` lasts 24 hours (the spec's default).
 */
function normalize(props: JsonObject, now: Date): JsonObject {
  const out: JsonObject = { ...props };
  if (Array.isArray(out.notAllowedTime)) {
    if (out.notAllowedTime.length === 0) delete out.notAllowedTime;
    else {
      out.notAllowedTime = out.notAllowedTime.map((span: unknown) => {
        if (!isObject(span)) return span;
        const fix = (v: unknown): unknown => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString().replace(/\.000Z$/, "Z") : v); // prettier-ignore
        return { ...span, start: fix(span.start), end: fix(span.end) };
      });
    }
  }
  if (Array.isArray(out.timeInWeek) && out.timeInWeek.length === 0) delete out.timeInWeek;
  if (isObject(out.maintenanceWindow)) {
    const w: JsonObject = { ...out.maintenanceWindow };
    if (w.durationHours === undefined || w.durationHours === null) w.durationHours = 24;
    if (w.startDate === undefined || w.startDate === null || w.startDate === "") w.startDate = now.toISOString().slice(0, 10); // prettier-ignore
    if (Array.isArray(w.notAllowedDates) && w.notAllowedDates.length === 0) delete w.notAllowedDates;
    out.maintenanceWindow = w;
  }
  return out;
}

export function maintenanceRoutes(
  platform: Platform,
  requireCluster: (store: Store, ctx: RequestContext) => Promise<ClusterRecord>,
): OperationRoute[] {
  const base = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ContainerService/managedClusters/:resourceName/maintenanceConfigurations"; // prettier-ignore
  const one = `${base}/:configName`;
  const versions = apiVersions.maintenanceConfigurations;
  const find = async (store: Store, record: ClusterRecord, name: string) =>
    (await store.listChildren<JsonObject>(record.cluster.id, MAINTENANCE_TYPE)).find(
      (r) => String(r.body.name).toLowerCase() === name.toLowerCase(),
    );
  return [
    {
      method: "PUT",
      path: one,
      apiVersions: versions,
      handler: (ctx) => {
        const name = MAINTENANCE_NAMES.find((n) => n.toLowerCase() === ctx.params.configName!.toLowerCase());
        if (name === undefined) {
          throw aksErrors.invalidParameter(
            `Maintenance configuration name '${ctx.params.configName!}' is not supported. Use one of: ${MAINTENANCE_NAMES.join(", ")}.`,
            "configName",
          );
        }
        const properties = normalize(validate(name, asObject(ctx.body)), platform.clock.now());
        return platform.store.transaction(async (store) => {
          const record = await requireCluster(store, ctx);
          const body = {
            id: `${record.cluster.id}/maintenanceConfigurations/${name}`,
            name,
            type: MAINTENANCE_WIRE_TYPE,
            properties,
          };
          await store.putResource({
            id: body.id,
            type: MAINTENANCE_TYPE,
            parentId: record.cluster.id,
            subscriptionId: record.cluster.subscriptionId,
            body,
            etag: newEtag(),
            at: platform.clock.now().toISOString(),
          });
          // Real AKS answers a create with 200 too (recordings test_aks_maintenanceconfiguration/-window).
          return ok(shaped(body, ctx.servedApiVersion), 200);
        });
      },
    },
    {
      method: "GET",
      path: one,
      apiVersions: versions,
      handler: async (ctx) => {
        const record = await requireCluster(platform.store, ctx);
        const found = await find(platform.store, record, ctx.params.configName!);
        if (found === undefined) throw aksErrors.maintenanceNotFound(ctx.params.configName!, record.cluster.body.name);
        return ok(shaped(found.body, ctx.servedApiVersion));
      },
    },
    {
      method: "DELETE",
      path: one,
      apiVersions: versions,
      handler: (ctx) =>
        platform.store.transaction(async (store) => {
          const record = await requireCluster(store, ctx);
          const found = await find(store, record, ctx.params.configName!);
          if (found === undefined) return { status: 204 };
          await store.deleteResource(found.id);
          return { status: 200 };
        }),
    },
    {
      method: "GET",
      path: base,
      apiVersions: versions,
      handler: async (ctx) => {
        const record = await requireCluster(platform.store, ctx);
        const all = await platform.store.listChildren<JsonObject>(record.cluster.id, MAINTENANCE_TYPE);
        return ok(
          pageOf(
            all.map((r) => shaped(r.body, ctx.servedApiVersion)),
            ctx.url,
            platform.pageSize,
          ),
        );
      },
    },
  ];
}
