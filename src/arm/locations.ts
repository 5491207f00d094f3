/** Azure public-cloud regions that aksemu accepts, as ARM names them (`name`) and shows them (`displayName`). */
export const REGIONS: readonly { name: string; displayName: string; geography: string }[] = [
  { name: "eastus", displayName: "East US", geography: "United States" },
  { name: "eastus2", displayName: "East US 2", geography: "United States" },
  { name: "southcentralus", displayName: "South Central US", geography: "United States" },
  { name: "westus2", displayName: "West US 2", geography: "United States" },
  { name: "westus3", displayName: "West US 3", geography: "United States" },
  { name: "australiaeast", displayName: "Australia East", geography: "Australia" },
  { name: "southeastasia", displayName: "Southeast Asia", geography: "Asia Pacific" },
  { name: "northeurope", displayName: "North Europe", geography: "Europe" },
  { name: "swedencentral", displayName: "Sweden Central", geography: "Sweden" },
  { name: "uksouth", displayName: "UK South", geography: "United Kingdom" },
  { name: "westeurope", displayName: "West Europe", geography: "Europe" },
  { name: "centralus", displayName: "Central US", geography: "United States" },
  { name: "southafricanorth", displayName: "South Africa North", geography: "South Africa" },
  { name: "centralindia", displayName: "Central India", geography: "India" },
  { name: "eastasia", displayName: "East Asia", geography: "Asia Pacific" },
  { name: "japaneast", displayName: "Japan East", geography: "Japan" },
  { name: "koreacentral", displayName: "Korea Central", geography: "Korea" },
  { name: "canadacentral", displayName: "Canada Central", geography: "Canada" },
  { name: "francecentral", displayName: "France Central", geography: "France" },
  { name: "germanywestcentral", displayName: "Germany West Central", geography: "Germany" },
  { name: "norwayeast", displayName: "Norway East", geography: "Norway" },
  { name: "switzerlandnorth", displayName: "Switzerland North", geography: "Switzerland" },
  { name: "uaenorth", displayName: "UAE North", geography: "UAE" },
  { name: "brazilsouth", displayName: "Brazil South", geography: "Brazil" },
  { name: "northcentralus", displayName: "North Central US", geography: "United States" },
  { name: "westus", displayName: "West US", geography: "United States" },
  { name: "westcentralus", displayName: "West Central US", geography: "United States" },
  { name: "centraluseuap", displayName: "Central US EUAP", geography: "United States" },
  { name: "eastus2euap", displayName: "East US 2 EUAP", geography: "United States" },
  { name: "ukwest", displayName: "UK West", geography: "United Kingdom" },
  { name: "japanwest", displayName: "Japan West", geography: "Japan" },
  { name: "australiasoutheast", displayName: "Australia Southeast", geography: "Australia" },
  { name: "canadaeast", displayName: "Canada East", geography: "Canada" },
  { name: "koreasouth", displayName: "Korea South", geography: "Korea" },
  { name: "southindia", displayName: "South India", geography: "India" },
];

/**
 * Azure's canary regions (EUAP: early updates access program), where Azure deploys each service release before any
 * other region.
 */
const CANARY_REGIONS: ReadonlySet<string> = new Set(["centraluseuap", "eastus2euap"]);

/** Whether `location` (canonical or display name) is one of Azure's canary regions. */
export function isCanaryRegion(location: string): boolean {
  return CANARY_REGIONS.has(normalizeLocation(location) ?? location.toLowerCase());
}

const byKey = new Map<string, string>();
for (const r of REGIONS) {
  byKey.set(r.name, r.name);
  byKey.set(r.displayName.toLowerCase().replace(/\s+/g, ""), r.name);
}

/** The canonical region name for `East US`, `eastus` or `EastUS`; undefined for an unknown region. */
export function normalizeLocation(location: string): string | undefined {
  return byKey.get(location.toLowerCase().replace(/\s+/g, ""));
}
