/**
 * The Istio-based service mesh add-on's revisions (`az aks mesh get-revisions`, `az aks mesh get-upgrades`):
 * - `GET locations/{l}/meshRevisionProfiles` and `.../meshRevisionProfiles/istio`: the revisions AKS offers, each with
 *   the revisions it can be upgraded to and the Kubernetes minors it runs on;
 * - `GET managedClusters/{c}/meshUpgradeProfiles` and `.../meshUpgradeProfiles/istio`: for a cluster with the mesh
 *   enabled (`properties.serviceMeshProfile.mode: Istio`), its revision (the oldest of `istio.revisions`, the one a
 *   canary upgrade starts from), the revisions it may upgrade to on its Kubernetes version, and that revision's
 *   compatible Kubernetes minors. A cluster without the mesh has none (an empty list; a GET of `istio` is NotFound).
 *
 * The catalog is what real AKS listed on 2024-07-03 (the top-level mesh recordings, api-version 2024-09-01). There is
 * no later data in shared/: the same catalog is served at every date (docs/operations.md).
 */
import { ArmError } from "../../arm/errors.js";
import { isObject } from "../../arm/body.js";
import { ApiVersionSet } from "../../arm/api-versions.js";
import { ok, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { AKS_VERSIONS } from "./api-versions.js";
import type { ClusterRecord } from "./lifecycle.js";
import { requireLocation } from "./locations.js";

/** The mesh profiles came with api-version 2023-10-01 (GA); served on the versions from there. */
const SINCE = "2023-10-01";
export const meshApiVersions = {
  revisions: new ApiVersionSet("Microsoft.ContainerService/locations/meshRevisionProfiles", AKS_VERSIONS.filter((v) => v.slice(0, 10) >= SINCE)), // prettier-ignore
  upgrades: new ApiVersionSet("Microsoft.ContainerService/managedClusters/meshUpgradeProfiles", AKS_VERSIONS.filter((v) => v.slice(0, 10) >= SINCE)), // prettier-ignore
};

interface MeshRevision {
  revision: string;
  upgrades?: string[];
  compatibleWith: { name: string; versions: string[] }[];
}

/** As listed by AKS in westus2 on 2024-07-03 (test_aks_azure_service_mesh_get_revisions.yaml). */
export const ISTIO_REVISIONS: readonly MeshRevision[] = [
  { revision: "asm-1-20", upgrades: ["asm-1-21"], compatibleWith: [{ name: "kubernetes", versions: ["1.25", "1.26", "1.27", "1.28", "1.29"] }] }, // prettier-ignore
  { revision: "asm-1-21", upgrades: ["asm-1-22"], compatibleWith: [{ name: "kubernetes", versions: ["1.26", "1.27", "1.28", "1.29", "1.30"] }] }, // prettier-ignore
  { revision: "asm-1-22", compatibleWith: [{ name: "kubernetes", versions: ["1.27", "1.28", "1.29", "1.30"] }] },
];

function minorOf(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

function revisionNumber(revision: string): number {
  return Number(/(\d+)$/.exec(revision)?.[1] ?? Number.NaN);
}

export function meshRoutes(
  platform: Platform,
  requireCluster: (store: Store, ctx: RequestContext) => Promise<ClusterRecord>,
): OperationRoute[] {
  const loc = "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/locations/:location/meshRevisionProfiles"; // prettier-ignore
  const mc = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ContainerService/managedClusters/:resourceName/meshUpgradeProfiles"; // prettier-ignore

  const revisionProfile = (ctx: RequestContext) => {
    const location = requireLocation(ctx, "locations/meshRevisionProfiles", meshApiVersions.revisions);
    return {
      id: `/subscriptions/${ctx.params.subscriptionId!}/providers/Microsoft.ContainerService/locations/${location}/meshRevisionProfiles/istio`,
      name: "istio",
      type: "Microsoft.ContainerService/locations/meshRevisionProfiles",
      properties: { meshRevisions: ISTIO_REVISIONS },
    };
  };

  /** The cluster's mesh upgrade profile, or undefined when the mesh is not enabled. */
  const upgradeProfile = (record: ClusterRecord) => {
    const mesh = record.cluster.body.properties.serviceMeshProfile;
    if (!isObject(mesh) || String(mesh.mode).toLowerCase() !== "istio") return undefined;
    const revisions = isObject(mesh.istio) && Array.isArray(mesh.istio.revisions) ? mesh.istio.revisions.filter((r): r is string => typeof r === "string") : []; // prettier-ignore
    const current = [...revisions].sort((a, b) => revisionNumber(a) - revisionNumber(b))[0];
    const known = ISTIO_REVISIONS.find((r) => r.revision === current);
    if (current === undefined || known === undefined) return undefined;
    const k8s = minorOf(record.cluster.body.properties.currentKubernetesVersion);
    const upgrades = (known.upgrades ?? []).filter((u) =>
      ISTIO_REVISIONS.find((r) => r.revision === u)?.compatibleWith.some((c) => c.versions.includes(k8s)),
    );
    const properties: Record<string, unknown> = { revision: current };
    if (upgrades.length > 0) properties.upgrades = upgrades;
    properties.compatibleWith = known.compatibleWith;
    return {
      // Real AKS writes `resourceGroups` here (the cluster's own id has `resourcegroups`).
      id: `/subscriptions/${record.cluster.subscriptionId}/resourceGroups/${record.cluster.internal.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${record.cluster.body.name}/meshUpgradeProfiles/istio`,
      name: "istio",
      type: "Microsoft.ContainerService/managedClusters/meshUpgradeProfiles",
      properties,
    };
  };

  const notFound = (what: string, detail: string) => new ArmError(404, "NotFound", `${what} ${detail}`);

  return [
    {
      method: "GET",
      path: loc,
      apiVersions: meshApiVersions.revisions,
      handler: async (ctx) => ok({ value: [revisionProfile(ctx)] }),
    },
    {
      method: "GET",
      path: `${loc}/:mode`,
      apiVersions: meshApiVersions.revisions,
      handler: async (ctx) => {
        const profile = revisionProfile(ctx);
        if (ctx.params.mode!.toLowerCase() !== "istio") {
          throw notFound(
            `Mesh revision profile '${ctx.params.mode!}' not found.`,
            "The only service mesh mode is 'istio'.",
          );
        }
        return ok(profile);
      },
    },
    {
      method: "GET",
      path: mc,
      apiVersions: meshApiVersions.upgrades,
      handler: async (ctx) => {
        const profile = upgradeProfile(await requireCluster(platform.store, ctx));
        return ok({ value: profile === undefined ? [] : [profile] });
      },
    },
    {
      method: "GET",
      path: `${mc}/:mode`,
      apiVersions: meshApiVersions.upgrades,
      handler: async (ctx) => {
        const record = await requireCluster(platform.store, ctx);
        const profile = ctx.params.mode!.toLowerCase() === "istio" ? upgradeProfile(record) : undefined;
        if (profile === undefined) {
          throw notFound(
            `Mesh upgrade profile '${ctx.params.mode!}' of managed cluster '${record.cluster.body.name}' not found.`,
            "Enable the Istio service mesh (properties.serviceMeshProfile.mode: Istio, az aks mesh enable) first.",
          );
        }
        return ok(profile);
      },
    },
  ];
}
