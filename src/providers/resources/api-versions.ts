/**
 * api-versions served for Microsoft.Resources types. The specs in shared/azure-specs cover 2021-04-01 and 2025-04-01
 * (resource groups, providers) and 2019-11-01 / 2022-12-01 (subscriptions); the rest are the versions ARM lists in its
 * own InvalidApiVersionParameter answers, which real clients of every age send (az 2.45 sends 2021-04-01 and
 * 2019-11-01; @azure/arm-resources 8 sends 2025-04-01; @azure/arm-resources-subscriptions sends 2022-12-01).
 */
import { ApiVersionSet } from "../../arm/api-versions.js";

const RESOURCES_VERSIONS = [
  "2025-04-01", "2025-03-01", "2024-11-01", "2024-07-01", "2024-03-01", "2023-07-01", "2022-09-01", "2022-05-01",
  "2022-01-01", "2021-04-01", "2021-01-01", "2020-10-01", "2020-09-01", "2020-08-01", "2020-07-01", "2020-06-01",
  "2020-05-01", "2020-01-01", "2019-11-01", "2019-10-01", "2019-09-01", "2019-08-01", "2019-07-01", "2019-06-01",
  "2019-05-10", "2019-05-01", "2019-03-01", "2018-11-01", "2018-09-01", "2018-08-01", "2018-07-01", "2018-06-01",
  "2018-05-01", "2018-02-01", "2018-01-01", "2017-12-01", "2017-08-01", "2017-06-01", "2017-05-10", "2017-05-01",
  "2017-03-01", "2016-09-01", "2016-07-01", "2016-06-01", "2016-02-01", "2015-11-01", "2015-01-01", "2014-04-01",
]; // prettier-ignore

const SUBSCRIPTION_VERSIONS = [
  "2022-12-01", "2022-09-01", "2022-01-01", "2021-01-01", "2020-01-01", "2019-11-01", "2019-10-01", "2019-09-01",
  "2019-08-01", "2019-07-01", "2019-06-01", "2019-05-10", "2019-05-01", "2019-03-01", "2018-11-01", "2018-09-01",
  "2018-08-01", "2018-07-01", "2018-06-01", "2018-05-01", "2018-02-01", "2018-01-01", "2017-12-01", "2017-08-01",
  "2017-06-01", "2017-05-10", "2017-05-01", "2017-03-01", "2016-09-01", "2016-07-01", "2016-06-01", "2016-02-01",
  "2015-11-01", "2015-01-01", "2014-04-01",
]; // prettier-ignore

export const apiVersions = {
  resourceGroups: new ApiVersionSet("Microsoft.Resources/resourceGroups", RESOURCES_VERSIONS),
  providers: new ApiVersionSet("Microsoft.Resources/providers", RESOURCES_VERSIONS),
  operationResults: new ApiVersionSet("Microsoft.Resources/operationResults", RESOURCES_VERSIONS),
  resources: new ApiVersionSet("Microsoft.Resources/resources", RESOURCES_VERSIONS),
  subscriptions: new ApiVersionSet("Microsoft.Resources/subscriptions", SUBSCRIPTION_VERSIONS),
  tenants: new ApiVersionSet("Microsoft.Resources/tenants", SUBSCRIPTION_VERSIONS),
  locations: new ApiVersionSet("Microsoft.Resources/subscriptions/locations", SUBSCRIPTION_VERSIONS),
};
