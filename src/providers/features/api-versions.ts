/**
 * api-versions served for Microsoft.Features. The spec in shared/azure-specs/features is 2021-07-01, which az 2.45
 * sends; 2015-12-01 and 2014-08-01-preview are the older versions ARM still lists for the namespace.
 */
import { ApiVersionSet } from "../../arm/api-versions.js";

const FEATURE_VERSIONS = ["2021-07-01", "2015-12-01", "2014-08-01-preview"];

export const apiVersions = {
  features: new ApiVersionSet("Microsoft.Features/features", FEATURE_VERSIONS),
  providerFeatures: new ApiVersionSet("Microsoft.Features/providers/features", FEATURE_VERSIONS),
  operations: new ApiVersionSet("Microsoft.Features/operations", FEATURE_VERSIONS),
};
