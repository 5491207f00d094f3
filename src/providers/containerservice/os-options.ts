/**
 * `GET /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{l}/osOptions/default`
 * (`ManagedClusters_GetOSOptions`): the OS types a node pool can run and whether a FIPS-enabled image exists for each.
 * AKS offers FIPS images for Linux and Windows node pools alike. The operation is in the specs up to
 * 2024-04-02-preview and gone from 2025-10-01, so it is served on the api-versions up to that one.
 */
import { ApiVersionSet } from "../../arm/api-versions.js";
import { ok, type OperationRoute } from "../../arm/handler.js";
import { AKS_VERSIONS } from "./api-versions.js";
import { requireLocation } from "./locations.js";

export const osOptionsApiVersions = new ApiVersionSet(
  "Microsoft.ContainerService/locations/osOptions",
  AKS_VERSIONS.filter((v) => v.slice(0, 10) <= "2024-04-02"),
);

export function osOptionsRoutes(): OperationRoute[] {
  return [
    {
      method: "GET",
      path: "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/locations/:location/osOptions/default",
      apiVersions: osOptionsApiVersions,
      handler: async (ctx) => {
        const location = requireLocation(ctx, "locations/osOptions", osOptionsApiVersions);
        return ok({
          id: `/subscriptions/${ctx.params.subscriptionId!}/providers/Microsoft.ContainerService/locations/${location}/osOptions/default`,
          name: "default",
          type: "Microsoft.ContainerService/locations/osOptions",
          properties: {
            osOptionPropertyList: [
              { "os-type": "Linux", "enable-fips-image": false },
              { "os-type": "Linux", "enable-fips-image": true },
              { "os-type": "Windows", "enable-fips-image": false },
              { "os-type": "Windows", "enable-fips-image": true },
            ],
          },
        });
      },
    },
  ];
}
