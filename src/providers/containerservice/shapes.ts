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
 * - before 2024-09-01 (and 2024-04-02-preview): no `eTag` on clusters and pools; on those api-versions it shows once
 *   AKS rolled it out (AKS_BEHAVIOUR_CHANGES.eTagsShown), as the stored ETag without its quotes.
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

/**
 * Whether the spec of `apiVersion` can describe Azure CNI Overlay (`networkProfile.networkPluginMode`): previews from
 * 2022-04-02-preview, stable from 2023-02-01 (the 2022-11-01 spec lacks it; Overlay went GA in spring 2023).
 */
export function describesNetworkPluginMode(apiVersion: string): boolean {
  const v = dateOf(apiVersion);
  return apiVersion.endsWith("-preview") ? v >= "2022-04-02" : v >= V2023_02;
}

/** The stored ETags of a cluster and of its pools (by name), as HTTP quotes them. */
export interface ETags {
  cluster: string;
  pools: ReadonlyMap<string, string>;
}

/** Whether answers at `apiVersion` and instant `nowMs` carry `eTag` (see AKS_BEHAVIOUR_CHANGES.eTagsShown). */
function showsETag(apiVersion: string, nowMs: number): boolean {
  const v = dateOf(apiVersion);
  const inSpec = apiVersion.endsWith("-preview") ? v >= "2024-04-02" : v >= "2024-09-01";
  return inSpec && behaviourSince("eTagsShown", nowMs);
}

/** An ETag as the body shows it: the bare value, without the quotes of the HTTP header (If-Match takes either). */
function bodyETag(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

/** A pool as answered at `apiVersion`: `etag` is its stored ETag. */
export function shapePool(body: JsonObject, apiVersion: string, nowMs: number, etag: string): JsonObject {
  const shaped = shapeOlderPool(body, apiVersion);
  if (!showsETag(apiVersion, nowMs) || !isObject(shaped.properties)) return shaped;
  return { ...shaped, properties: withETag(shaped.properties, etag) };
}

/** `props` with `eTag` first, where the spec's examples put it among a pool's properties. */
function withETag(props: JsonObject, etag: string): JsonObject {
  return Object.assign({ eTag: bodyETag(etag) }, props);
}

export function shapePoolProperties(props: JsonObject, apiVersion: string): JsonObject {
  if (dateOf(apiVersion) >= V2023_10) return props;
  const out = without(props, "securityProfile");
  if (isObject(out.nodeLabels) && Object.keys(out.nodeLabels).length === 0) delete out.nodeLabels;
  return out;
}

function shapeOlderPool(body: JsonObject, apiVersion: string): JsonObject {
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

/**
 * A cluster as answered at `apiVersion`. `nowMs`: the emulated time of the answer (some fields depended on the date,
 * not the api-version); `etags`: the stored ETags of the cluster and its pools.
 */
export function shapeCluster(body: JsonObject, apiVersion: string, nowMs: number, etags: ETags): JsonObject {
  const shaped = shapeOlderCluster(body, apiVersion, nowMs);
  if (!showsETag(apiVersion, nowMs)) return shaped;
  const out: JsonObject = { ...shaped };
  // The spec's examples put the cluster's eTag after its type, before its properties.
  delete out.properties;
  out.eTag = bodyETag(etags.cluster);
  out.properties = shaped.properties;
  const props = shaped.properties;
  if (isObject(props) && Array.isArray(props.agentPoolProfiles)) {
    const profiles = props.agentPoolProfiles.map((p) => {
      const etag = isObject(p) && typeof p.name === "string" ? etags.pools.get(p.name) : undefined;
      return isObject(p) && etag !== undefined ? Object.assign({ name: p.name }, withETag(p, etag)) : p;
    });
    out.properties = { ...props, agentPoolProfiles: profiles };
  }
  return out;
}

function shapeOlderCluster(body: JsonObject, apiVersion: string, nowMs: number): JsonObject {
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
