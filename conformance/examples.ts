/**
 * The spec's examples (`azure-specs/containerservice/{version}/examples/*.json`) run as one scenario per api-version
 * on a fresh aksemu: creates first (cluster before its pools and configurations), then reads and actions, deletes
 * last; each request is the example's (path from the swagger's `x-ms-examples`, body = the example's object
 * parameter), and each answer is compared with the example's answer for that status: the status must be one the
 * example lists, and the body must have the example's shape (keys and JSON types; the examples' values are invented,
 * so values are not compared). Invented placeholders the emulator would rightly refuse are swapped before sending:
 * `location1` → `eastus`, subscription `subid1`/zeros → aksemu's, invented Kubernetes versions (`1.9.6`) dropped so
 * the default applies.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compareResponse, describe, type Difference } from "./compare.js";
import type { AksemuServer, HttpResult } from "./server.js";

/** AKS's specs and their examples: `<repo>/../shared/azure-specs/containerservice`, or under `AKSEMU_SPECS_DIR`. */
export const SPECS_DIR = join(
  process.env.AKSEMU_SPECS_DIR ?? join(import.meta.dirname, "..", "..", "shared", "azure-specs"),
  "containerservice",
);

export interface ExampleCase {
  apiVersion: string;
  file: string;
  operationId: string;
  method: string;
  template: string;
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> } | null>;
}

export interface ExampleResult {
  apiVersion: string;
  file: string;
  operationId: string;
  /** `METHOD template` */
  operation: string;
  request: string;
  match: boolean;
  differences: Difference[];
}

/** Every example referenced by the swagger of each api-version folder, with its operation. */
export function loadExamples(dir = SPECS_DIR): ExampleCase[] {
  const out: ExampleCase[] = [];
  for (const version of readdirSync(dir).sort()) {
    const swaggerPath = join(dir, version, "managedClusters.json");
    if (!existsSync(swaggerPath) || !existsSync(join(dir, version, "examples"))) continue;
    const swagger = JSON.parse(readFileSync(swaggerPath, "utf8")) as {
      paths: Record<
        string,
        Record<string, { operationId?: string; "x-ms-examples"?: Record<string, { $ref: string }> }>
      >;
    };
    for (const [template, ops] of Object.entries(swagger.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === "parameters" || op.operationId === undefined) continue;
        for (const ref of Object.values(op["x-ms-examples"] ?? {})) {
          const file = join(dir, version, ref.$ref);
          if (!existsSync(file)) continue;
          const example = JSON.parse(readFileSync(file, "utf8")) as Pick<ExampleCase, "parameters" | "responses">;
          out.push({
            apiVersion: version,
            file: `${version}/${ref.$ref.replace(/^\.\//, "")}`,
            operationId: op.operationId,
            method: method.toUpperCase(),
            template,
            parameters: example.parameters,
            responses: example.responses,
          });
        }
      }
    }
  }
  return out;
}

/** Scenario order: creates (parents first), pool stop/start PUTs, reads and actions, cluster stop/start, deletes. */
function rank(e: ExampleCase): number {
  const t = e.template.toLowerCase();
  const depth =
    t.includes("/agentpools/") || t.includes("/maintenanceconfigurations/") || t.includes("/snapshots/") ? 1 : 0;
  const body = JSON.stringify(Object.values(e.parameters).find((v) => typeof v === "object" && v !== null) ?? {});
  if (e.method === "PUT" && body.includes('"powerState":{"code":"Stopped"}')) return 2;
  if (e.method === "PUT" && body.includes('"powerState":{"code":"Running"}')) return 3;
  if (e.method === "PUT") return depth;
  if (e.method === "DELETE") return 11 - depth;
  if (/\/(stop|abort)$/i.test(t)) return 7;
  if (/\/start$/i.test(t)) return 8;
  return 5;
}

/** Each cluster-create example runs on its own: an existing cluster of that name is deleted first. */
async function deleteIfExists(server: AksemuServer, path: string, apiVersion: string): Promise<void> {
  const url = `${path}?api-version=${apiVersion}`;
  if ((await server.arm("GET", url)).status !== 200) return;
  const r = await server.arm("DELETE", url);
  await settle(server, r);
}

const PLACEHOLDER_SUBS = ["00000000-0000-0000-0000-000000000000", "subid1", "subId1"];

function fixRequestBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fixRequestBody);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if ((k === "kubernetesVersion" || k === "orchestratorVersion") && typeof v === "string") continue;
      out[k] = fixRequestBody(v);
    }
    return out;
  }
  if (value === "location1") return "eastus";
  return value;
}

function fill(template: string, parameters: Record<string, unknown>, subscriptionId: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === "subscriptionId") return subscriptionId;
    const v = parameters[name];
    if (name === "location" && (v === "location1" || v === undefined)) return "eastus";
    return encodeURIComponent(String(v ?? name));
  });
}

async function settle(server: AksemuServer, got: HttpResult): Promise<void> {
  const url = got.headers["azure-asyncoperation"] ?? got.headers.location;
  if (url === undefined || got.status >= 300) return;
  for (let k = 0; k < 40; k++) {
    await server.advance("PT30S");
    const r = await server.arm("GET", url);
    const status = (r.json as { status?: string } | undefined)?.status;
    if (r.status !== 202 && (status === undefined || !/^(InProgress|Running|Accepted)$/i.test(status))) return;
  }
}

export async function runExamples(server: AksemuServer, examples: ExampleCase[]): Promise<ExampleResult[]> {
  const results: ExampleResult[] = [];
  const sorted = [...examples].sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || rank(a) - rank(b));
  const groups = new Set<string>();
  for (const ex of sorted) {
    const rg = ex.parameters.resourceGroupName;
    if (typeof rg === "string" && !groups.has(`${ex.apiVersion}/${rg}`)) {
      groups.add(`${ex.apiVersion}/${rg}`);
      await server.arm(
        "PUT",
        `/subscriptions/${server.subscriptionId}/resourcegroups/${rg}?api-version=2021-04-01`,
        JSON.stringify({ location: "eastus" }),
      );
    }
    const path = fill(ex.template, ex.parameters, server.subscriptionId);
    const bodyParam = Object.values(ex.parameters).find((v) => typeof v === "object" && v !== null);
    let body = bodyParam === undefined ? undefined : JSON.stringify(fixRequestBody(bodyParam));
    if (body !== undefined) for (const s of PLACEHOLDER_SUBS) body = body.split(s).join(server.subscriptionId);
    const version = encodeURIComponent(String(ex.parameters["api-version"] ?? ex.apiVersion));
    const url = `${path}?api-version=${version}`;
    if (ex.operationId === "ManagedClusters_CreateOrUpdate") await deleteIfExists(server, path, version);
    let differences: Difference[];
    try {
      const got = await server.arm(ex.method, url, body);
      const codes = Object.keys(ex.responses);
      const expected = ex.responses[String(got.status)];
      if (!codes.includes(String(got.status))) {
        const want = codes.filter((c) => c !== "default").join("/");
        const code = (got.json as { error?: { code?: string; message?: string } } | undefined)?.error;
        differences = [
          {
            path: "status",
            expected: want,
            got: `${got.status}${code?.code === undefined ? "" : ` ${code.code}: ${String(code.message ?? "").slice(0, 140)}`}`,
          },
        ];
      } else {
        const exp = expected ?? {};
        differences = compareResponse(
          {
            status: got.status,
            json: exp.body,
            text: "",
            headers: Object.fromEntries(Object.entries(exp.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
          },
          got,
          { write: ex.method !== "GET", requestTexts: "", shapeOnly: true },
        );
      }
      await settle(server, got);
    } catch (error) {
      differences = [
        { path: "request", expected: "an answer", got: error instanceof Error ? error.message : String(error) },
      ];
    }
    results.push({
      apiVersion: ex.apiVersion,
      file: ex.file,
      operationId: ex.operationId,
      operation: `${ex.method} ${ex.template}`,
      request: `${ex.method} ${url}`,
      match: differences.length === 0,
      differences,
    });
  }
  return results;
}

export function exampleFirstDifference(r: ExampleResult): string {
  return r.differences[0] === undefined ? "" : describe(r.differences[0]);
}
