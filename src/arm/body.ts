/**
 * Reading request bodies defensively: every wrong type is a 400 that names the property, never a crash.
 * Providers use these for the fields they read by hand; property paths are given as ARM gives them
 * (`properties.agentPoolProfiles[0].count`).
 */
import { ArmError, armErrors } from "./errors.js";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function wrongType(path: string, expected: string, value: unknown): ArmError {
  return armErrors.invalidRequestContent(
    `Error converting value of type ${typeName(value)} to type ${expected}. Path '${path}'. Send '${path}' as ${expected === "Object" ? "a JSON object" : `a JSON ${expected.toLowerCase()}`}`,
  );
}

/** The body as a JSON object; an absent body counts as `{}` only when `allowEmpty`. */
export function asObject(body: unknown, allowEmpty = false): JsonObject {
  if (body === undefined && allowEmpty) return {};
  if (body === undefined) throw armErrors.invalidRequestContent("The request body is empty. Send a JSON object");
  if (!isObject(body)) throw wrongType("", "Object", body);
  return body;
}

export function optionalObject(obj: JsonObject, key: string, path = key): JsonObject | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw wrongType(path, "Object", value);
  return value;
}

export function optionalArray(obj: JsonObject, key: string, path = key): unknown[] | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(path, "Array", value);
  return value;
}

export function optionalString(obj: JsonObject, key: string, path = key): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw wrongType(path, "String", value);
  return value;
}

export function optionalBoolean(obj: JsonObject, key: string, path = key): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw wrongType(path, "Boolean", value);
  return value;
}

export function optionalInteger(obj: JsonObject, key: string, path = key): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(path, "Integer", value);
  return value;
}

/** ARM's tag rules: at most 50, names up to 512 characters, values up to 256, values strings. */
export function optionalTags(obj: JsonObject, key = "tags"): Record<string, string> | undefined {
  const tags = optionalObject(obj, key);
  if (tags === undefined) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > 50) {
    throw new ArmError(
      400,
      "InvalidTagCount",
      `The number of tags (${entries.length}) exceeds the limit of 50. Remove some tags.`,
      {
        target: key,
      },
    );
  }
  const result: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (typeof value !== "string") throw wrongType(`${key}.${name}`, "String", value);
    if (name.length === 0 || name.length > 512 || /[<>%&\\?/]/.test(name)) {
      throw new ArmError(
        400,
        "InvalidTagNameCharacters",
        `The tag name '${name}' is invalid: tag names must be 1-512 characters and cannot contain '<', '>', '%', '&', '\\', '?' or '/'.`,
        { target: `${key}.${name}` },
      );
    }
    if (value.length > 256) {
      throw new ArmError(
        400,
        "InvalidTagValueLength",
        `The value of tag '${name}' is longer than 256 characters. Shorten it.`,
        {
          target: `${key}.${name}`,
        },
      );
    }
    result[name] = value;
  }
  return result;
}
