/**
 * api-versions of Microsoft.Compute served for the scale sets of node resource groups: 2022-11-01 (the spec in
 * shared/azure-specs/compute, and what the az CLI 2.45 sends) to 2026-04-01 (what @azure/arm-compute 25.1.1 sends),
 * with the stable Compute versions released between them. Responses have the same shapes in all of them for the
 * properties aksemu fills.
 */
import { ApiVersionSet } from "../../arm/api-versions.js";

export const COMPUTE_VERSIONS = [
  "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-04-01",
  "2025-11-01", "2026-03-01", "2026-04-01",
]; // prettier-ignore

export const apiVersions = {
  scaleSets: new ApiVersionSet("Microsoft.Compute/virtualMachineScaleSets", COMPUTE_VERSIONS),
  scaleSetVms: new ApiVersionSet("Microsoft.Compute/virtualMachineScaleSets/virtualMachines", COMPUTE_VERSIONS),
  scaleSetExtensions: new ApiVersionSet("Microsoft.Compute/virtualMachineScaleSets/extensions", COMPUTE_VERSIONS),
  operations: new ApiVersionSet("Microsoft.Compute/locations/operations", COMPUTE_VERSIONS),
};
