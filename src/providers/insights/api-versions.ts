/**
 * api-versions of Microsoft.Insights/eventtypes (the activity log). 2015-04-01 is the spec in shared/azure-specs and
 * what `az monitor activity-log list` and `@azure/arm-monitor` send; 2017-03-01-preview is the other version ARM
 * lists for the type.
 */
import { ApiVersionSet } from "../../arm/api-versions.js";

export const apiVersions = {
  eventTypes: new ApiVersionSet("Microsoft.Insights/eventtypes", ["2015-04-01", "2017-03-01-preview"]),
};
