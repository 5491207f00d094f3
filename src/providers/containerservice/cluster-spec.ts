/**
 * A managed cluster's properties from a request: validation and the defaults AKS fills (network profile, identity,
 * FQDNs, node resource group, SKU, support plan...). Compare shared/aks-data/real-samples/ and the recordings.
 * Agent pools are planned separately (pool-spec.ts); this module leaves `agentPoolProfiles` out.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ArmError } from "../../arm/errors.js";
import { isObject, optionalBoolean, optionalObject, optionalString, type JsonObject } from "../../arm/body.js";
import { aksErrors } from "./errors.js";
import type { ClusterBody, ClusterProperties } from "./model.js";
import { describesNetworkPluginMode } from "./shapes.js";
import { behaviourSince } from "./state.js";
import { enumValue, validateDnsPrefix } from "./validation.js";
import { compareVersions } from "./versions/index.js";

const NETWORK_PLUGINS = ["azure", "kubenet", "none"] as const;
const OUTBOUND_TYPES = ["loadBalancer", "userDefinedRouting", "managedNATGateway", "userAssignedNATGateway", "none"] as const; // prettier-ignore
const UPGRADE_CHANNELS = ["rapid", "stable", "patch", "node-image", "none"] as const;
const NODE_OS_CHANNELS = ["None", "Unmanaged", "NodeImage", "SecurityPatch"] as const;
const TIERS = ["Free", "Standard", "Premium"] as const;
export const SUPPORT_PLANS = ["KubernetesOfficial", "AKSLongTermSupport"] as const;

/** Properties the server owns: a request cannot set them (they are ignored, as AKS ignores them). */
const SERVER_OWNED = new Set([
  "provisioningState",
  "powerState",
  "currentKubernetesVersion",
  "fqdn",
  "azurePortalFQDN",
  "privateFQDN",
  "maxAgentPools",
  "resourceUID",
  "agentPoolProfiles",
  "identityProfile",
  "status",
]);

function lowerAlnum(n: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(n);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** A 24-hex resource UID like AKS's (`6572b695bf18890001b7f83d`: seconds, then random). */
function resourceUid(nowMs: number): string {
  return (
    Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, "0") + randomBytes(8).toString("hex")
  );
}

/** `MC_<rg>_<cluster>_<location>`, cut to ARM's 80-character limit for group names. */
export function defaultNodeResourceGroup(resourceGroup: string, name: string, location: string): string {
  return `MC_${resourceGroup}_${name}_${location}`.slice(0, 80);
}

/** AKS's own dnsPrefix when the request has none: `<name>-<rg>-<sub6>`. */
export function defaultDnsPrefix(name: string, resourceGroup: string, subscriptionId: string): string {
  const clean = (s: string, n: number): string => s.replace(/[^a-zA-Z0-9-]/g, "").slice(0, n);
  let prefix = `${clean(name, 10)}-${clean(resourceGroup, 16)}-${subscriptionId.slice(0, 6)}`;
  prefix = prefix.replace(/^-+/, "").replace(/-+$/, "");
  return prefix === "" ? "aks" : prefix;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function cidr(text: string, target: string): { base: number; bits: number } {
  const [addr, len] = text.split("/");
  const base = addr === undefined ? undefined : ipv4(addr);
  const bits = Number(len);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw aksErrors.invalidParameter(`'${text}' is not a valid IPv4 CIDR (for example 10.0.0.0/16).`, target);
  }
  return { base, bits };
}

function inCidr(ip: number, range: { base: number; bits: number }): boolean {
  const size = 2 ** (32 - range.bits);
  const start = Math.floor(range.base / size) * size;
  return ip >= start && ip < start + size;
}

export interface ClusterSpecContext {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  clusterId: string;
  tenantId: string;
  nowMs: number;
  existing: ClusterBody | undefined;
}

export interface ClusterSpec {
  /** The body to store, without `agentPoolProfiles`, versions and states (filled by the caller). */
  body: ClusterBody;
  lts: boolean;
  /** A new cluster that did not name its network plugin: the default depends on its version (versionDefaultNetwork). */
  networkPluginDefaulted: boolean;
  /** The raw requested kubernetesVersion (`""`/undefined = default or unchanged). */
  requestedVersion: string | undefined;
  autoUpgradeChannel: string | undefined;
}

function immutable(existing: unknown, next: unknown, path: string): void {
  if (existing !== undefined && next !== undefined && JSON.stringify(existing) !== JSON.stringify(next)) {
    throw new ArmError(
      400,
      "PropertyChangeNotAllowed",
      `Changing property '${path}' is not allowed. It can only be set when the cluster is created.`,
      { target: path },
    );
  }
}

export function planCluster(input: JsonObject, ctx: ClusterSpecContext): ClusterSpec {
  const existing = ctx.existing;
  const ex = existing?.properties;
  const props = optionalObject(input, "properties", "properties") ?? {};
  const t = (k: string): string => `properties.${k}`;

  // dnsPrefix / fqdnSubdomain.
  const dnsPrefixIn = optionalString(props, "dnsPrefix", t("dnsPrefix"));
  const fqdnSubdomain = optionalString(props, "fqdnSubdomain", t("fqdnSubdomain"));
  if (dnsPrefixIn !== undefined && dnsPrefixIn !== "") validateDnsPrefix(dnsPrefixIn);
  if (dnsPrefixIn !== undefined && dnsPrefixIn !== "" && fqdnSubdomain !== undefined && fqdnSubdomain !== "") {
    throw aksErrors.invalidParameter("Set either properties.dnsPrefix or properties.fqdnSubdomain, not both.", t("dnsPrefix")); // prettier-ignore
  }
  const dnsPrefix =
    dnsPrefixIn !== undefined && dnsPrefixIn !== ""
      ? dnsPrefixIn
      : (ex?.dnsPrefix ?? (fqdnSubdomain === undefined ? defaultDnsPrefix(ctx.name, ctx.resourceGroup, ctx.subscriptionId) : "")); // prettier-ignore
  if (ex !== undefined && dnsPrefixIn !== undefined && dnsPrefixIn !== "") immutable(ex.dnsPrefix, dnsPrefixIn, t("dnsPrefix")); // prettier-ignore

  // Node resource group.
  const nodeRgIn = optionalString(props, "nodeResourceGroup", t("nodeResourceGroup"));
  if (nodeRgIn !== undefined && nodeRgIn !== "" && !/^[-\w._()]{1,80}$/.test(nodeRgIn)) {
    throw aksErrors.invalidParameter(`The node resource group name '${nodeRgIn}' is invalid: 1-80 letters, digits, '_', '-', '.', '(' and ')'.`, t("nodeResourceGroup")); // prettier-ignore
  }
  if (ex !== undefined && nodeRgIn !== undefined && nodeRgIn !== "") immutable(ex.nodeResourceGroup, nodeRgIn, t("nodeResourceGroup")); // prettier-ignore
  const nodeResourceGroup =
    ex?.nodeResourceGroup ??
    (nodeRgIn !== undefined && nodeRgIn !== "" ? nodeRgIn : defaultNodeResourceGroup(ctx.resourceGroup, ctx.name, ctx.location)); // prettier-ignore

  // SKU and support plan.
  const skuIn = optionalObject(input, "sku", "sku");
  let tier = optionalString(skuIn ?? {}, "tier", "sku.tier");
  if (tier?.toLowerCase() === "paid") tier = "Standard";
  const skuTier = enumValue(tier, TIERS, "sku.tier") ?? existing?.sku.tier ?? "Free";
  const skuNameIn = optionalString(skuIn ?? {}, "name", "sku.name");
  const skuName =
    skuNameIn === undefined || /^(basic|base)$/i.test(skuNameIn)
      ? "Base"
      : enumValue(skuNameIn, ["Base", "Automatic"] as const, "sku.name")!;
  const supportPlan =
    enumValue(optionalString(props, "supportPlan", t("supportPlan")), SUPPORT_PLANS, t("supportPlan")) ??
    ex?.supportPlan ??
    "KubernetesOfficial";
  if (supportPlan === "AKSLongTermSupport" && skuTier !== "Premium") {
    throw aksErrors.badRequest(
      "Long term support (supportPlan AKSLongTermSupport) is only available on the Premium tier. Set sku.tier to Premium, or use supportPlan KubernetesOfficial.",
      t("supportPlan"),
    );
  }

  // Network profile.
  const netIn = optionalObject(props, "networkProfile", t("networkProfile")) ?? {};
  const exNet = (ex?.networkProfile as JsonObject | undefined) ?? undefined;
  const pluginIn = enumValue(optionalString(netIn, "networkPlugin", t("networkProfile.networkPlugin")), NETWORK_PLUGINS, t("networkProfile.networkPlugin")); // prettier-ignore
  const pluginModeIn = enumValue(optionalString(netIn, "networkPluginMode", t("networkProfile.networkPluginMode")), ["overlay"] as const, t("networkProfile.networkPluginMode")); // prettier-ignore
  // The one plugin change AKS allows: a kubenet cluster migrates to Azure CNI Overlay.
  const toOverlay = exNet?.networkPlugin === "kubenet" && pluginIn === "azure" && pluginModeIn === "overlay";
  if (exNet !== undefined && pluginIn !== undefined && !toOverlay) immutable(exNet.networkPlugin, pluginIn, t("networkProfile.networkPlugin")); // prettier-ignore
  const networkPlugin = toOverlay ? "azure" : ((exNet?.networkPlugin as string | undefined) ?? pluginIn ?? "kubenet");
  const networkPluginMode = pluginModeIn ?? (exNet?.networkPluginMode as string | undefined);
  if (networkPluginMode === "overlay" && networkPlugin !== "azure") {
    throw aksErrors.invalidParameter("networkPluginMode overlay requires networkPlugin azure.", t("networkProfile.networkPluginMode")); // prettier-ignore
  }
  const policyIn = enumValue(optionalString(netIn, "networkPolicy", t("networkProfile.networkPolicy")), ["none", "calico", "azure", "cilium"] as const, t("networkProfile.networkPolicy")); // prettier-ignore
  const dataplaneIn = enumValue(optionalString(netIn, "networkDataplane", t("networkProfile.networkDataplane")), ["azure", "cilium"] as const, t("networkProfile.networkDataplane")); // prettier-ignore
  const outboundType =
    enumValue(optionalString(netIn, "outboundType", t("networkProfile.outboundType")), OUTBOUND_TYPES, t("networkProfile.outboundType")) ?? // prettier-ignore
    (exNet?.outboundType as string | undefined) ??
    "loadBalancer";
  // The request's spelling is echoed; AKS writes "Standard" / "Basic" once the operation completes (finalizeCluster).
  const lbSkuIn = optionalString(netIn, "loadBalancerSku", t("networkProfile.loadBalancerSku"));
  enumValue(lbSkuIn, ["standard", "basic"] as const, t("networkProfile.loadBalancerSku"));
  const lbSkuText = lbSkuIn ?? (exNet?.loadBalancerSku as string | undefined) ?? "Standard";
  const lbSku = lbSkuText.toLowerCase();
  const serviceCidr = optionalString(netIn, "serviceCidr", t("networkProfile.serviceCidr")) ?? firstIpv4(netIn.serviceCidrs) ?? (exNet?.serviceCidr as string | undefined) ?? "10.0.0.0/16"; // prettier-ignore
  const dnsServiceIP = optionalString(netIn, "dnsServiceIP", t("networkProfile.dnsServiceIP")) ?? (exNet?.dnsServiceIP as string | undefined) ?? "10.0.0.10"; // prettier-ignore
  const svcRange = cidr(serviceCidr, t("networkProfile.serviceCidr"));
  const dnsIp = ipv4(dnsServiceIP);
  if (dnsIp === undefined || !inCidr(dnsIp, svcRange)) {
    throw new ArmError(
      400,
      "DnsServiceIpOutOfServiceCidr",
      `The DNS service IP ${dnsServiceIP} is not within the service CIDR ${serviceCidr}. Choose a dnsServiceIP inside serviceCidr (for example the .10 address).`,
      { target: t("networkProfile.dnsServiceIP") },
    );
  }
  const usesPodCidr = networkPlugin === "kubenet" || networkPluginMode === "overlay";
  const podCidrIn = optionalString(netIn, "podCidr", t("networkProfile.podCidr")) ?? firstIpv4(netIn.podCidrs);
  const podCidr = usesPodCidr ? (podCidrIn ?? (exNet?.podCidr as string | undefined) ?? "10.244.0.0/16") : undefined;
  if (podCidr !== undefined) cidr(podCidr, t("networkProfile.podCidr"));
  const network: JsonObject = {
    ...netIn,
    networkPlugin,
    loadBalancerSku: lbSkuText,
    outboundType,
    serviceCidr,
    dnsServiceIP,
  };
  if (networkPluginMode !== undefined) network.networkPluginMode = networkPluginMode;
  if (networkPlugin === "azure" && network.networkDataplane === undefined) {
    network.networkDataplane = (exNet?.networkDataplane as string | undefined) ?? "azure";
  }
  // The network policy: Cilium's dataplane enforces its own; since mid-2024 AKS writes "none" when none was asked.
  if (policyIn === undefined) {
    const exPolicy = exNet?.networkPolicy as string | undefined;
    if (exPolicy !== undefined) network.networkPolicy = exPolicy;
    else if (ex === undefined && (dataplaneIn ?? network.networkDataplane) === "cilium")
      network.networkPolicy = "cilium";
    else if (ex === undefined && behaviourSince("networkPolicyNoneByDefault", ctx.nowMs))
      network.networkPolicy = "none";
  }
  const advanced = advancedNetworking(netIn, exNet, network.networkDataplane === "cilium");
  if (advanced !== undefined) network.advancedNetworking = advanced;
  network.ipFamilies = Array.isArray(netIn.ipFamilies) ? netIn.ipFamilies : ((exNet?.ipFamilies as unknown[] | undefined) ?? ["IPv4"]); // prettier-ignore
  const dualStack = (network.ipFamilies as unknown[]).includes("IPv6");
  // Dual-stack: an IPv6 range follows each IPv4 one; AKS draws a unique local (fdxx:) range when none is sent.
  const ranges = (key: string, v4: string, ipv6Bits: number): string[] => {
    const sent = Array.isArray(netIn[key]) ? (netIn[key] as unknown[]).filter((x): x is string => typeof x === "string") : undefined; // prettier-ignore
    const before = Array.isArray(exNet?.[key]) ? (exNet[key] as string[]) : undefined;
    const list = sent !== undefined && sent.length > 0 ? [v4, ...sent.filter((x) => x.includes(":"))] : [v4, ...(before ?? []).filter((x) => x.includes(":"))]; // prettier-ignore
    if (dualStack && !list.some((x) => x.includes(":"))) list.push(`${ulaPrefix()}::/${ipv6Bits}`);
    return dualStack ? list : [v4];
  };
  if (podCidr !== undefined) {
    network.podCidr = podCidr;
    network.podCidrs = ranges("podCidrs", podCidr, 64);
  } else {
    delete network.podCidr;
    delete network.podCidrs;
  }
  network.serviceCidrs = ranges("serviceCidrs", serviceCidr, 108);
  const natGateway = outboundType === "managedNATGateway" || outboundType === "userAssignedNATGateway";
  if (natGateway && lbSku === "standard") {
    // Outbound through a NAT gateway: the (inbound-only) load balancer keeps the profile sent, or the current one
    // (`{}` at creation), and loses its outbound IPs on completion; a managed NAT gateway gets AKS's defaults (one
    // IP, 4 minutes) and its IPs on completion (finalizeCluster).
    const lbIn = optionalObject(netIn, "loadBalancerProfile", t("networkProfile.loadBalancerProfile"));
    network.loadBalancerProfile = lbIn ?? (exNet?.loadBalancerProfile as JsonObject | undefined) ?? {};
    // Since early 2024 AKS writes the backend pool type into that profile too (see AKS_BEHAVIOUR_CHANGES).
    if (behaviourSince("backendPoolTypeBehindNatGateway", ctx.nowMs)) {
      network.loadBalancerProfile = {
        backendPoolType: "nodeIPConfiguration",
        ...(network.loadBalancerProfile as JsonObject),
      };
    }
    if (outboundType === "managedNATGateway") {
      const natIn = optionalObject(netIn, "natGatewayProfile", t("networkProfile.natGatewayProfile"));
      const exNat = (exNet?.natGatewayProfile as JsonObject | undefined) ?? {};
      network.natGatewayProfile = { managedOutboundIPProfile: { count: 1 }, idleTimeoutInMinutes: 4, ...exNat, ...(natIn ?? {}) }; // prettier-ignore
    }
  }
  if (outboundType === "loadBalancer" && lbSku === "standard") {
    const lbIn = optionalObject(netIn, "loadBalancerProfile", t("networkProfile.loadBalancerProfile")) ?? {};
    const exLb = (exNet?.loadBalancerProfile as JsonObject | undefined) ?? {};
    const usesOwnIps = lbIn.outboundIPs !== undefined || lbIn.outboundIPPrefixes !== undefined;
    const managed = isObject(lbIn.managedOutboundIPs) ? withoutZeroIpv6(lbIn.managedOutboundIPs) : usesOwnIps ? undefined : (exLb.managedOutboundIPs ?? (dualStack ? { count: 1, countIPv6: 1 } : { count: 1 })); // prettier-ignore
    const count = isObject(managed) ? (typeof managed.count === "number" ? managed.count : 1) + (typeof managed.countIPv6 === "number" ? managed.countIPv6 : 0) : 1; // prettier-ignore
    const exEffective = Array.isArray(exLb.effectiveOutboundIPs) ? (exLb.effectiveOutboundIPs as JsonObject[]) : [];
    // Effective outbound IPs appear during a create or when an operation completes (withEffectiveOutboundIps); they
    // are kept across updates.
    const effective = usesOwnIps || exEffective.length === count ? exEffective : exEffective.slice(0, count);
    network.loadBalancerProfile = {
      ...exLb,
      ...lbIn,
      ...(managed === undefined ? {} : { managedOutboundIPs: managed }),
      backendPoolType: backendPoolType(lbIn, exLb, t("networkProfile.loadBalancerProfile.backendPoolType")),
    };
    if (effective.length > 0) (network.loadBalancerProfile as JsonObject).effectiveOutboundIPs = effective;
    else delete (network.loadBalancerProfile as JsonObject).effectiveOutboundIPs;
  }

  // Identity.
  const spIn = optionalObject(props, "servicePrincipalProfile", t("servicePrincipalProfile"));
  const spClientId = spIn === undefined ? undefined : optionalString(spIn, "clientId", t("servicePrincipalProfile.clientId")); // prettier-ignore
  const identityIn = optionalObject(input, "identity", "identity");
  const exIdentity = existing?.identity;
  let identityType =
    enumValue(optionalString(identityIn ?? {}, "type", "identity.type"), ["SystemAssigned", "UserAssigned", "None"] as const, "identity.type") ?? // prettier-ignore
    (exIdentity?.type as string | undefined);
  if (identityType === undefined) identityType = spClientId !== undefined && spClientId !== "msi" ? "None" : "SystemAssigned"; // prettier-ignore
  let identity: JsonObject | undefined;
  if (identityType === "SystemAssigned") {
    identity = {
      type: "SystemAssigned",
      principalId: exIdentity?.type === "SystemAssigned" ? exIdentity.principalId : randomUUID(),
      tenantId: exIdentity?.tenantId ?? ctx.tenantId,
    };
  } else if (identityType === "UserAssigned") {
    const uaIn = optionalObject(identityIn ?? {}, "userAssignedIdentities", "identity.userAssignedIdentities");
    const exUa = (exIdentity?.userAssignedIdentities as JsonObject | undefined) ?? {};
    const source = uaIn ?? exUa;
    if (Object.keys(source).length !== 1) {
      throw aksErrors.invalidParameter("A UserAssigned cluster identity needs exactly one entry in identity.userAssignedIdentities (the identity's resource id).", "identity.userAssignedIdentities"); // prettier-ignore
    }
    const ua: JsonObject = {};
    for (const id of Object.keys(source)) {
      const prior = Object.entries(exUa).find(([k]) => k.toLowerCase() === id.toLowerCase())?.[1];
      ua[id] = isObject(prior) ? prior : { clientId: randomUUID(), principalId: randomUUID() };
    }
    identity = { type: "UserAssigned", userAssignedIdentities: ua };
  }
  const usesMsi = identity !== undefined;
  const servicePrincipalProfile = usesMsi ? { clientId: "msi" } : { clientId: spClientId ?? "msi" };
  let identityProfile = ex?.identityProfile as JsonObject | undefined;
  if (usesMsi && identityProfile === undefined) {
    identityProfile = {
      kubeletidentity: {
        resourceId: `/subscriptions/${ctx.subscriptionId}/resourcegroups/${nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${ctx.name}-agentpool`,
        clientId: randomUUID(),
        objectId: randomUUID(),
      },
    };
  }
  const userIdentityProfile = optionalObject(props, "identityProfile", t("identityProfile"));
  if (userIdentityProfile !== undefined && ex === undefined) identityProfile = userIdentityProfile;

  // Upgrade channels, security, local accounts.
  const auIn = optionalObject(props, "autoUpgradeProfile", t("autoUpgradeProfile")) ?? {};
  const exAu = (ex?.autoUpgradeProfile as JsonObject | undefined) ?? {};
  const upgradeChannel =
    enumValue(optionalString(auIn, "upgradeChannel", t("autoUpgradeProfile.upgradeChannel")), UPGRADE_CHANNELS, t("autoUpgradeProfile.upgradeChannel")) ?? // prettier-ignore
    (exAu.upgradeChannel as string | undefined);
  const nodeOsChannel =
    enumValue(optionalString(auIn, "nodeOSUpgradeChannel", t("autoUpgradeProfile.nodeOSUpgradeChannel")), NODE_OS_CHANNELS, t("autoUpgradeProfile.nodeOSUpgradeChannel")) ?? // prettier-ignore
    (exAu.nodeOSUpgradeChannel as string | undefined) ??
    "NodeImage";
  const autoUpgradeProfile: JsonObject = { ...auIn, nodeOSUpgradeChannel: nodeOsChannel };
  // A long-term-support cluster created without a channel follows its minor's patches (AKS sets `patch`).
  const channel = upgradeChannel ?? (ex === undefined && supportPlan === "AKSLongTermSupport" ? "patch" : undefined);
  if (channel !== undefined) autoUpgradeProfile.upgradeChannel = channel;
  const disableLocalAccounts = optionalBoolean(props, "disableLocalAccounts", t("disableLocalAccounts")) ?? ex?.disableLocalAccounts ?? false; // prettier-ignore
  const enableRBAC = optionalBoolean(props, "enableRBAC", t("enableRBAC")) ?? (ex?.enableRBAC as boolean | undefined) ?? true; // prettier-ignore

  // Addons: each needs an `enabled` flag.
  const addons = optionalObject(props, "addonProfiles", t("addonProfiles"));
  if (addons !== undefined) {
    for (const [name, addon] of Object.entries(addons)) {
      if (!isObject(addon) || typeof addon.enabled !== "boolean") {
        throw aksErrors.invalidParameter(`Addon '${name}' needs a boolean 'enabled' property.`, t(`addonProfiles.${name}.enabled`)); // prettier-ignore
      }
    }
  }

  // FQDNs.
  let fqdn = ex?.fqdn;
  let portal = ex?.azurePortalFQDN;
  const domain = `hcp.${ctx.location}.azmk8s.io`;
  if (fqdn === undefined || fqdn === "") {
    const head = dnsPrefix !== "" ? `${dnsPrefix}-${lowerAlnum(8)}` : `${fqdnSubdomain ?? ctx.name}`;
    fqdn = `${head}.${domain}`;
    portal = `${head}.portal.${domain}`;
  }

  // Copy the rest as sent, then lay the server's values over it.
  const base: JsonObject = {};
  for (const [k, v] of Object.entries(props)) if (!SERVER_OWNED.has(k) && v !== undefined && v !== null) base[k] = v;
  if (isObject(base.windowsProfile)) {
    const { adminPassword: _drop, ...rest } = base.windowsProfile;
    base.windowsProfile = rest;
  }
  if (isObject(base.ingressProfile)) base.ingressProfile = keepWebAppRoutingIdentity(base.ingressProfile, ex?.ingressProfile); // prettier-ignore
  const kept: JsonObject = {};
  if (ex !== undefined) {
    for (const [k, v] of Object.entries(ex)) if (!(k in base)) kept[k] = v;
  }
  // Object.assign, not a literal that starts with spreads: V8 builds such a literal a property at a time (~30 µs).
  const properties: ClusterProperties = Object.assign({}, kept, base, {
    provisioningState: ex?.provisioningState ?? "Creating",
    powerState: ex?.powerState ?? { code: "Running" },
    kubernetesVersion: ex?.kubernetesVersion ?? "",
    currentKubernetesVersion: ex?.currentKubernetesVersion ?? "",
    dnsPrefix,
    fqdn,
    azurePortalFQDN: portal ?? `${fqdn.replace(`.${domain}`, "")}.portal.${domain}`,
    servicePrincipalProfile,
    nodeResourceGroup,
    enableRBAC,
    supportPlan,
    networkProfile: network,
    maxAgentPools: (ex?.maxAgentPools as number | undefined) ?? 100,
    autoUpgradeProfile,
    disableLocalAccounts,
    securityProfile: (base.securityProfile as JsonObject | undefined) ?? (ex?.securityProfile as JsonObject | undefined) ?? {}, // prettier-ignore
    storageProfile: storageProfile(base.storageProfile, ex?.storageProfile),
    oidcIssuerProfile: oidc(base.oidcIssuerProfile, ex?.oidcIssuerProfile, ctx),
    workloadAutoScalerProfile: (base.workloadAutoScalerProfile as JsonObject | undefined) ?? (ex?.workloadAutoScalerProfile as JsonObject | undefined) ?? {}, // prettier-ignore
    resourceUID: ex?.resourceUID ?? resourceUid(ctx.nowMs),
  });
  if (identityProfile !== undefined) properties.identityProfile = identityProfile;
  if (fqdnSubdomain !== undefined && fqdnSubdomain !== "") properties.fqdnSubdomain = fqdnSubdomain;
  if (dnsPrefix === "") delete (properties as JsonObject).dnsPrefix;
  const apiAccess = isObject(properties.apiServerAccessProfile) ? properties.apiServerAccessProfile : undefined;
  if (apiAccess?.enablePrivateCluster === true) {
    properties.apiServerAccessProfile = {
      privateDNSZone: "system",
      enablePrivateClusterPublicFQDN: true,
      ...apiAccess,
    };
    if (properties.privateFQDN === undefined) {
      properties.privateFQDN = `${dnsPrefix || ctx.name}-${lowerAlnum(8)}.${randomUUID()}.privatelink.${ctx.location}.azmk8s.io`;
      properties.azurePortalFQDN = `${randomBytes(16).toString("hex")}-priv.portal.${domain}`;
    }
    const management: JsonObject = { name: "management", type: "Microsoft.ContainerService/managedClusters/privateLinkResources", groupId: "management", requiredMembers: ["management"] }; // prettier-ignore
    // When the client sends the private link resources back (az does on every update), AKS answers with the
    // private link service of the API server in its underlay instead of the resource's id (the id returns when the
    // operation completes: finalizeCluster).
    if (Array.isArray(props.privateLinkResources) && props.privateLinkResources.length > 0) {
      management.privateLinkServiceID = `/subscriptions/${ctx.subscriptionId}/resourceGroups/hcp-underlay-${ctx.location}-cx-${1 + (randomBytes(1)[0]! % 200)}/providers/Microsoft.Network/privateLinkServices/a${randomBytes(16).toString("hex").slice(0, 31)}`; // prettier-ignore
    }
    properties.privateLinkResources = [management];
  }
  // A cluster created with Azure CNI (or no CNI) can host Windows pools: AKS gives it a Windows profile with the
  // default admin name even when none was sent (kubenet clusters, which cannot, get none).
  if (ex === undefined && properties.windowsProfile === undefined && (pluginIn === "azure" || pluginIn === "none")) {
    properties.windowsProfile = { adminUsername: "azureuser" };
  }
  if (isObject(properties.windowsProfile)) {
    const win: JsonObject = { ...properties.windowsProfile };
    if (win.enableCSIProxy === undefined) win.enableCSIProxy = true;
    // gMSA without a custom domain: AKS writes the empty DNS server and root domain it will use.
    if (isObject(win.gmsaProfile)) win.gmsaProfile = { dnsServer: "", rootDomainName: "", ...win.gmsaProfile };
    properties.windowsProfile = win;
  }
  if (isObject(properties.addonProfiles)) {
    properties.addonProfiles = addonDefaults(properties.addonProfiles, ex?.addonProfiles, ctx, nodeResourceGroup);
  }
  if (isObject(properties.serviceMeshProfile))
    properties.serviceMeshProfile = serviceMesh(properties.serviceMeshProfile);
  const autoscalerIn = props.autoScalerProfile;
  if (isObject(autoscalerIn)) {
    // A profile with settings gets AKS's defaults for the others at once; an empty one resets the profile: the
    // answer leaves it out and the operation's completion writes the defaults back (finalizeCluster).
    if (Object.keys(autoscalerIn).length > 0)
      properties.autoScalerProfile = { ...AUTOSCALER_DEFAULTS, ...autoscalerIn };
    else delete (properties as JsonObject).autoScalerProfile;
  }
  if (
    isObject(properties.aadProfile) &&
    properties.aadProfile.managed === true &&
    properties.aadProfile.tenantID === undefined
  ) {
    // prettier-ignore
    properties.aadProfile = { ...properties.aadProfile, tenantID: ctx.tenantId };
  }
  if (properties.metricsProfile === undefined) properties.metricsProfile = { costAnalysis: { enabled: false } };

  const tags = existing?.tags;
  const body: ClusterBody = {
    id: ctx.clusterId,
    location: ctx.location,
    name: ctx.name,
    type: "Microsoft.ContainerService/ManagedClusters",
    ...(tags === undefined ? {} : { tags }),
    properties,
    ...(identity === undefined ? {} : { identity }),
    sku: { name: skuName, tier: skuTier },
  };
  if (input.kind !== undefined) body.kind = input.kind;
  const extendedLocation = isObject(input.extendedLocation) ? input.extendedLocation : existing?.extendedLocation;
  // AKS writes the extended location's type in lower case (`EdgeZone` sent, `edgezone` answered).
  if (isObject(extendedLocation)) {
    body.extendedLocation = typeof extendedLocation.type === "string" ? { ...extendedLocation, type: extendedLocation.type.toLowerCase() } : extendedLocation; // prettier-ignore
  }
  return {
    body,
    lts: supportPlan === "AKSLongTermSupport",
    networkPluginDefaulted: ex === undefined && pluginIn === undefined,
    requestedVersion: optionalString(props, "kubernetesVersion", t("kubernetesVersion")),
    autoUpgradeChannel: channel,
  };
}

/**
 * The load balancer's backend pool type as AKS writes it: the spec's `NodeIPConfiguration` / `NodeIP` in lower camel
 * case, whatever the request's spelling (recording test_aks_create_loadbalancer_then_update: `NodeIPConfiguration`
 * sent, `nodeIPConfiguration` answered, as in every recorded answer); the current one, or `nodeIPConfiguration`, when
 * none is sent.
 */
function backendPoolType(lbIn: JsonObject, exLb: JsonObject, path: string): string {
  const sent = optionalString(lbIn, "backendPoolType", path);
  if (sent === undefined) return (exLb.backendPoolType as string | undefined) ?? "nodeIPConfiguration";
  const canonical = enumValue(sent, ["NodeIPConfiguration", "NodeIP"] as const, path)!;
  return canonical.charAt(0).toLowerCase() + canonical.slice(1);
}

/** Managed outbound IPs without a zero `countIPv6`, which AKS leaves out of its answer (`{count: 2, countIPv6: 0}` sent, `{count: 2}` answered). */
function withoutZeroIpv6(managed: JsonObject): JsonObject {
  if (managed.countIPv6 !== 0) return managed;
  const { countIPv6: _zero, ...rest } = managed;
  return rest;
}

/**
 * Advanced Container Networking Services (`networkProfile.advancedNetworking`), as sent or as it was. `enabled` turns
 * on every feature the request does not turn off, each time it is sent (the spec's AdvancedNetworking; recordings
 * test_aks_create_with_enable_acns_complex, test_aks_update_enable_acns: an update with only `enabled: true` turns a
 * disabled security back on). Security (FQDN policies) needs the Cilium dataplane, so it stays off without it; turned
 * off, everything is off.
 */
function advancedNetworking(netIn: JsonObject, exNet: JsonObject | undefined, cilium: boolean): JsonObject | undefined {
  const path = "properties.networkProfile.advancedNetworking";
  const sent = optionalObject(netIn, "advancedNetworking", path);
  if (sent === undefined) return exNet?.advancedNetworking as JsonObject | undefined;
  const enabled = optionalBoolean(sent, "enabled", `${path}.enabled`) ?? false;
  const feature = (name: "observability" | "security", byDefault: boolean): JsonObject => {
    const part = optionalObject(sent, name, `${path}.${name}`) ?? {};
    const asked = optionalBoolean(part, "enabled", `${path}.${name}.enabled`);
    return Object.assign({}, part, { enabled: enabled && (asked ?? byDefault) });
  };
  const security = feature("security", cilium);
  if (security.enabled === true && !cilium) {
    throw aksErrors.badRequest(
      "Advanced Networking security (FQDN filtering) needs the Cilium dataplane. Set networkProfile.networkDataplane to cilium, or advancedNetworking.security.enabled to false.",
      `${path}.security.enabled`,
    );
  }
  return { enabled, observability: feature("observability", true), security };
}

/**
 * The network of a new cluster that did not name its plugin, once its Kubernetes version is known. Since AKS's release
 * of 2024-10-25 (Azure/AKS CHANGELOG: "Azure CNI Overlay is now the default networking configuration") the default
 * follows the version, not the api-version: Azure CNI Overlay from 1.30, kubenet below (Azure/azure-rest-api-specs#30844).
 * Recorded: a 1.31.1 cluster got Azure CNI Overlay on 2024-11-20, a 1.29.9 one kubenet on 2024-11-21. The pools' default
 * maxPods follow the plugin (250 with Overlay). `apiVersion`: the request's (undefined: the newest).
 */
export function versionDefaultNetwork(spec: ClusterSpec, version: string, nowMs: number, apiVersion?: string): void {
  if (!spec.networkPluginDefaulted || compareVersions(version, "1.30") < 0) return;
  // A client on an api-version that cannot describe Overlay keeps that api-version's default, kubenet.
  if (apiVersion !== undefined && !describesNetworkPluginMode(apiVersion)) return;
  if (!behaviourSince("overlayByDefaultFrom130", nowMs)) return;
  const network = spec.body.properties.networkProfile as JsonObject;
  network.networkPlugin = "azure";
  network.networkPluginMode = "overlay";
  network.networkDataplane ??= "azure";
}

function oidc(input: unknown, existing: unknown, ctx: ClusterSpecContext): JsonObject {
  const enabled = isObject(input) && input.enabled === true;
  if (isObject(existing) && existing.enabled === true) return existing;
  if (!enabled) return { enabled: false };
  return {
    enabled: true,
    issuerURL: `https://${ctx.location}.oic.prod-aks.azure.com/${ctx.tenantId}/${randomUUID()}/`,
  };
}

/** The cluster autoscaler's settings as AKS fills them (the recordings of `az aks create --enable-cluster-autoscaler`). */
export const AUTOSCALER_DEFAULTS: Readonly<Record<string, string>> = {
  "balance-similar-node-groups": "false",
  expander: "random",
  "max-empty-bulk-delete": "10",
  "max-graceful-termination-sec": "600",
  "max-node-provision-time": "15m",
  "max-total-unready-percentage": "45",
  "new-pod-scale-up-delay": "0s",
  "ok-total-unready-count": "3",
  "scale-down-delay-after-add": "10m",
  "scale-down-delay-after-delete": "10s",
  "scale-down-delay-after-failure": "3m",
  "scale-down-unneeded-time": "10m",
  "scale-down-unready-time": "20m",
  "scale-down-utilization-threshold": "0.5",
  "scan-interval": "10s",
  "skip-nodes-with-local-storage": "false",
  "skip-nodes-with-system-pods": "true",
};

/**
 * The service mesh profile as AKS writes it: with Istio, `components` is always there (`{}` when none is set) and an
 * ingress gateway's `enabled: false` is left out; a disabled mesh keeps only its mode.
 */
function serviceMesh(mesh: JsonObject): JsonObject {
  if (mesh.mode === "Disabled") return { mode: "Disabled" };
  if (mesh.mode !== "Istio") return mesh;
  const istio: JsonObject = isObject(mesh.istio) ? { ...mesh.istio } : {};
  const components: JsonObject = isObject(istio.components) ? { ...istio.components } : {};
  if (Array.isArray(components.ingressGateways)) {
    components.ingressGateways = components.ingressGateways.map((g) => {
      if (!isObject(g) || g.enabled !== false) return g;
      const { enabled: _off, ...rest } = g;
      return rest;
    });
  }
  return { ...mesh, istio: { ...istio, components } };
}

const CSI_DEFAULTS = ["diskCSIDriver", "fileCSIDriver", "snapshotController"] as const;

/**
 * The storage profile: each driver the request names is set as sent, the others keep their current value (at
 * creation: the disk and file CSI drivers and the snapshot controller are on; the blob driver appears once asked for).
 */
function storageProfile(input: unknown, existing: unknown): JsonObject {
  const out: JsonObject = {};
  for (const k of CSI_DEFAULTS) out[k] = { enabled: true };
  if (isObject(existing)) Object.assign(out, existing);
  if (isObject(input)) for (const [k, v] of Object.entries(input)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** Values AKS derives for enabled addons: the HTTP application routing DNS zone, the application gateway's id. */
function addonDefaults(addons: JsonObject, existing: unknown, ctx: ClusterSpecContext, nodeRg: string): JsonObject {
  const out: JsonObject = {};
  const prior = (name: string): JsonObject | undefined => {
    if (!isObject(existing)) return undefined;
    const hit = Object.entries(existing).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    return isObject(hit) ? hit : undefined;
  };
  for (const [name, raw] of Object.entries(addons)) {
    if (!isObject(raw) || raw.enabled !== true) {
      out[name] = raw;
      continue;
    }
    const addon: JsonObject = { ...raw };
    const config: JsonObject = isObject(raw.config) ? { ...raw.config } : {};
    const key = name.toLowerCase();
    if (key === "httpapplicationrouting" && typeof config.HTTPApplicationRoutingZoneName !== "string") {
      const before = prior(name)?.config;
      const zone = isObject(before) ? before.HTTPApplicationRoutingZoneName : undefined;
      config.HTTPApplicationRoutingZoneName = typeof zone === "string" ? zone : `${randomBytes(10).toString("hex")}.${ctx.location}.aksapp.io`; // prettier-ignore
      addon.config = config;
    }
    if (key === "ingressapplicationgateway" && typeof config.effectiveApplicationGatewayId !== "string") {
      const given = config.applicationGatewayId;
      const gatewayName = typeof config.applicationGatewayName === "string" ? config.applicationGatewayName : "applicationgateway"; // prettier-ignore
      config.effectiveApplicationGatewayId = typeof given === "string" && given !== "" ? given : `/subscriptions/${ctx.subscriptionId}/resourceGroups/${nodeRg}/providers/Microsoft.Network/applicationGateways/${gatewayName}`; // prettier-ignore
      addon.config = config;
    }
    out[name] = addon;
  }
  return out;
}

/** Addons that run with their own managed identity in the node resource group (`<addon>-<cluster>`). */
const ADDONS_WITH_IDENTITY = new Set([
  "omsagent",
  "httpapplicationrouting",
  "azurekeyvaultsecretsprovider",
  "ingressapplicationgateway",
  "aciconnectorlinux",
  "azurepolicy",
]);

export interface FinalizeContext {
  /** When the operation completes (AKS's behaviour changed over time: see AKS_BEHAVIOUR_CHANGES). */
  nowMs: number;
  /** Whether any agent pool of the cluster runs the cluster autoscaler. */
  autoscaling: boolean;
}

function firstIpv4(list: unknown): string | undefined {
  return Array.isArray(list) ? list.find((x): x is string => typeof x === "string" && !x.includes(":")) : undefined;
}

/** A random IPv6 unique local prefix (`fdxx:xxxx:xxxx:xxxx`), as AKS draws for dual-stack ranges. */
function ulaPrefix(): string {
  const b = randomBytes(7).toString("hex");
  return `fd${b.slice(0, 2)}:${b.slice(2, 6)}:${b.slice(6, 10)}:${b.slice(10, 14)}`;
}

/** `count` outbound IP ids in the node resource group, keeping the ones already there. */
function outboundIps(have: unknown, count: number, subscriptionId: string, nodeRg: string): JsonObject[] {
  const list = Array.isArray(have) ? (have as JsonObject[]) : [];
  return Array.from({ length: count }, (_, i) => list[i] ?? { id: `/subscriptions/${subscriptionId}/resourceGroups/${nodeRg}/providers/Microsoft.Network/publicIPAddresses/${randomUUID()}` }); // prettier-ignore
}

/**
 * The application routing add-on's identity (`ingressProfile.webAppRouting.identity`) is AKS's: the cluster keeps it
 * through updates that do not send it, and while a disable runs (recording test_aks_approuting_enable_disable).
 */
function keepWebAppRoutingIdentity(sent: JsonObject, existing: unknown): JsonObject {
  const routing = sent.webAppRouting;
  const before = isObject(existing) && isObject(existing.webAppRouting) ? existing.webAppRouting.identity : undefined;
  if (!isObject(routing) || (routing.identity !== undefined && routing.identity !== null) || !isObject(before)) return sent; // prettier-ignore
  return { ...sent, webAppRouting: { ...routing, identity: before } };
}

/**
 * Application routing once an operation completes: enabled, it has its managed identity `webapprouting-<cluster>` in
 * the node resource group; disabled, the identity is gone (recording test_aks_approuting_enable_disable).
 */
function webAppRoutingDone(routing: JsonObject, cluster: string, subscriptionId: string, nodeRg: string): JsonObject {
  const { identity, ...rest } = routing;
  if (routing.enabled !== true) return rest;
  if (isObject(identity)) return routing;
  const resourceId = `/subscriptions/${subscriptionId}/resourcegroups/${nodeRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/webapprouting-${cluster}`; // prettier-ignore
  return { ...rest, identity: { resourceId, clientId: randomUUID(), objectId: randomUUID() } };
}

/**
 * The managed outbound IPs of the cluster's load balancer or NAT gateway, as `effectiveOutboundIPs`: a create shows them
 * once its network is up, well before it ends (see `OUTBOUND_READY_SHARE` in lifecycle.ts); other operations show
 * them when they complete (finalizeCluster). Outbound moved to a NAT gateway takes the load balancer's outbound IPs
 * away and keeps its port and timeout settings.
 */
export function withEffectiveOutboundIps(body: ClusterBody, subscriptionId: string): ClusterBody {
  const net = body.properties.networkProfile;
  if (!isObject(net)) return body;
  const nodeRg = body.properties.nodeResourceGroup;
  const next: JsonObject = { ...net };
  const nat = net.natGatewayProfile;
  if (
    isObject(nat) &&
    isObject(nat.managedOutboundIPProfile) &&
    typeof nat.managedOutboundIPProfile.count === "number"
  ) {
    const effectiveOutboundIPs = outboundIps(nat.effectiveOutboundIPs, nat.managedOutboundIPProfile.count, subscriptionId, nodeRg); // prettier-ignore
    next.natGatewayProfile = { ...nat, effectiveOutboundIPs };
  }
  let lb = net.loadBalancerProfile;
  if (isObject(lb) && (net.outboundType === "managedNATGateway" || net.outboundType === "userAssignedNATGateway")) {
    const { managedOutboundIPs: _m, effectiveOutboundIPs: _e, outboundIPs: _i, outboundIPPrefixes: _p, ...rest } = lb;
    lb = rest;
    next.loadBalancerProfile = rest;
  }
  if (isObject(lb) && isObject(lb.managedOutboundIPs) && typeof lb.managedOutboundIPs.count === "number") {
    // IPv4 addresses first, then the IPv6 ones (AKS names them `<guid>-ipv6`).
    const have = Array.isArray(lb.effectiveOutboundIPs) ? (lb.effectiveOutboundIPs as JsonObject[]) : [];
    const isV6 = (x: JsonObject): boolean => typeof x.id === "string" && x.id.endsWith("-ipv6");
    const v6count = typeof lb.managedOutboundIPs.countIPv6 === "number" ? lb.managedOutboundIPs.countIPv6 : 0;
    const v6 = outboundIps(have.filter(isV6), v6count, subscriptionId, nodeRg).map((x) => (isV6(x) ? x : { id: `${String(x.id)}-ipv6` })); // prettier-ignore
    const effective = [...outboundIps(have.filter((x) => !isV6(x)), lb.managedOutboundIPs.count, subscriptionId, nodeRg), ...v6]; // prettier-ignore
    next.loadBalancerProfile = { ...lb, effectiveOutboundIPs: effective };
  }
  return { ...body, properties: { ...body.properties, networkProfile: next } };
}

/**
 * What AKS fills in when an operation on the cluster completes (the recordings show these absent from the PUT's
 * answer and present in the GET after it): the load balancer SKU spelled `Standard` / `Basic` (until AKS stopped
 * rewriting it), the effective outbound IPs of the managed load balancer or NAT gateway, the autoscaler's default
 * settings, the private link resources' ids and the managed identities of enabled addons and of application routing.
 */
export function finalizeCluster(body: ClusterBody, subscriptionId: string, ctx: FinalizeContext): ClusterBody {
  const properties = { ...withEffectiveOutboundIps(body, subscriptionId).properties };
  const nodeRg = properties.nodeResourceGroup;
  const net = properties.networkProfile;
  if (
    isObject(net) &&
    typeof net.loadBalancerSku === "string" &&
    !behaviourSince("loadBalancerSkuKeptAsSent", ctx.nowMs)
  ) {
    properties.networkProfile = { ...net, loadBalancerSku: net.loadBalancerSku.toLowerCase() === "basic" ? "Basic" : "Standard" }; // prettier-ignore
  }
  if (Array.isArray(properties.privateLinkResources)) {
    properties.privateLinkResources = (properties.privateLinkResources as JsonObject[]).map((r) => {
      if (!isObject(r)) return r;
      const { privateLinkServiceID: _pls, ...rest } = r;
      return r.id === undefined ? { id: `${body.id}/privateLinkResources/${String(r.name)}`, ...rest } : rest;
    });
  }
  if (ctx.autoscaling) {
    const current = isObject(properties.autoScalerProfile) ? properties.autoScalerProfile : {};
    properties.autoScalerProfile = { ...AUTOSCALER_DEFAULTS, ...current };
  }
  const routing = isObject(properties.ingressProfile) ? properties.ingressProfile.webAppRouting : undefined;
  if (isObject(routing) && body.identity !== undefined) {
    properties.ingressProfile = { ...(properties.ingressProfile as JsonObject), webAppRouting: webAppRoutingDone(routing, body.name, subscriptionId, nodeRg) }; // prettier-ignore
  }
  const addons = properties.addonProfiles;
  if (isObject(addons) && body.identity !== undefined) {
    const next: JsonObject = {};
    for (const [name, addon] of Object.entries(addons)) {
      if (
        isObject(addon) &&
        addon.enabled === true &&
        addon.identity === undefined &&
        ADDONS_WITH_IDENTITY.has(name.toLowerCase())
      ) {
        // prettier-ignore
        const identityName = `${name.toLowerCase()}-${body.name}`;
        next[name] = {
          ...addon,
          identity: {
            resourceId: `/subscriptions/${subscriptionId}/resourcegroups/${nodeRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identityName}`, // prettier-ignore
            clientId: randomUUID(),
            objectId: randomUUID(),
          },
        };
      } else next[name] = addon;
    }
    properties.addonProfiles = next;
  }
  return { ...body, properties };
}
