/**
 * Response shapes per api-version. aksemu stores the newest shapes; an older api-version gets the body without the
 * fields AKS added after it and with the spellings its spec used:
 * - before 2023-02-01: `sku.name` Basic (later Base) and tiers Free/Paid (later Free/Standard/Premium);
 *   `loadBalancerProfile.backendPoolType` did not exist;
 * - before 2023-04-01: `networkProfile.dockerBridgeCidr` (retired since) was filled with 172.17.0.1/16, and at every
 *   api-version until that retirement rolled out (AKS_BEHAVIOUR_CHANGES.dockerBridgeCidrRetired);
 * - before 2023-06-01: no `autoUpgradeProfile.nodeOSUpgradeChannel`;
 * - before 2023-10-01: no `supportPlan`, `resourceUID`, `metricsProfile`, `networkProfile.networkDataplane`, nor the
 *   pools' `securityProfile` (vTPM / secure boot); an empty `nodeLabels` was left out.
 * The 2022-11-01 spec (in shared/azure-specs) is the reference for the oldest shapes.
 */
import type { JsonObject } from "../../arm/body.js";
import { isObject } from "../../arm/body.js";
import { behaviourSince } from "./state.js";

const V2023_02 = "2023-02-01";
const V2023_04 = "2023-04-01";
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

/** The docker bridge range AKS filled in (the spec's default) while the API had the field. */
function withDockerBridge(body: JsonObject): JsonObject {
  if (!isObject(body.properties) || !isObject(body.properties.networkProfile)) return body;
  const net = body.properties.networkProfile;
  if (net.dockerBridgeCidr !== undefined) return body;
  return { ...body, properties: { ...body.properties, networkProfile: { ...net, dockerBridgeCidr: "172.17.0.1/16" } } };
}

/** `nowMs`: the emulated time of the answer (some fields depended on the date, not the api-version). */
export function shapeCluster(body: JsonObject, apiVersion: string, nowMs: number): JsonObject {
  const v = dateOf(apiVersion);
  if (v < V2023_04 || !behaviourSince("dockerBridgeCidrRetired", nowMs)) body = withDockerBridge(body);
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
