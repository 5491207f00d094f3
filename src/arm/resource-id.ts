/**
 * ARM resource ids: building them, parsing them, and the case-insensitive key under which a resource is stored.
 *
 * ARM treats ids case-insensitively but echoes names in the case they were created with, so the store keys on the
 * lower-cased id while the resource body keeps the original spelling.
 */
export function idKey(id: string): string {
  return id.toLowerCase();
}

export function subscriptionId(subscription: string): string {
  return `/subscriptions/${subscription}`;
}

export function resourceGroupId(subscription: string, resourceGroup: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}`;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{childType}/{childName}...]` */
export function providerResourceId(
  subscription: string,
  resourceGroup: string,
  namespace: string,
  typesAndNames: readonly string[],
): string {
  return `${resourceGroupId(subscription, resourceGroup)}/providers/${namespace}/${typesAndNames.join("/")}`;
}

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup?: string;
  namespace?: string;
  /** e.g. `managedClusters` or `managedClusters/agentPools`. */
  resourceType?: string;
  /** The last name segment. */
  name?: string;
  /** Every name segment after the namespace, in order. */
  names: string[];
}

/** Parses an ARM id; returns undefined when the text is not one. */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const parts = id.split("/").filter((p) => p.length > 0);
  if (parts.length < 2 || parts[0]!.toLowerCase() !== "subscriptions") return undefined;
  const result: ParsedResourceId = { subscriptionId: parts[1]!, names: [] };
  let i = 2;
  if (parts[i]?.toLowerCase() === "resourcegroups") {
    if (parts[i + 1] === undefined) return undefined;
    result.resourceGroup = parts[i + 1]!;
    i += 2;
  }
  if (i === parts.length) return result;
  if (parts[i]?.toLowerCase() !== "providers" || parts[i + 1] === undefined) return undefined;
  result.namespace = parts[i + 1]!;
  i += 2;
  const types: string[] = [];
  while (i < parts.length) {
    const type = parts[i];
    const name = parts[i + 1];
    if (type === undefined || name === undefined) return undefined;
    types.push(type);
    result.names.push(name);
    i += 2;
  }
  if (types.length > 0) {
    result.resourceType = types.join("/");
    result.name = result.names[result.names.length - 1]!;
  }
  return result;
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resource group names as ARM allows them: 1-90 characters of letters, digits, underscore, parentheses, hyphen and
 * period, not ending in a period. (ARM also allows other Unicode letters and digits; so do we.)
 */
export function isValidResourceGroupName(name: string): boolean {
  return name.length >= 1 && name.length <= 90 && /^[-\p{L}\p{N}_.()]+$/u.test(name) && !name.endsWith(".");
}
