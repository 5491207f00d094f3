/**
 * Response shapes per api-version. aksemu stores the newest shapes; an older api-version gets the body without the
 * fields AKS added after it and with the spellings its spec used:
 * - before 2023-02-01: `sku.name` Basic (later Base) and tiers Free/Paid (later Free/Standard/Premium);
 *   `loadBalancerProfile.backendPoolType` did not exist;
 * - before 2023-06-01: no `autoUpgradeProfile.nodeOSUpgradeChannel`; `networkProfile.dockerBridgeCidr` (since
 *   retired) was filled with 172.17.0.1/16;
 * - before 2023-10-01: no `supportPlan`, `resourceUID`, `metricsProfile`, `networkProfile.networkDataplane`, nor the
 *   pools' `securityProfile` (vTPM / secure boot); an empty `nodeLabels` was left out.
 * The 2022-11-01 spec (in shared/azure-specs) is the reference for the oldest shapes.
 */
import type { JsonObject } from "../../arm/body.js";
import { isObject } from "../../arm/body.js";

const V2023_02 = "2023-02-01";
const V2023_06 = "2023-06-01";
const V2023_10 = "2023-10-01";

function dateOf(apiVersion: string): string {
  return apiVersion.slice(0, 10);
}

function without(obj: JsonObject, ...keys: string[]): JsonObject {
  const out: JsonObject = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

export function shapePoolProperties(props: JsonObject, apiVersion: string): JsonObject {
  if (dateOf(apiVersion) >= V2023_10) return props;
  const out = without(props, "securityProfile");
  if (isObject(out.nodeLabels) && Object.keys(out.nodeLabels).length === 0) delete out.nodeLabels;
  return out;
}

export function shapePool(body: JsonObject, apiVersion: string): JsonObject {
  if (dateOf(apiVersion) >= V2023_10 || !isObject(body.properties)) return body;
  return { ...body, properties: shapePoolProperties(body.properties, apiVersion) };
}

export function shapeCluster(body: JsonObject, apiVersion: string): JsonObject {
  const v = dateOf(apiVersion);
  if (v >= V2023_10 || !isObject(body.properties)) return body;
  const out: JsonObject = { ...body };
  const properties: JsonObject = without(body.properties, "supportPlan", "resourceUID", "metricsProfile");
  if (Array.isArray(properties.agentPoolProfiles)) {
    properties.agentPoolProfiles = properties.agentPoolProfiles.map((p) =>
      isObject(p) ? shapePoolProperties(p, apiVersion) : p,
    );
  }
  if (isObject(properties.networkProfile) && properties.networkProfile.networkDataplane !== undefined) {
    properties.networkProfile = without(properties.networkProfile, "networkDataplane");
  }
  if (v < V2023_06 && isObject(properties.networkProfile) && properties.networkProfile.dockerBridgeCidr === undefined) {
    properties.networkProfile = { ...properties.networkProfile, dockerBridgeCidr: "172.17.0.1/16" };
  }
  if (v < V2023_06 && isObject(properties.autoUpgradeProfile)) {
    const rest = without(properties.autoUpgradeProfile, "nodeOSUpgradeChannel");
    if (Object.keys(rest).length === 0) delete properties.autoUpgradeProfile;
    else properties.autoUpgradeProfile = rest;
  }
  if (v < V2023_02) {
    if (isObject(body.sku)) out.sku = { name: "Basic", tier: body.sku.tier === "Free" ? "Free" : "Paid" };
    const net = properties.networkProfile;
    if (isObject(net) && isObject(net.loadBalancerProfile)) {
      properties.networkProfile = { ...net, loadBalancerProfile: without(net.loadBalancerProfile, "backendPoolType") };
    }
  }
  out.properties = properties;
  return out;
}
