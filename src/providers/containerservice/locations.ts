/**
 * Location-level APIs of Microsoft.ContainerService, answered from the version catalog at the clock's date:
 * - `GET /subscriptions/{id}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions`
 *   (`ManagedClusters_ListKubernetesVersions`, shape `KubernetesVersionListResult` of the 2025-10-01 spec; the values
 *   are newest minor first, as a real answer recorded on 2024-02-07 shows);
 * - `GET .../locations/{location}/orchestrators?resource-type=managedClusters` (api-version 2019-04-01, what
 *   `az aks get-versions` of az 2.45 calls; shape as in the real answers of aks-recordings/az-2.45.0);
 * - `GET /providers/Microsoft.ContainerService/operations` (`Operations_List`, `OperationListResult`).
 *
 * A region ARM does not know answers as ARM does for location-scoped types: 400 `NoRegisteredProviderFound`, naming
 * the supported api-versions and locations.
 */
import { ArmError } from "../../arm/errors.js";
import { ok, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { normalizeLocation, REGIONS } from "../../arm/locations.js";
import type { ApiVersionSet } from "../../arm/api-versions.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import { versionCatalogAt, type MinorVersion, type SupportPlan, type VersionCatalog } from "./versions/index.js";

const NS = "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/locations/:location";

/** The canonical name of the request's region, or ARM's 400 for a region it does not know (every location-scoped type). */
export function requireLocation(ctx: RequestContext, resourceType: string, versions: ApiVersionSet): string {
  const given = ctx.params["location"] ?? "";
  const location = normalizeLocation(given);
  if (location !== undefined) return location;
  throw new ArmError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location '${given}' and API version '${ctx.apiVersion}' for type '${resourceType}'. The supported api-versions are '${versions.versions.join(", ")}'. The supported locations are '${REGIONS.map((r) => r.name).join(", ")}'.`,
  );
}

/** Minors offered to new clusters and their plans: preview/community under KubernetesOfficial, LTS-only under LTS. */
function plansOf(m: MinorVersion): SupportPlan[] | undefined {
  if (m.support === "Preview") return m.hasLts ? ["KubernetesOfficial", "AKSLongTermSupport"] : ["KubernetesOfficial"];
  if (m.support === "Community")
    return m.hasLts ? ["KubernetesOfficial", "AKSLongTermSupport"] : ["KubernetesOfficial"];
  if (m.support === "LtsOnly") return ["AKSLongTermSupport"];
  return undefined;
}

export interface KubernetesVersionWire {
  version: string;
  isDefault?: boolean;
  isPreview?: boolean;
  capabilities: { supportPlan: SupportPlan[] };
  patchVersions: Record<string, { upgrades: string[] }>;
}

/** The `KubernetesVersionListResult` body at the catalog's date. */
export function kubernetesVersionsBody(catalog: VersionCatalog): { values: KubernetesVersionWire[] } {
  const values: KubernetesVersionWire[] = [];
  for (const m of catalog.minors().reverse()) {
    const plans = plansOf(m);
    if (plans === undefined || m.patches.length === 0) continue;
    const lts = m.support === "LtsOnly";
    const patchVersions: Record<string, { upgrades: string[] }> = {};
    for (const p of m.patches) patchVersions[p] = { upgrades: catalog.upgradesFrom(p, lts) };
    values.push({
      version: m.minor,
      ...(m.isDefault ? { isDefault: true } : {}),
      ...(m.support === "Preview" ? { isPreview: true } : {}),
      capabilities: { supportPlan: plans },
      patchVersions,
    });
  }
  return { values };
}

interface OrchestratorWire {
  orchestratorType: "Kubernetes";
  orchestratorVersion: string;
  default?: true;
  isPreview?: true;
  upgrades?: { orchestratorType: "Kubernetes"; orchestratorVersion: string; isPreview?: true }[];
}

/** The 2019-04-01 `OrchestratorVersionProfileListResult` body: every patch a new cluster can use, ascending. */
export function orchestratorsBody(catalog: VersionCatalog, subscriptionId: string, location: string): unknown {
  const preview = new Set<string>();
  const orchestrators: OrchestratorWire[] = [];
  const offered = catalog.minors().filter((m) => m.support === "Preview" || m.support === "Community");
  for (const m of offered) if (m.support === "Preview") for (const p of m.patches) preview.add(p);
  const defaultVersion = catalog.defaultVersion();
  for (const m of offered) {
    for (const p of m.patches) {
      const upgrades = catalog.upgradesFrom(p, false).map((u) => ({
        orchestratorType: "Kubernetes" as const,
        orchestratorVersion: u,
        ...(preview.has(u) ? { isPreview: true as const } : {}),
      }));
      orchestrators.push({
        orchestratorType: "Kubernetes",
        orchestratorVersion: p,
        ...(p === defaultVersion ? { default: true as const } : {}),
        ...(preview.has(p) ? { isPreview: true as const } : {}),
        ...(upgrades.length > 0 ? { upgrades } : {}),
      });
    }
  }
  return {
    id: `/subscriptions/${subscriptionId}/providers/Microsoft.ContainerService/locations/${location}/orchestrators`,
    name: "default",
    type: "Microsoft.ContainerService/locations/orchestrators",
    properties: { orchestrators },
  };
}

/** The operations of the provider as `Operations_List` lists them (those aksemu serves). */
const OPERATIONS: readonly [name: string, resource: string, operation: string, description: string][] = [
  ["register/action", "Subscription", "Register Subscription", "Registers the subscription to the Microsoft.ContainerService resource provider"],
  ["unregister/action", "Subscription", "Unregister Subscription", "Unregisters the subscription from the Microsoft.ContainerService resource provider"],
  ["operations/read", "Operations", "List Operations", "Lists operations available on Microsoft.ContainerService resource provider"],
  ["locations/kubernetesVersions/read", "Kubernetes Versions", "List Kubernetes Versions", "Lists the Kubernetes versions available in a location"],
  ["locations/orchestrators/read", "Orchestrators", "List Available Orchestrators", "Lists the supported orchestrators"],
  ["locations/operations/read", "Operations", "Get Operation", "Gets the status of an asynchronous operation"],
  ["locations/operationresults/read", "Operation Results", "Get Operation Result", "Gets the result of an asynchronous operation"],
  ["managedClusters/read", "Managed Clusters", "Get Managed Cluster", "Get a managed cluster"],
  ["managedClusters/write", "Managed Clusters", "Create or Update Managed Cluster", "Creates a new managed cluster or updates an existing one"],
  ["managedClusters/delete", "Managed Clusters", "Delete Managed Cluster", "Deletes a managed cluster"],
  ["managedClusters/start/action", "Managed Clusters", "Start Managed Cluster", "Starts a managed cluster"],
  ["managedClusters/stop/action", "Managed Clusters", "Stop Managed Cluster", "Stops a managed cluster"],
  ["managedClusters/listClusterUserCredential/action", "Managed Clusters", "List clusterUser credential", "List the clusterUser credential of a managed cluster"],
  ["managedClusters/listClusterAdminCredential/action", "Managed Clusters", "List clusterAdmin credential", "List the clusterAdmin credential of a managed cluster"],
  ["managedClusters/rotateClusterCertificates/action", "Managed Clusters", "Rotate certificates for cluster", "Rotate certificates for a managed cluster"],
  ["managedClusters/upgradeProfiles/read", "Upgrade Profiles", "Get Upgrade Profile", "Gets the upgrade profile of a managed cluster"],
  ["managedClusters/availableAgentPoolVersions/read", "Agent Pool Versions", "Get Available Agent Pool Versions", "Gets the versions available for agent pools of a managed cluster"],
  ["managedClusters/agentPools/read", "Agent Pools", "Get Agent Pool", "Gets an agent pool"],
  ["managedClusters/agentPools/write", "Agent Pools", "Create or Update Agent Pool", "Creates a new agent pool or updates an existing one"],
  ["managedClusters/agentPools/delete", "Agent Pools", "Delete Agent Pool", "Deletes an agent pool"],
  ["managedClusters/agentPools/upgradeNodeImageVersion/action", "Agent Pools", "Upgrade Node Image Version", "Upgrades the node image version of an agent pool"],
  ["managedClusters/agentPools/upgradeProfiles/read", "Agent Pool Upgrade Profiles", "Get Agent Pool Upgrade Profile", "Gets the upgrade profile of an agent pool"],
  ["managedClusters/maintenanceConfigurations/read", "Maintenance Configurations", "Get Maintenance Configuration", "Gets a maintenance configuration"],
  ["managedClusters/maintenanceConfigurations/write", "Maintenance Configurations", "Create or Update Maintenance Configuration", "Creates a maintenance configuration or updates an existing one"],
  ["managedClusters/maintenanceConfigurations/delete", "Maintenance Configurations", "Delete Maintenance Configuration", "Deletes a maintenance configuration"],
]; // prettier-ignore

export function providerOperationsBody(): { value: unknown[] } {
  return {
    value: OPERATIONS.map(([name, resource, operation, description]) => ({
      origin: "user,system",
      name: `Microsoft.ContainerService/${name}`,
      display: { provider: "Microsoft Container Service", resource, operation, description },
    })),
  };
}

/** The location-level routes (and the provider's operations list). */
export function locationRoutes(platform: Platform): OperationRoute[] {
  const catalog = (location: string): VersionCatalog => versionCatalogAt(platform.clock.now(), location);
  return [
    {
      method: "GET",
      path: `${NS}/kubernetesVersions`,
      apiVersions: apiVersions.kubernetesVersions,
      handler: async (ctx) => {
        const location = requireLocation(ctx, "locations/kubernetesVersions", apiVersions.kubernetesVersions);
        return ok(kubernetesVersionsBody(catalog(location)));
      },
    },
    {
      method: "GET",
      path: `${NS}/orchestrators`,
      apiVersions: apiVersions.orchestrators,
      handler: async (ctx) => {
        const location = requireLocation(ctx, "locations/orchestrators", apiVersions.orchestrators);
        const resourceType = ctx.query["resource-type"];
        if (resourceType !== undefined && resourceType !== "" && resourceType.toLowerCase() !== "managedclusters") {
          throw new ArmError(
            400,
            "InvalidParameter",
            `The value '${resourceType}' of query parameter 'resource-type' is not supported. Use 'resource-type=managedClusters' (or 'az aks get-versions').`,
            { target: "resource-type" },
          );
        }
        return ok(orchestratorsBody(catalog(location), ctx.params["subscriptionId"]!, location));
      },
    },
    {
      method: "GET",
      path: "/providers/Microsoft.ContainerService/operations",
      apiVersions: apiVersions.providerOperations,
      handler: async () => ok(providerOperationsBody()),
    },
  ];
}
