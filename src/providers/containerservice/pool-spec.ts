/**
 * An agent pool's properties from a request: validation and the defaults AKS fills (compare
 * shared/aks-data/real-samples/). Used by both APIs that write pools: the `agentPools` PUT and the managed cluster PUT
 * (`agentPoolProfiles`).
 *
 * For an existing pool, properties the request leaves out keep their value (AKS merges a pool PUT with the pool's
 * state: the spec's `AgentPools_Stop` example sends only `powerState`).
 */
import { ArmError } from "../../arm/errors.js";
import {
  isObject,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  type JsonObject,
} from "../../arm/body.js";
import {
  compareVersions,
  isTrustedLaunchImage,
  parseVersion,
  type NodeImageOptions,
  type VersionCatalog,
} from "./versions/index.js";
import { aksErrors } from "./errors.js";
import type { ClusterBody, PoolProperties, PowerCode } from "./model.js";
import {
  enumValue,
  validateCount,
  validateNodeLabels,
  validateNodeTaints,
  vmSizeInfo,
  type VmSizeInfo,
} from "./validation.js";

export const DEFAULT_VM_SIZE = "Standard_DS2_v2";
const OS_SKUS = [
  "Ubuntu",
  "AzureLinux",
  "AzureLinux3",
  "CBLMariner",
  "Mariner",
  "Windows2019",
  "Windows2022",
  "Windows2025",
  "Ubuntu2204",
  "Ubuntu2404",
] as const;
const MODES = ["System", "User", "Gateway"] as const;
const POOL_TYPES = ["VirtualMachineScaleSets", "AvailabilitySet", "VirtualMachines"] as const;

export interface PoolContext {
  catalog: VersionCatalog;
  lts: boolean;
  /** The control plane's version the pool must fit (its target when the control plane is being upgraded). */
  controlPlaneVersion: string;
  networkPlugin: string;
  networkPluginMode: string | undefined;
  clusterPower: PowerCode;
  /** The cluster is in an Azure Edge Zone (its Ubuntu pools boot the edge zones' images). */
  edgeZone: boolean;
  /** New pools boot Trusted Launch images unasked (the subscription's preview flag, see `trustedLaunchGa`). */
  trustedLaunchByDefault: boolean;
  defaultMode: "System" | "User";
  /** The pool's name (for messages). */
  name: string;
  /** Property path of the pool's properties in the request, for error targets. */
  path: string;
}

export interface PoolPlan {
  properties: PoolProperties;
  /** Resolved values that become current when the operation completes. */
  pending: { currentOrchestratorVersion?: string; nodeImageVersion?: string; count?: number };
  created: boolean;
  /**
   * The nodes move to another Kubernetes version or to another OS (an `osSKU` change, e.g. Ubuntu → AzureLinux): the
   * operation is an upgrade (`Upgrading`).
   */
  versionChanged: boolean;
  countChanged: boolean;
  power: "stop" | "start" | undefined;
  /** Count to restore when a stopped pool starts again. */
  countBeforeStop?: number;
}

/**
 * AKS's default pods per node by network plugin, as real responses show them: kubenet 110, Azure CNI 30, Azure CNI
 * Overlay 250, and 250 with no plugin (`networkPlugin: none`, bring your own CNI: recording
 * test_aks_create_with_network_plugin_none, both CLI versions).
 */
function defaultMaxPods(plugin: string, mode: string | undefined): number {
  if (plugin === "azure") return mode === "overlay" ? 250 : 30;
  if (plugin === "none") return 250;
  return 110;
}

/**
 * Whether a pool runs Trusted Launch VMs: it asks for Secure Boot or vTPM, or its nodes already boot a Trusted Launch
 * image. Turning both off later keeps the Trusted Launch image (recordings test_aks_create_update_secure_boot_flow and
 * test_aks_create_update_vtpm_flow: `enableSecureBoot`/`enableVTPM` false, still `AKSUbuntu-2204gen2TLcontainerd`).
 */
export function runsTrustedLaunch(securityProfile: unknown, currentImage: string | undefined): boolean {
  if (currentImage !== undefined && isTrustedLaunchImage(currentImage)) return true;
  return (
    isObject(securityProfile) && (securityProfile.enableSecureBoot === true || securityProfile.enableVTPM === true)
  );
}

/** The image-family options of a stored pool (FIPS, Trusted Launch, edge zone), for picking its newest node image. */
export function nodeImageOptionsOf(pool: PoolProperties, cluster: ClusterBody): NodeImageOptions {
  return { fips: pool.enableFIPS === true, trustedLaunch: runsTrustedLaunch(pool.securityProfile, pool.nodeImageVersion), edgeZone: inEdgeZone(cluster) }; // prettier-ignore
}

/** Whether the cluster lives in an Azure Edge Zone (`extendedLocation.type` EdgeZone, stored lower-cased). */
export function inEdgeZone(cluster: ClusterBody): boolean {
  const at = cluster.extendedLocation;
  return isObject(at) && typeof at.type === "string" && at.type.toLowerCase() === "edgezone";
}

/**
 * When the request does not ask for managed OS disks, AKS uses an ephemeral OS disk if the pool's OS disk fits the VM
 * cache (AKS's ephemeral OS disk documentation; real answers: Standard_DS2_v2, 86 GiB of cache, keeps a 128 GiB disk
 * `Managed`; Standard_ND96asr_v4 gets `Ephemeral`).
 */
function defaultOsDiskType(vm: VmSizeInfo, osDiskSizeGB: number): "Managed" | "Ephemeral" {
  return vm.ephemeralOsDiskMaxGiB !== undefined && osDiskSizeGB <= vm.ephemeralOsDiskMaxGiB ? "Ephemeral" : "Managed";
}

export function archOf(vm: VmSizeInfo): "amd64" | "arm64" {
  return vm.arch;
}

/**
 * Plans a pool write. `input` is the request's pool properties (for the managed cluster API: one
 * `agentPoolProfiles[]` item without its `name`).
 */
export function planPool(
  input: JsonObject,
  existing: PoolProperties | undefined,
  existingInternal: { countBeforeStop?: number } | undefined,
  ctx: PoolContext,
): PoolPlan {
  const p = ctx.path;
  const t = (k: string): string => `${p}.${k}`;
  const mode =
    enumValue(optionalString(input, "mode", t("mode")), MODES, t("mode")) ?? existing?.mode ?? ctx.defaultMode;
  const osType =
    enumValue(optionalString(input, "osType", t("osType")), ["Linux", "Windows"] as const, t("osType")) ??
    existing?.osType ??
    "Linux";
  if (existing !== undefined && osType !== existing.osType) {
    throw new ArmError(400, "PropertyChangeNotAllowed", `Changing property '${t("osType")}' is not allowed.`, {
      target: t("osType"),
    });
  }
  if (mode === "System" && osType === "Windows") {
    throw aksErrors.invalidParameter(
      "System mode agent pools must run Linux. Make this pool a User pool, or use osType Linux.",
      t("mode"),
    );
  }
  let osSKU = enumValue(optionalString(input, "osSKU", t("osSKU")), OS_SKUS, t("osSKU"));
  if (osSKU === "Mariner") osSKU = "CBLMariner";
  let finalOsSku = osSKU ?? existing?.osSKU ?? (osType === "Windows" ? "Windows2022" : "Ubuntu");
  const vmRaw = optionalString(input, "vmSize", t("vmSize"));
  const vm = vmSizeInfo(vmRaw ?? existing?.vmSize ?? DEFAULT_VM_SIZE, t("vmSize"));
  // AKS echoes the size as the request spelled it (`standard_nd96asr_v4` stays lower-case).
  const vmSize = vmRaw ?? existing?.vmSize ?? DEFAULT_VM_SIZE;
  if (existing !== undefined && vm.name.toLowerCase() !== existing.vmSize.toLowerCase()) {
    throw new ArmError(
      400,
      "PropertyChangeNotAllowed",
      `Changing property '${t("vmSize")}' is not allowed. Create a new agent pool with the new VM size and move the workloads.`,
      { target: t("vmSize") },
    );
  }
  const type =
    enumValue(optionalString(input, "type", t("type")), POOL_TYPES, t("type")) ??
    existing?.type ??
    "VirtualMachineScaleSets";

  // Power state: a PUT of `powerState` stops or starts a User pool (AgentPools_Stop / AgentPools_Start).
  const powerIn = optionalObject(input, "powerState", t("powerState"));
  const powerCode =
    powerIn === undefined
      ? undefined
      : enumValue(optionalString(powerIn, "code", t("powerState.code")), ["Running", "Stopped"] as const, t("powerState.code")); // prettier-ignore
  const wasPower: PowerCode = existing?.powerState.code ?? "Running";
  let power: PoolPlan["power"];
  if (existing !== undefined && powerCode !== undefined && powerCode !== wasPower) {
    power = powerCode === "Stopped" ? "stop" : "start";
    if (power === "stop" && mode === "System") throw aksErrors.systemPoolStop(ctx.name);
  }
  if (existing === undefined && powerCode === "Stopped") {
    throw aksErrors.invalidParameter(
      "A new agent pool cannot be created stopped. Create it with powerState Running (or leave powerState out), then stop it.",
      t("powerState.code"),
    );
  }

  // Count.
  const countIn = optionalInteger(input, "count", t("count"));
  let count: number;
  let countBeforeStop = existingInternal?.countBeforeStop;
  if (power === "stop") {
    countBeforeStop = existing!.count;
    count = 0;
  } else if (power === "start") {
    count = countIn !== undefined && countIn > 0 ? countIn : (existingInternal?.countBeforeStop ?? 1);
    countBeforeStop = undefined;
  } else {
    count = countIn ?? existing?.count ?? 1;
  }
  const stoppedNow = (power === "stop" || (power === undefined && wasPower === "Stopped")) && existing !== undefined;
  if (stoppedNow && power === undefined && countIn !== undefined && countIn !== existing.count) {
    throw new ArmError(
      400,
      "OperationNotAllowed",
      `Agent pool is stopped: scaling a stopped agent pool is not allowed. Start the pool first (PUT properties.powerState.code = Running).`,
      { target: t("count") },
    );
  }
  if (!stoppedNow) validateCount(count, mode, t("count"));
  const enableAutoScaling = optionalBoolean(input, "enableAutoScaling", t("enableAutoScaling")) ?? existing?.enableAutoScaling ?? false; // prettier-ignore
  const minCount = optionalInteger(input, "minCount", t("minCount")) ?? (existing?.minCount as number | undefined);
  const maxCount = optionalInteger(input, "maxCount", t("maxCount")) ?? (existing?.maxCount as number | undefined);
  if (enableAutoScaling) {
    if (minCount === undefined || maxCount === undefined) {
      throw aksErrors.invalidParameter(
        "An agent pool with enableAutoScaling needs both minCount and maxCount.",
        t(minCount === undefined ? "minCount" : "maxCount"),
      );
    }
    if (minCount > maxCount || maxCount > 1000 || minCount < (mode === "System" ? 1 : 0)) {
      throw aksErrors.invalidParameter(
        `minCount (${minCount}) must be at most maxCount (${maxCount}), maxCount at most 1000, and minCount at least ${mode === "System" ? 1 : 0} for a ${mode} pool.`,
        t("minCount"),
      );
    }
    // The count is kept as sent, even outside [minCount, maxCount]: the autoscaler moves it later (recordings of
    // az aks nodepool update --update-cluster-autoscaler keep count 0 with minCount 1).
  }

  // Disks and pods.
  const osDiskSizeIn = optionalInteger(input, "osDiskSizeGB", t("osDiskSizeGB"));
  if (osDiskSizeIn !== undefined && (osDiskSizeIn < 0 || osDiskSizeIn > 2048)) {
    throw aksErrors.invalidParameter(
      `osDiskSizeGB must be between 0 (the default size) and 2048; got ${osDiskSizeIn}.`,
      t("osDiskSizeGB"),
    );
  }
  const osDiskSizeGB = osDiskSizeIn !== undefined && osDiskSizeIn > 0 ? osDiskSizeIn : (existing?.osDiskSizeGB ?? 128);
  const osDiskType =
    enumValue(optionalString(input, "osDiskType", t("osDiskType")), ["Managed", "Ephemeral"] as const, t("osDiskType")) ?? // prettier-ignore
    existing?.osDiskType ??
    defaultOsDiskType(vm, osDiskSizeGB);
  const kubeletDiskType =
    enumValue(optionalString(input, "kubeletDiskType", t("kubeletDiskType")), ["OS", "Temporary"] as const, t("kubeletDiskType")) ?? // prettier-ignore
    existing?.kubeletDiskType ??
    "OS";
  const maxPodsIn = optionalInteger(input, "maxPods", t("maxPods"));
  if (maxPodsIn !== undefined && maxPodsIn !== 0 && (maxPodsIn < 10 || maxPodsIn > 250)) {
    throw aksErrors.invalidParameter(`maxPods must be between 10 and 250; got ${maxPodsIn}.`, t("maxPods"));
  }
  const maxPods =
    maxPodsIn !== undefined && maxPodsIn !== 0
      ? maxPodsIn
      : (existing?.maxPods ?? defaultMaxPods(ctx.networkPlugin, ctx.networkPluginMode));
  if (mode === "System" && maxPods < 30) {
    throw aksErrors.invalidParameter(
      `System mode agent pools must allow at least 30 pods per node (maxPods ${maxPods}). Raise maxPods or make this a User pool.`,
      t("maxPods"),
    );
  }

  // Versions.
  const requestedVersion = optionalString(input, "orchestratorVersion", t("orchestratorVersion"));
  let orchestratorVersion: string;
  let target: string;
  let versionChanged = false;
  if (existing === undefined) {
    const resolved = ctx.catalog.resolve(requestedVersion ?? "", {
      lts: ctx.lts,
      forPool: true,
      controlPlane: ctx.controlPlaneVersion,
    });
    if ("code" in resolved) throw versionError(resolved, t("orchestratorVersion"));
    target = resolved.version;
    orchestratorVersion = requestedVersion === undefined || requestedVersion === "" ? target : requestedVersion;
  } else if (
    requestedVersion === undefined ||
    requestedVersion === "" ||
    requestedVersion === existing.orchestratorVersion ||
    requestedVersion === existing.currentOrchestratorVersion ||
    isMinorAlias(requestedVersion, existing.currentOrchestratorVersion)
  ) {
    orchestratorVersion =
      requestedVersion === undefined || requestedVersion === "" ? existing.orchestratorVersion : requestedVersion;
    target = existing.currentOrchestratorVersion;
    const skew = skewError(target, ctx.controlPlaneVersion, t("orchestratorVersion"));
    if (skew !== undefined) throw skew;
  } else {
    const parsed = parseVersion(requestedVersion);
    const resolved = ctx.catalog.resolve(requestedVersion, {
      lts: ctx.lts,
      forPool: true,
      controlPlane: ctx.controlPlaneVersion,
    });
    if ("code" in resolved) throw versionError(resolved, t("orchestratorVersion"));
    target = resolved.version;
    if (compareVersions(target, existing.currentOrchestratorVersion) < 0) {
      throw aksErrors.downgradeNotAllowed(
        existing.currentOrchestratorVersion,
        requestedVersion,
        t("orchestratorVersion"),
      );
    }
    orchestratorVersion = parsed === undefined ? requestedVersion : requestedVersion.replace(/^v/, "");
    versionChanged = target !== existing.currentOrchestratorVersion;
  }

  // Windows pools default to Windows Server 2019 below Kubernetes 1.25 and to 2022 from 1.25 (AKS's default).
  if (osSKU === undefined && existing === undefined && osType === "Windows") {
    finalOsSku = (parseVersion(target)?.minor ?? 25) < 25 ? "Windows2019" : "Windows2022";
  }

  // Labels and taints.
  const labelsIn = optionalObject(input, "nodeLabels", t("nodeLabels"));
  const taintsIn = optionalArray(input, "nodeTaints", t("nodeTaints"));
  let nodeLabels = labelsIn === undefined ? ((existing?.nodeLabels as Record<string, string> | undefined) ?? {}) : validateNodeLabels(labelsIn, t("nodeLabels")); // prettier-ignore
  let nodeTaints = taintsIn === undefined ? (existing?.nodeTaints as string[] | undefined) : validateNodeTaints(taintsIn, t("nodeTaints")); // prettier-ignore
  const priority = enumValue(optionalString(input, "scaleSetPriority", t("scaleSetPriority")), ["Spot", "Regular"] as const, t("scaleSetPriority")) ?? (existing?.scaleSetPriority as string | undefined); // prettier-ignore
  if (priority === "Spot") {
    if (mode === "System") {
      throw aksErrors.invalidParameter("System mode agent pools cannot use Spot priority. Make the pool a User pool.", t("scaleSetPriority")); // prettier-ignore
    }
    nodeLabels = { ...nodeLabels, "kubernetes.azure.com/scalesetpriority": "spot" };
    const spotTaint = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";
    nodeTaints = [...(nodeTaints ?? []).filter((x) => x !== spotTaint), spotTaint];
  }

  // Node image.
  const trustedLaunch = runsTrustedLaunch(input.securityProfile ?? existing?.securityProfile, existing?.nodeImageVersion) || (existing === undefined && ctx.trustedLaunchByDefault); // prettier-ignore
  const imageFor = (version: string): string => ctx.catalog.latestNodeImage(osType, finalOsSku, vm.arch, version, { fips: (input.enableFIPS ?? existing?.enableFIPS) === true, trustedLaunch, edgeZone: ctx.edgeZone }); // prettier-ignore
  let nodeImageVersion = existing?.nodeImageVersion ?? imageFor(target);
  const pending: PoolPlan["pending"] = {};
  // Changing the OS SKU of a pool (az aks nodepool update --os-sku AzureLinux) reimages its nodes onto the new OS's
  // image family, as an upgrade (recording test_aks_update_agentpool_os_sku: Ubuntu → AzureLinux is Upgrading).
  if (existing !== undefined && osSKU !== undefined && finalOsSku !== existing.osSKU) versionChanged = true;
  // Turning FIPS on or off reimages the nodes onto the FIPS (or plain) image, also an upgrade (recording
  // test_aks_create_update_fips_flow, 2024-09-01: az aks nodepool update --enable-fips-image answers Upgrading).
  if (existing !== undefined && typeof input.enableFIPS === "boolean" && input.enableFIPS !== (existing.enableFIPS === true)) versionChanged = true; // prettier-ignore
  if (existing === undefined) {
    pending.currentOrchestratorVersion = target;
    nodeImageVersion = imageFor(target);
  } else if (versionChanged) {
    // An upgrade (or OS or FIPS change) shows its target version and the image it moves to from its start: the PUT's answer
    // already carries them (recordings: 1.24.6 → 1.25.2 answers AKSUbuntu-2204gen2containerd, the image of 1.25;
    // Ubuntu → AzureLinux answers AKSAzureLinux-V2gen2-202407.22.0).
    pending.currentOrchestratorVersion = target;
    nodeImageVersion = imageFor(target);
  }
  // An autoscaled pool left below minCount keeps the count as sent: the cluster autoscaler raises it on its own scan
  // after the operation (lifecycle.ts, AUTOSCALER_SCAN_MS).
  // Stopping a pool: the answer to the PUT says count 0, but reads while it stops still show the nodes it had; the
  // count drops to 0 when the stop completes (recording test_aks_nodepool_abort: PUT answers 0, GETs 2 while Stopping).
  const stoppingFrom = power === "stop" && existing !== undefined && existing.count > 0 ? existing.count : undefined;
  if (stoppingFrom !== undefined) pending.count = 0;
  // A pool created from a node pool snapshot runs the snapshot's node image (snapshots.ts puts it in the input).
  if (existing === undefined && isObject(input.creationData) && typeof input.nodeImageVersion === "string") nodeImageVersion = input.nodeImageVersion; // prettier-ignore

  // Everything else the request carries is kept as sent (zones, subnets, tags, kubelet config...).
  const passthrough: JsonObject = {};
  for (const [k, v] of Object.entries(input)) {
    if (v !== undefined && v !== null && !SERVER_OWNED.has(k)) passthrough[k] = v;
  }
  const base: JsonObject = existing === undefined ? {} : { ...existing };
  const upgradeSettings = isObject(input.upgradeSettings)
    ? { maxSurge: "10%", ...input.upgradeSettings }
    : ((existing?.upgradeSettings as JsonObject | undefined) ?? { maxSurge: "10%" });
  // Object.assign, not a literal that starts with spreads: V8 builds such a literal a property at a time (~25 µs).
  const properties: PoolProperties = Object.assign({}, base, passthrough, {
    count: stoppingFrom ?? count,
    vmSize,
    osDiskSizeGB,
    osDiskType,
    kubeletDiskType,
    maxPods,
    type,
    enableAutoScaling,
    scaleDownMode: (passthrough.scaleDownMode as string | undefined) ?? (existing?.scaleDownMode as string | undefined) ?? "Delete", // prettier-ignore
    provisioningState: existing?.provisioningState ?? "Creating",
    powerState: { code: powerCode ?? wasPower },
    orchestratorVersion,
    // An upgrade shows its target as the current version from its start (recording
    // test_aks_upgrade_kubernetes_version_nodepool: the PUT's answer to 1.26.3 → 1.27.1 says 1.27.1, Upgrading).
    currentOrchestratorVersion: versionChanged ? target : (existing?.currentOrchestratorVersion ?? target),
    enableNodePublicIP: (passthrough.enableNodePublicIP as boolean | undefined) ?? (existing?.enableNodePublicIP as boolean | undefined) ?? false, // prettier-ignore
    mode,
    enableEncryptionAtHost: (passthrough.enableEncryptionAtHost as boolean | undefined) ?? (existing?.enableEncryptionAtHost as boolean | undefined) ?? false, // prettier-ignore
    enableUltraSSD: (passthrough.enableUltraSSD as boolean | undefined) ?? (existing?.enableUltraSSD as boolean | undefined) ?? false, // prettier-ignore
    osType,
    osSKU: finalOsSku,
    nodeImageVersion,
    upgradeSettings,
    enableFIPS: (passthrough.enableFIPS as boolean | undefined) ?? (existing?.enableFIPS as boolean | undefined) ?? false, // prettier-ignore
    // Both switches are always shown, the one the request leaves out as false (recordings of --enable-secure-boot:
    // {"enableVTPM": false, "enableSecureBoot": true}).
    securityProfile: { enableVTPM: false, enableSecureBoot: false, ...(existing?.securityProfile as JsonObject | undefined), ...(passthrough.securityProfile as JsonObject | undefined) }, // prettier-ignore
  });
  if (enableAutoScaling) {
    properties.minCount = minCount;
    properties.maxCount = maxCount;
  } else {
    delete properties.minCount;
    delete properties.maxCount;
  }
  if (nodeLabels !== undefined) properties.nodeLabels = nodeLabels;
  if (nodeTaints !== undefined) properties.nodeTaints = nodeTaints;
  if (priority !== undefined) {
    properties.scaleSetPriority = priority;
    if (priority === "Spot") {
      properties.scaleSetEvictionPolicy = (passthrough.scaleSetEvictionPolicy as string | undefined) ?? "Delete";
      properties.spotMaxPrice = (passthrough.spotMaxPrice as number | undefined) ?? -1;
    }
  }
  if (Array.isArray(properties.nodeTaints) && properties.nodeTaints.length === 0) delete properties.nodeTaints;
  if (ctx.clusterPower === "Stopped") properties.powerState = { code: "Stopped" };

  const plan: PoolPlan = {
    properties,
    pending,
    created: existing === undefined,
    versionChanged,
    countChanged: existing !== undefined && power === undefined && count !== existing.count,
    power,
  };
  if (countBeforeStop !== undefined) plan.countBeforeStop = countBeforeStop;
  return plan;
}

/** Read-only or server-filled pool properties that a request cannot set. */
const SERVER_OWNED = new Set([
  "name",
  "provisioningState",
  "powerState",
  "currentOrchestratorVersion",
  "nodeImageVersion",
  "orchestratorVersion",
  "count",
  "mode",
  "osType",
  "osSKU",
  "vmSize",
  "type",
  "maxPods",
  "osDiskSizeGB",
  "osDiskType",
  "kubeletDiskType",
  "nodeLabels",
  "nodeTaints",
  "minCount",
  "maxCount",
  "enableAutoScaling",
  "upgradeSettings",
  "scaleSetPriority",
  "eTag",
  "status",
]);

/** `1.33` names the minor of `1.33.5`: no upgrade, even when a newer patch exists. */
export function isMinorAlias(requested: string, patch: string): boolean {
  const r = parseVersion(requested);
  const p = parseVersion(patch);
  return r !== undefined && r.patch === undefined && p !== undefined && r.minor === p.minor;
}

export function versionError(resolved: { code: string; message: string }, target: string): ArmError {
  return new ArmError(400, resolved.code, resolved.message, { target });
}

/** Node pools are never newer than the control plane nor more than 3 minors (2 before 1.28) behind it. */
export function skewError(pool: string, controlPlane: string, target: string): ArmError | undefined {
  const p = parseVersion(pool);
  const c = parseVersion(controlPlane);
  if (p === undefined || c === undefined) return undefined;
  const base = `Node pool version ${pool} and control plane version ${controlPlane} are incompatible.`;
  if (compareVersions(pool, controlPlane) > 0) {
    return aksErrors.nodePoolMcVersionIncompatible(
      `${base} Minor version of node pool version ${p.minor} is bigger than control plane version ${c.minor}. Upgrade the control plane first, or choose a node pool version at or below ${controlPlane}.`,
      target,
    );
  }
  const maxSkew = c.minor >= 28 ? 3 : 2;
  if (c.minor - p.minor > maxSkew) {
    return aksErrors.nodePoolMcVersionIncompatible(
      `${base} Minor version of node pool cannot be more than ${maxSkew} versions less than control plane's version. Minor version of node pool is ${p.minor} and control plane is ${c.minor}. Upgrade the node pool to 1.${c.minor - maxSkew} or later first.`,
      target,
    );
  }
  return undefined;
}
