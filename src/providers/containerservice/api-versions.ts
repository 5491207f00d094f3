/**
 * api-versions served for Microsoft.ContainerService. Stable AKS versions from 2022-11-01 (the az CLI 2.45's) to
 * 2026-06-01 (what the current @azure/arm-containerservice sends); the specs in shared/azure-specs cover 2022-11-01,
 * 2024-04-02-preview and 2025-10-01, and responses are shaped after the newest of those not after the requested one.
 * The location-level `orchestrators` API and the async-operation status URLs keep their own old versions.
 */
import { ApiVersionSet } from "../../arm/api-versions.js";

/** Stable (and a few preview) api-versions of managedClusters and its child types. */
export const AKS_VERSIONS = [
  "2022-11-01", "2022-11-02-preview", "2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01",
  "2023-06-01", "2023-07-01", "2023-08-01", "2023-09-01", "2023-10-01", "2023-11-01", "2024-01-01", "2024-02-01",
  "2024-04-02-preview", "2024-05-01", "2024-06-01", "2024-07-01", "2024-08-01", "2024-09-01", "2024-10-01",
  "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01",
  "2025-09-01", "2025-10-01", "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01",
]; // prettier-ignore

export const apiVersions = {
  managedClusters: new ApiVersionSet("Microsoft.ContainerService/managedClusters", AKS_VERSIONS),
  agentPools: new ApiVersionSet("Microsoft.ContainerService/managedClusters/agentPools", AKS_VERSIONS),
  maintenanceConfigurations: new ApiVersionSet(
    "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
    AKS_VERSIONS,
  ),
  kubernetesVersions: new ApiVersionSet("Microsoft.ContainerService/locations/kubernetesVersions", AKS_VERSIONS),
  orchestrators: new ApiVersionSet("Microsoft.ContainerService/locations/orchestrators", [
    "2017-09-30", "2019-04-01", "2019-06-01", "2019-08-01", "2019-10-01", "2019-11-01", "2020-01-01", "2020-02-01",
    "2020-03-01", "2020-04-01", "2020-06-01", "2020-07-01", "2020-09-01", "2020-11-01", "2020-12-01", "2021-02-01",
    "2021-03-01", "2021-05-01", "2021-07-01", "2021-08-01", "2021-09-01", "2021-10-01", "2022-01-01", "2022-02-01",
    "2022-03-01", "2022-04-01", "2022-06-01", "2022-07-01", "2022-08-01", "2022-09-01", "2022-11-01", "2023-01-01",
  ]), // prettier-ignore
  /** The async-operation status and result URLs (`.../locations/{l}/operations/{id}`, `.../operationresults/{id}`). */
  operations: new ApiVersionSet("Microsoft.ContainerService/locations/operations", [
    "2016-03-30", "2017-08-31", ...AKS_VERSIONS,
  ]), // prettier-ignore
  /** `GET /providers/Microsoft.ContainerService/operations`. */
  providerOperations: new ApiVersionSet("Microsoft.ContainerService/operations", AKS_VERSIONS),
};
