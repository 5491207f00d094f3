/**
 * Validates response bodies against the OpenAPI 2.0 (Swagger) specs in `../shared/azure-specs` (relative to the
 * repo), the same documents the Azure SDKs are generated from.
 *
 * Swagger 2.0 schemas are converted to JSON Schema (draft 2019-09, so that `unevaluatedProperties` can see through
 * `allOf`) and compiled with ajv:
 * - `$ref`s become absolute (`file:///...#/definitions/X`); the upstream relative paths to common-types are mapped to
 *   the local copies (see the specs' README.md / SOURCES-extra.md);
 * - `x-nullable: true` allows `null`; `readOnly`, `x-ms-client-flatten` (a client-side concern: the wire stays
 *   nested), descriptions and other `x-ms-*` annotations are dropped;
 * - `x-ms-enum` with `modelAsString: true` is an open string (the type is still checked); other enums are closed;
 * - `discriminator` dispatches on the discriminator value to the derived definitions (`allOf` of the base);
 * - Swagger's boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-2019 numbers;
 * - `required` properties that never appear in responses (`x-ms-secret`, or `x-ms-mutability` without "read") are
 *   not required;
 * - `format`s: real checks for date-time (RFC 3339, offset required), date, duration, uuid, uri, byte, int32, int64,
 *   arm-id (an id starts with "/"); any other format is accepted as is.
 * - Properties the spec does not declare on a model are reported (a client would silently drop them, which is how
 *   fidelity bugs such as `provisioningstate` or a field from a newer api-version hide). Free-form objects
 *   (`type: object` without properties) and maps (`additionalProperties`) accept anything.
 *
 * Compiled validators are cached per (spec file, operationId, status).
 */
import { AssertionError } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2019, type ErrorObject, type ValidateFunction } from "ajv/dist/2019.js";
import addFormatsModule from "ajv-formats";

/** Root of the spec data: `<repo>/../shared/azure-specs`, or `AKSEMU_SPECS_DIR`. */
export const SPECS_ROOT = resolve(
  process.env.AKSEMU_SPECS_DIR ?? join(import.meta.dirname, "..", "..", "..", "shared", "azure-specs"),
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete", "head", "options"]);

/** e.g. "containerservice/2025-10-01/managedClusters.json" -> absolute path. Throws if the file does not exist. */
export function specFile(relativePath: string): string {
  const path = isAbsolute(relativePath) ? relativePath : join(SPECS_ROOT, relativePath);
  if (!existsSync(path)) throw new Error(`No spec file ${path} (specs are read from ${SPECS_ROOT})`);
  return path;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading files and resolving upstream-relative $refs

const documents = new Map<string, Schema>();

function load(file: string): Schema {
  let doc = documents.get(file);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(file, "utf8")) as Schema;
    documents.set(file, doc);
  }
  return doc;
}

/** The local file a `$ref` file part points to, from a referring file. */
function resolveRefFile(fromFile: string, refPath: string): string {
  const direct = resolve(dirname(fromFile), refPath);
  if (existsSync(direct)) return direct;
  const normalized = refPath.replace(/\\/g, "/");
  // ../../../../../../common-types/resource-management/vN/x.json -> ./common-types/resource-management/vN/x.json
  const rm = /common-types\/resource-management\/(v\d+)\/([^/]+)$/.exec(normalized);
  if (rm !== null) {
    const base = join(SPECS_ROOT, "common-types", "resource-management");
    const exact = join(base, rm[1]!, rm[2]!);
    if (existsSync(exact)) return exact;
    // A version not copied locally (e.g. v4/managedidentitywithdelegation.json): the newest copy of the same file.
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, rm[2]!)))
      .sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));
    if (versions.length > 0) return join(base, versions[0]!, rm[2]!);
  }
  // compute: ../../../common-types/v1/common.json -> ./compute/common-types/v1/common.json
  const provider = relative(SPECS_ROOT, fromFile).split(/[\\/]/)[0];
  const ct = /common-types\/(.+)$/.exec(normalized);
  if (ct !== null && provider !== undefined) {
    const candidate = join(SPECS_ROOT, provider, "common-types", ct[1]!);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`Cannot resolve $ref file "${refPath}" from ${fromFile}`);
}

/** Splits a `$ref` into the absolute file and the JSON pointer (without '#'). */
function splitRef(fromFile: string, ref: string): { file: string; pointer: string } {
  const hash = ref.indexOf("#");
  const filePart = hash < 0 ? ref : ref.slice(0, hash);
  const pointer = hash < 0 ? "" : ref.slice(hash + 1);
  return { file: filePart === "" ? fromFile : resolveRefFile(fromFile, filePart), pointer };
}

function atPointer(doc: Json, pointer: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = Array.isArray(node) ? node[Number(key)] : node[key];
  }
  return node;
}

function isObject(x: unknown): x is Schema {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

// ---------------------------------------------------------------------------------------------------------------
// Swagger 2.0 -> JSON Schema 2019-09

const ajv = new Ajv2019({
  allErrors: true,
  strict: false,
  unicodeRegExp: false,
  validateFormats: true,
  discriminator: false,
  verbose: true,
});
/** The formats ajv-formats checks for real; `arm-id` is ours; any other is accepted as is (`ensureFormat`). */
const CHECKED_FORMATS = [
  "date-time", "date", "duration", "uuid", "uri", "byte", "int32", "int64", "float", "double", "password", "binary",
]; // prettier-ignore
(addFormatsModule as unknown as (a: Ajv2019, formats: string[]) => void)(ajv, CHECKED_FORMATS);
ajv.addFormat("arm-id", /^\//);
const knownFormats = new Set([...CHECKED_FORMATS, "arm-id"]);
function ensureFormat(name: string): void {
  if (knownFormats.has(name)) return;
  knownFormats.add(name);
  ajv.addFormat(name, true); // not checked (e.g. unixtime, base64url, decimal, char, url)
}

const registered = new Set<string>();

function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

function refUri(file: string, pointer: string): string {
  return `${fileUri(file)}#${pointer}`;
}

/** Registers a spec file's definitions with ajv (converted), once. */
function register(file: string): void {
  if (registered.has(file)) return;
  registered.add(file);
  const doc = load(file);
  const definitions: Schema = {};
  const defs = isObject(doc.definitions) ? doc.definitions : {};
  for (const [name, def] of Object.entries(defs)) {
    if (!isObject(def)) continue;
    if (typeof def.discriminator === "string") {
      definitions[`${name}__base`] = convert(def, file, false);
      definitions[name] = discriminatorDispatch(file, name, def.discriminator, defs);
    } else {
      definitions[name] = convert(def, file, false);
    }
  }
  ajv.addSchema({ $id: fileUri(file), definitions }, fileUri(file));
}

/** `D` with a discriminator: D's own shape, plus the derived shape chosen by the discriminator value. */
function discriminatorDispatch(file: string, base: string, property: string, defs: Schema): Schema {
  const derived: { value: string; name: string }[] = [];
  for (const [name, def] of Object.entries(defs)) {
    if (!isObject(def) || !Array.isArray(def.allOf)) continue;
    if (def.allOf.some((m) => isObject(m) && m.$ref === `#/definitions/${base}`)) {
      const value = typeof def["x-ms-discriminator-value"] === "string" ? def["x-ms-discriminator-value"] : name;
      derived.push({ value, name });
    }
  }
  let chain: Schema = {};
  for (const d of derived.reverse()) {
    chain = {
      if: { properties: { [property]: { const: d.value } }, required: [property] },
      then: { $ref: refUri(file, `/definitions/${d.name}`) },
      else: chain,
    };
  }
  return { allOf: [{ $ref: refUri(file, `/definitions/${base}__base`) }, chain] };
}

/** Whether a Swagger schema is a model with a fixed set of properties (so undeclared properties are reported). */
function isClosedModel(schema: Schema, file: string, seen = new Set<string>()): boolean {
  if (schema.$ref !== undefined && typeof schema.$ref === "string") {
    const { file: f, pointer } = splitRef(file, schema.$ref);
    const key = `${f}#${pointer}`;
    if (seen.has(key)) return true;
    seen.add(key);
    const target = atPointer(load(f), pointer);
    return isObject(target) && isClosedModel(target, f, seen);
  }
  if (schema.type !== undefined && schema.type !== "object") return false;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return false;
  const hasProperties = isObject(schema.properties) && Object.keys(schema.properties).length > 0;
  const members = Array.isArray(schema.allOf) ? schema.allOf.filter(isObject) : [];
  if (!hasProperties && members.length === 0) return false;
  return members.every((m) => isClosedModel(m, file, seen));
}

function responseNeverHas(property: Json | undefined): boolean {
  if (!isObject(property)) return false;
  if (property["x-ms-secret"] === true) return true;
  const mutability = property["x-ms-mutability"];
  return Array.isArray(mutability) && !mutability.includes("read");
}

function validPattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Converts one Swagger schema. `useSite`: the schema is the value of a property, an item, a map value or a response
 * (not an `allOf` member), where undeclared properties are reported.
 */
function convert(schema: Schema, file: string, useSite: boolean): Schema {
  const nullable = schema["x-nullable"] === true;
  let out: Schema;
  if (typeof schema.$ref === "string") {
    const { file: target, pointer } = splitRef(file, schema.$ref);
    register(target);
    let ptr = pointer;
    // an allOf member naming a polymorphic base means the base's own shape (no dispatch back to the derived type)
    if (!useSite) {
      const def = atPointer(load(target), pointer);
      if (isObject(def) && typeof def.discriminator === "string") ptr = `${pointer}__base`;
    }
    out = { $ref: refUri(target, ptr) };
  } else {
    out = {};
    if (typeof schema.type === "string" && schema.type !== "file") out.type = schema.type;
    if (typeof schema.format === "string") {
      ensureFormat(schema.format);
      out.format = schema.format;
    }
    const xmsEnum = schema["x-ms-enum"];
    const open = isObject(xmsEnum) && xmsEnum.modelAsString === true;
    if (Array.isArray(schema.enum) && !open) out.enum = schema.enum;
    for (const k of [
      "minimum",
      "maximum",
      "multipleOf",
      "minLength",
      "maxLength",
      "minItems",
      "maxItems",
      "uniqueItems",
    ]) {
      if (schema[k] !== undefined) out[k] = schema[k]!;
    }
    if (schema.exclusiveMinimum === true && typeof schema.minimum === "number") {
      out.exclusiveMinimum = schema.minimum;
      delete out.minimum;
    }
    if (schema.exclusiveMaximum === true && typeof schema.maximum === "number") {
      out.exclusiveMaximum = schema.maximum;
      delete out.maximum;
    }
    if (typeof schema.pattern === "string" && validPattern(schema.pattern)) out.pattern = schema.pattern;
    if (isObject(schema.items)) out.items = convert(schema.items, file, true);
    if (isObject(schema.properties)) {
      const properties: Schema = {};
      const required = new Set(Array.isArray(schema.required) ? schema.required : []);
      for (const [name, prop] of Object.entries(schema.properties)) {
        // Real services send `null` for absent optional properties (and the SDKs take it as absent).
        if (isObject(prop))
          properties[name] = required.has(name) ? convert(prop, file, true) : orNull(convert(prop, file, true));
      }
      out.properties = properties;
    }
    if (Array.isArray(schema.required)) {
      const props = isObject(schema.properties) ? schema.properties : {};
      const required = schema.required.filter((r): r is string => typeof r === "string" && !responseNeverHas(props[r]));
      if (required.length > 0) out.required = required;
    }
    if (schema.additionalProperties === true || schema.additionalProperties === false) {
      out.additionalProperties = schema.additionalProperties;
    } else if (isObject(schema.additionalProperties)) {
      out.additionalProperties = convert(schema.additionalProperties, file, true);
    }
    if (Array.isArray(schema.allOf)) out.allOf = schema.allOf.filter(isObject).map((m) => convert(m, file, false));
  }
  if (useSite && isClosedModel(schema, file)) out.unevaluatedProperties = false;
  return nullable ? orNull(out) : out;
}

function orNull(schema: Schema): Schema {
  if (Array.isArray(schema.type) || (Array.isArray(schema.enum) && schema.enum.includes(null))) return schema;
  if (typeof schema.type === "string" && schema.$ref === undefined) {
    const out: Schema = { ...schema, type: [schema.type, "null"] };
    if (Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
    return out;
  }
  return { anyOf: [schema, { type: "null" }] };
}

// ---------------------------------------------------------------------------------------------------------------
// Operations

interface OperationInfo {
  method: string;
  path: string;
  operation: Schema;
}

const operationIndex = new Map<string, Map<string, OperationInfo>>();

function operations(file: string): Map<string, OperationInfo> {
  let index = operationIndex.get(file);
  if (index !== undefined) return index;
  index = new Map();
  const doc = load(file);
  for (const section of ["paths", "x-ms-paths"]) {
    const paths = doc[section];
    if (!isObject(paths)) continue;
    for (const [path, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method) || !isObject(op) || typeof op.operationId !== "string") continue;
        index.set(op.operationId, { method, path, operation: op });
      }
    }
  }
  operationIndex.set(file, index);
  return index;
}

/** An absolute, normalized spec path (a spec may be given relative to the specs folder, as `specFile` takes it). */
function resolveSpec(spec: string): string {
  return resolve(isAbsolute(spec) ? spec : specFile(spec));
}

function segments(path: string): string[] {
  return path
    .split("?")[0]!
    .split("/")
    .filter((s) => s !== "");
}

/**
 * The operationId for a method and path. `pathTemplate` may be a template (parameter names need not match the
 * spec's: `{rg}` matches `{resourceGroupName}`) or a concrete path (its segments fill the spec's parameters).
 * Literal segments are compared case-insensitively; the most literal match wins.
 */
export function findOperation(spec: string, method: string, pathTemplate: string): string | undefined {
  const file = resolveSpec(spec);
  const wanted = segments(pathTemplate);
  let best: { id: string; score: number } | undefined;
  for (const [id, info] of operations(file)) {
    if (info.method !== method.toLowerCase()) continue;
    const candidate = segments(info.path);
    if (candidate.length !== wanted.length) continue;
    let score = 0;
    let ok = true;
    for (let i = 0; i < candidate.length && ok; i++) {
      const c = candidate[i]!;
      const w = wanted[i]!;
      const cParam = /^\{.+\}$/.test(c);
      const wParam = /^\{.+\}$/.test(w);
      if (cParam) ok = true;
      else if (wParam) ok = false;
      else if (c.toLowerCase() === decodeURIComponent(w).toLowerCase()) score++;
      else ok = false;
    }
    if (ok && (best === undefined || score > best.score)) best = { id, score };
  }
  return best?.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

type Checker =
  { kind: "schema"; validate: ValidateFunction } | { kind: "empty" } | { kind: "undocumented"; message: string };

const checkers = new Map<string, Checker>();

function checker(file: string, operationId: string, status: number): Checker {
  const key = `${file}|${operationId}|${status}`;
  let c = checkers.get(key);
  if (c !== undefined) return c;
  const info =
    operations(file).get(operationId) ??
    [...operations(file).entries()].find(([id]) => id.toLowerCase() === operationId.toLowerCase())?.[1];
  if (info === undefined) throw new Error(`Operation ${operationId} is not in ${file}`);
  const responses = isObject(info.operation.responses) ? info.operation.responses : {};
  let response = responses[String(status)];
  if (response === undefined && status >= 400) response = responses.default;
  if (isObject(response) && typeof response.$ref === "string") {
    const { file: f, pointer } = splitRef(file, response.$ref);
    response = atPointer(load(f), pointer);
  }
  if (!isObject(response)) {
    const documented = Object.keys(responses).join(", ");
    c = {
      kind: "undocumented",
      message: `status ${status} is not a documented response of ${operationId} (documented: ${documented})`,
    };
  } else if (!isObject(response.schema)) {
    c = { kind: "empty" };
  } else {
    const schema = convert(response.schema, file, true);
    c = { kind: "schema", validate: ajv.compile(schema) };
  }
  checkers.set(key, c);
  return c;
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath === "" ? "(body)" : e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "unevaluatedProperties":
      return `${at}: property "${String(params.unevaluatedProperty)}" is not in the spec`;
    case "enum":
      return `${at}: must be one of ${JSON.stringify((params.allowedValues as unknown[]).filter((v) => v !== null))}, got ${JSON.stringify(e.data)?.slice(0, 80)}`;
    case "type": {
      const types = ([] as unknown[]).concat(params.type).filter((t) => t !== "null");
      return `${at}: must be ${types.join(" or ")}, got ${JSON.stringify(e.data)?.slice(0, 80) ?? "undefined"}`;
    }
    case "required":
      return `${at}: missing required property "${String(params.missingProperty)}"`;
    default:
      return `${at}: ${e.message ?? e.keyword}${params && Object.keys(params).length > 0 ? ` ${JSON.stringify(params)}` : ""}`;
  }
}

/** Errors of `body` against the spec's response for (operationId, status); [] if it matches. */
export function validateResponse(spec: string, operationId: string, status: number, body: unknown): string[] {
  const c = checker(resolveSpec(spec), operationId, status);
  if (c.kind === "undocumented") return [c.message];
  if (c.kind === "empty") {
    const empty = body === undefined || body === null || body === "";
    return empty
      ? []
      : [`status ${status} of ${operationId} has no body in the spec, got ${JSON.stringify(body).slice(0, 200)}`];
  }
  if (body === undefined || body === "") return [`status ${status} of ${operationId} must have a body, got none`];
  if (c.validate(body)) return [];
  // Keep the useful ones: ajv also reports the failing if/anyOf wrappers around real errors.
  const errors = (c.validate.errors ?? []).filter(
    (e) =>
      e.keyword !== "if" &&
      e.keyword !== "anyOf" &&
      !(e.keyword === "type" && (e.params as { type?: unknown }).type === "null"),
  );
  // A property that fails its schema is not "evaluated", so ajv also calls it (and its siblings) undeclared: report
  // undeclared properties of an object only when nothing else failed within it.
  const real = errors.filter((e) => e.keyword !== "unevaluatedProperties");
  const kept = errors.filter(
    (e) =>
      e.keyword !== "unevaluatedProperties" ||
      !real.some((r) => r.instancePath === e.instancePath || r.instancePath.startsWith(`${e.instancePath}/`)),
  );
  const unique = [...new Set((kept.length > 0 ? kept : (c.validate.errors ?? [])).map(describeError))];
  return unique.length > 0 ? unique : ["does not match the spec"];
}

/** Throws an AssertionError listing every difference between `body` and the spec. */
export function assertMatchesSpec(spec: string, operationId: string, status: number, body: unknown): void {
  const errors = validateResponse(spec, operationId, status, body);
  if (errors.length === 0) return;
  const name = relative(SPECS_ROOT, resolveSpec(spec));
  throw new AssertionError({
    message: `${operationId} ${status} does not match ${name}:\n  ${errors.slice(0, 30).join("\n  ")}${errors.length > 30 ? `\n  ... and ${errors.length - 30} more` : ""}`,
    actual: body,
    expected: `a body matching ${name} ${operationId} ${status}`,
    operator: "assertMatchesSpec",
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Spec per api-version

const SPEC_FILES = {
  containerservice: "managedClusters.json",
  resources: "resources.json",
  subscriptions: "subscriptions.json",
  features: "features.json",
  insights: "activityLogs_API.json",
  compute: "virtualMachineScaleSet.json",
} as const;

/** Folders that hold another resource provider's spec under the same name (Microsoft.Subscription, not Microsoft.Resources). */
const OTHER_PROVIDER: Record<string, string[]> = { subscriptions: ["2021-10-01"] };

/** The newest spec of a provider whose api-version is not newer than `apiVersion` (stable versions for a stable request). */
export function specForApiVersion(provider: keyof typeof SPEC_FILES, apiVersion: string): string {
  const dir = join(SPECS_ROOT, provider);
  const requestedDate = apiVersion.slice(0, 10);
  const preview = apiVersion.includes("-preview");
  const candidates = readdirSync(dir)
    .filter((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && existsSync(join(dir, v, SPEC_FILES[provider])))
    .filter((v) => !(OTHER_PROVIDER[provider] ?? []).includes(v))
    .filter((v) => preview || !v.includes("-preview"))
    .filter((v) => v.slice(0, 10) <= requestedDate)
    .sort((a, b) => a.localeCompare(b));
  const chosen = candidates.includes(apiVersion) ? apiVersion : candidates[candidates.length - 1];
  if (chosen === undefined) throw new Error(`No ${provider} spec at or before api-version ${apiVersion} in ${dir}`);
  return join(dir, chosen, SPEC_FILES[provider]);
}
