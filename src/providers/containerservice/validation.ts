/**
 * Input rules of the AKS API: names, dnsPrefix, counts, VM sizes, enums, reserved node labels and taints
 * (shared/aks-data/aks-policy-facts.md §5.1, §5.3 and the REST API's patterns). Each failure is AKS's error code with
 * the offending property as `target` and a message that says what to send instead.
 */
import { ArmError } from "../../arm/errors.js";
import { aksErrors } from "./errors.js";

export const CLUSTER_NAME = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;
export const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
export const DNS_PREFIX = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/;
export const MAINTENANCE_NAMES = ["default", "aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"];

export function validateClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw aksErrors.invalidParameter(
      `The value of parameter resourceName is invalid: '${name}'. A managed cluster name must be 1-63 characters of letters, digits, '-' and '_', starting and ending with a letter or digit.`,
      "resourceName",
    );
  }
}

export function validatePoolName(name: string, target = "agentPoolName"): void {
  if (!POOL_NAME.test(name)) {
    throw aksErrors.invalidParameter(
      `The agent pool name '${name}' is invalid: it must start with a lowercase letter and contain only lowercase letters and digits, at most 12 characters (Windows pools: at most 6). Pattern: ^[a-z][a-z0-9]{0,11}$.`,
      target,
    );
  }
}

export function validateDnsPrefix(prefix: string): void {
  if (!DNS_PREFIX.test(prefix)) {
    throw aksErrors.invalidParameter(
      `The value of parameter properties.dnsPrefix is invalid: '${prefix}'. A DNS prefix must be 1-54 characters of letters, digits and '-', starting and ending with a letter or digit.`,
      "properties.dnsPrefix",
    );
  }
}

/** Checks a value against an enum (case-insensitively, as AKS does) and returns the canonical spelling. */
export function enumValue<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  target: string,
): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (found === undefined) {
    throw aksErrors.invalidParameter(
      `The value '${value}' of ${target} is not supported. Allowed values: ${allowed.join(", ")}.`,
      target,
    );
  }
  return found;
}

export interface VmSizeInfo {
  name: string;
  vCPUs: number;
  memoryGB: number;
  arch: "amd64" | "arm64";
  /**
   * The largest OS disk (GiB) that fits the size's VM cache, where an ephemeral OS disk can live; absent for sizes
   * without a cache (the v5 and v6 D/E sizes, B, A).
   */
  ephemeralOsDiskMaxGiB?: number;
}

/**
 * VM cache sizes in GiB, as Azure's size tables give them (the figure in parentheses next to the cached IOPS). AKS
 * puts a pool's OS disk there (`Ephemeral`) by default when the disk fits. Standard_ND96asr_v4 is known only from a
 * real answer: a 128 GiB OS disk defaulted to Ephemeral on it (recording test_aks_nodepool_add_with_gpu_instance_profile).
 */
const CACHE_GIB: Readonly<Record<string, number>> = {
  Standard_DS1_v2: 43, Standard_DS2_v2: 86, Standard_DS3_v2: 172, Standard_DS4_v2: 344, Standard_DS5_v2: 688,
  Standard_D2s_v3: 50, Standard_D4s_v3: 100, Standard_D8s_v3: 200, Standard_D16s_v3: 400, Standard_D32s_v3: 800,
  Standard_E2s_v3: 50, Standard_E4s_v3: 100, Standard_E8s_v3: 200, Standard_E16s_v3: 400,
  Standard_F2s_v2: 16, Standard_F4s_v2: 32, Standard_F8s_v2: 64, Standard_F16s_v2: 128,
  Standard_ND96asr_v4: 128,
}; // prettier-ignore

/** VM sizes AKS offers in every region we emulate (names as Azure spells them). */
const VM_SIZES: readonly [string, number, number][] = [
  ["Standard_B1s", 1, 1], ["Standard_B1ms", 1, 2], ["Standard_B2s", 2, 4], ["Standard_B2ms", 2, 8],
  ["Standard_B4ms", 4, 16], ["Standard_B8ms", 8, 32], ["Standard_B2s_v2", 2, 8], ["Standard_B4s_v2", 4, 16],
  ["Standard_A2_v2", 2, 4], ["Standard_A4_v2", 4, 8], ["Standard_A8_v2", 8, 16],
  ["Standard_D2_v2", 2, 7], ["Standard_D3_v2", 4, 14], ["Standard_D4_v2", 8, 28], ["Standard_D5_v2", 16, 56],
  ["Standard_DS1_v2", 1, 3.5], ["Standard_DS2_v2", 2, 7], ["Standard_DS3_v2", 4, 14], ["Standard_DS4_v2", 8, 28],
  ["Standard_DS5_v2", 16, 56], ["Standard_D2_v3", 2, 8], ["Standard_D4_v3", 4, 16], ["Standard_D8_v3", 8, 32],
  ["Standard_D2s_v3", 2, 8], ["Standard_D4s_v3", 4, 16], ["Standard_D8s_v3", 8, 32], ["Standard_D16s_v3", 16, 64],
  ["Standard_D32s_v3", 32, 128], ["Standard_D2s_v4", 2, 8], ["Standard_D4s_v4", 4, 16], ["Standard_D8s_v4", 8, 32],
  ["Standard_D2ds_v4", 2, 8], ["Standard_D4ds_v4", 4, 16], ["Standard_D8ds_v4", 8, 32],
  ["Standard_D2a_v4", 2, 8], ["Standard_D4a_v4", 4, 16], ["Standard_D8a_v4", 8, 32], ["Standard_D2as_v4", 2, 8],
  ["Standard_D4as_v4", 4, 16], ["Standard_D8as_v4", 8, 32],
  ["Standard_D2s_v5", 2, 8], ["Standard_D4s_v5", 4, 16], ["Standard_D8s_v5", 8, 32], ["Standard_D16s_v5", 16, 64],
  ["Standard_D32s_v5", 32, 128], ["Standard_D2ds_v5", 2, 8], ["Standard_D4ds_v5", 4, 16], ["Standard_D8ds_v5", 8, 32],
  ["Standard_D16ds_v5", 16, 64], ["Standard_D2as_v5", 2, 8], ["Standard_D4as_v5", 4, 16], ["Standard_D8as_v5", 8, 32],
  ["Standard_D16as_v5", 16, 64], ["Standard_D2ads_v5", 2, 8], ["Standard_D4ads_v5", 4, 16],
  ["Standard_D8ads_v5", 8, 32], ["Standard_D2ps_v5", 2, 8], ["Standard_D4ps_v5", 4, 16], ["Standard_D8ps_v5", 8, 32],
  ["Standard_D2pds_v5", 2, 8], ["Standard_D4pds_v5", 4, 16], ["Standard_D8pds_v5", 8, 32],
  ["Standard_D2plds_v5", 2, 4], ["Standard_D4plds_v5", 4, 8], ["Standard_D8plds_v5", 8, 16],
  ["Standard_D2s_v6", 2, 8], ["Standard_D4s_v6", 4, 16], ["Standard_D8s_v6", 8, 32], ["Standard_D2ds_v6", 2, 8],
  ["Standard_D4ds_v6", 4, 16], ["Standard_D8ds_v6", 8, 32], ["Standard_D2as_v6", 2, 8], ["Standard_D4as_v6", 4, 16],
  ["Standard_E2s_v3", 2, 16], ["Standard_E4s_v3", 4, 32], ["Standard_E8s_v3", 8, 64], ["Standard_E16s_v3", 16, 128],
  ["Standard_E2s_v5", 2, 16], ["Standard_E4s_v5", 4, 32], ["Standard_E8s_v5", 8, 64], ["Standard_E16s_v5", 16, 128],
  ["Standard_E2ds_v5", 2, 16], ["Standard_E4ds_v5", 4, 32], ["Standard_E8ds_v5", 8, 64],
  ["Standard_E4as_v5", 4, 32], ["Standard_E8as_v5", 8, 64], ["Standard_E2ps_v5", 2, 16], ["Standard_E4ps_v5", 4, 32],
  ["Standard_F2s_v2", 2, 4], ["Standard_F4s_v2", 4, 8], ["Standard_F8s_v2", 8, 16], ["Standard_F16s_v2", 16, 32],
  ["Standard_L8s_v3", 8, 64], ["Standard_L16s_v3", 16, 128],
  ["Standard_NC6s_v3", 6, 112], ["Standard_NC12s_v3", 12, 224], ["Standard_NC4as_T4_v3", 4, 28],
  ["Standard_NC8as_T4_v3", 8, 56], ["Standard_NC24ads_A100_v4", 24, 220], ["Standard_ND96asr_v4", 96, 900],
]; // prettier-ignore

const VM_SIZE_BY_KEY = new Map<string, VmSizeInfo>(
  VM_SIZES.map(([name, vCPUs, memoryGB]) => [
    name.toLowerCase(),
    {
      name,
      vCPUs,
      memoryGB,
      arch: /^Standard_[DE]\d+p/i.test(name) ? "arm64" : "amd64",
      ...(CACHE_GIB[name] !== undefined ? { ephemeralOsDiskMaxGiB: CACHE_GIB[name] } : {}),
    },
  ]),
);

export function vmSizeInfo(vmSize: string, target: string): VmSizeInfo {
  const info = VM_SIZE_BY_KEY.get(vmSize.toLowerCase());
  if (info === undefined) {
    throw new ArmError(
      400,
      "InvalidParameter",
      `The VM size of ${vmSize} is not allowed in your subscription in this location. Choose a size AKS offers there, for example Standard_DS2_v2, Standard_D4s_v5 or Standard_D8ds_v5 (az vm list-skus -l <location>).`,
      { target },
    );
  }
  return info;
}

/** Label keys AKS reserves outright (fact sheet §5.1, release 2021-08-19). */
const BARE_SYSTEM_LABELS = new Set(["agentpool", "storageprofile", "storagetier", "accelerator"]);
const ALLOWED_K8S_PREFIXES = ["kubelet.kubernetes.io/", "node.kubernetes.io/"];
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function labelKeyShapeError(key: string, target: string): ArmError {
  return aksErrors.invalidParameter(
    `Invalid node label key '${key}': a label key is an optional DNS subdomain prefix and '/', then a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.`,
    target,
  );
}

/** Validates user node labels; `systemPrefixAllowed` lets AKS's own spot label through. */
export function validateNodeLabels(labels: Record<string, unknown>, target: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(labels)) {
    if (typeof raw !== "string") {
      throw aksErrors.invalidParameter(`The value of node label '${key}' must be a string.`, `${target}.${key}`);
    }
    const slash = key.indexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : "";
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (!LABEL_NAME.test(name) || (slash >= 0 && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))) {
      throw labelKeyShapeError(key, `${target}.${key}`);
    }
    if (!LABEL_VALUE.test(raw) || raw.length > 63) {
      throw aksErrors.invalidParameter(
        `Invalid node label value '${raw}' for key '${key}': at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.`,
        `${target}.${key}`,
      );
    }
    const lower = key.toLowerCase();
    if (lower === "kubernetes.azure.com/scalesetpriority" && raw === "spot") {
      out[key] = raw;
      continue;
    }
    if (lower.startsWith("kubernetes.azure.com/")) {
      throw aksErrors.badRequest(
        `Invalid node label key ${key}. The 'kubernetes.azure.com' prefix is preserved by aks system labels. Use a label key outside the kubernetes.azure.com, kubernetes.io and k8s.io namespaces.`,
        `${key}=${raw}`,
      );
    }
    const domain = prefix.toLowerCase();
    const inK8sNamespace =
      domain === "kubernetes.io" ||
      domain.endsWith(".kubernetes.io") ||
      domain === "k8s.io" ||
      domain.endsWith(".k8s.io");
    if (inK8sNamespace && !ALLOWED_K8S_PREFIXES.some((p) => lower.startsWith(p))) {
      throw aksErrors.badRequest(
        "For Kubernetes version greater than or equal to 1.16, node label keys in the 'kubernetes.io' or 'k8s.io' namespace must begin with an allowed prefix (kubelet.kubernetes.io, node.kubernetes.io). For more information, please check https://aka.ms/aks-node-labels-116.",
        `${key}=${raw}`,
      );
    }
    if (BARE_SYSTEM_LABELS.has(lower)) {
      throw aksErrors.badRequest(
        `Invalid node label key ${key}: '${key}' is a system label that AKS sets on every node and it cannot be set or changed. Use kubernetes.azure.com/${lower} to read it, and another key for your own label.`,
        `${key}=${raw}`,
      );
    }
    out[key] = raw;
  }
  return out;
}

const TAINT = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/;

export function validateNodeTaints(taints: unknown[], target: string): string[] {
  return taints.map((raw, i) => {
    if (typeof raw !== "string") {
      throw aksErrors.invalidParameter(`${target}[${i}] must be a string like 'key=value:NoSchedule'.`, target);
    }
    const m = TAINT.exec(raw);
    if (m === null) {
      throw aksErrors.invalidParameter(
        `Invalid node taint '${raw}': write taints as 'key=value:Effect' (or 'key:Effect') with Effect NoSchedule, PreferNoSchedule or NoExecute.`,
        `${target}[${i}]`,
      );
    }
    const key = m[1]!;
    const lower = key.toLowerCase();
    if (lower === "kubernetes.azure.com/scalesetpriority" && m[2] === "spot") return raw;
    if (
      lower.startsWith("kubernetes.azure.com/") ||
      lower.startsWith("kubernetes.io/") ||
      lower.endsWith(".kubernetes.io")
    ) {
      throw aksErrors.badRequest(
        `Invalid node taint '${raw}': taint keys in the 'kubernetes.azure.com' and 'kubernetes.io' namespaces are reserved for AKS system taints and cannot be set. Use your own key, for example 'sku=gpu:NoSchedule'.`,
        `${target}[${i}]`,
      );
    }
    if (!LABEL_NAME.test(key.includes("/") ? key.slice(key.indexOf("/") + 1) : key)) {
      throw aksErrors.invalidParameter(`Invalid node taint key in '${raw}'.`, `${target}[${i}]`);
    }
    return raw;
  });
}

export function validateCount(count: number, mode: string, target: string): void {
  const min = mode === "System" ? 1 : 0;
  if (count < min || count > 1000) {
    throw aksErrors.invalidParameter(
      mode === "System"
        ? `The count of a System mode agent pool must be between 1 and 1000; got ${count}. System pools need at least one node (two or more are recommended).`
        : `The count of an agent pool must be between 0 and 1000; got ${count}.`,
      target,
    );
  }
}
