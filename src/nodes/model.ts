/**
 * The simulated agent nodes of a cluster: what a node is (the state stored with its scale-set instance), the faults
 * that can be injected into it, the auto-repair ladder, and how its conditions, labels and taints are derived.
 *
 * A node is stored as the `internal` part of its Microsoft.Compute scale-set instance (one resource per node), so the
 * Compute API and the node listing read the same document. Readiness is lazy: a node records the instant it becomes
 * Ready (`readyAt`) and is Ready from then on while its VM runs and no fault is active, so booting 1,000 nodes costs
 * no timer; only auto-repair steps and policy deadlines are timers.
 */
import { createHash } from "node:crypto";

/** Store types (lower-cased). */
export const VMSS_TYPE = "microsoft.compute/virtualmachinescalesets";
export const VM_TYPE = "microsoft.compute/virtualmachinescalesets/virtualmachines";
export const FAULT_TYPE = "aksemu.emulator/faults";
export const CLUSTER_NODES_TYPE = "aksemu.nodes/clusterstate";

/** AKS's caller for node auto-repair (fact sheet §4.3), and the Kubernetes event source. */
export const REMEDIATOR = "aks-remediator";
export const REPAIR_SOURCE = "aks-auto-repair";

export const FAULT_KINDS = [
  "KubeletStopped",
  "OSDiskCorrupted",
  "HostFailure",
  "Unrecoverable",
  "NoHeartbeat",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type RemedyAction = "reboot" | "reimage" | "redeploy";

/** The ladder: which remedy cures which fault (a stronger remedy cures what a weaker one does). */
export const CURED_BY: Readonly<Record<FaultKind, readonly RemedyAction[]>> = {
  KubeletStopped: ["reboot", "reimage", "redeploy"],
  NoHeartbeat: ["reboot", "reimage", "redeploy"],
  OSDiskCorrupted: ["reimage", "redeploy"],
  HostFailure: ["redeploy"],
  Unrecoverable: [],
};

/**
 * Remedies whose VM operation itself fails on a fault (the host is gone: a reboot or reimage cannot run on it), with
 * the Compute error code reported in the `...Error` event.
 */
export const FAILS_ON: Readonly<Partial<Record<FaultKind, { actions: readonly RemedyAction[]; code: string }>>> = {
  HostFailure: { actions: ["reboot", "reimage"], code: "VMAgentStatusCommunicationError" },
};

/** Node auto-repair timings (fact sheet §4.3). */
export const REPAIR = {
  /** NotReady through a 10-minute window (or silent for 10 minutes) before any action. */
  detectionMs: 10 * 60_000,
  /** The node must have been unhealthy for at least this long. */
  unhealthyMs: 5 * 60_000,
  /** The reboot → reimage → redeploy sequence is retried up to this many times. */
  rounds: 3,
  /** Emulated duration of each action; three rounds plus detection fit in AKS's "up to 1 hour". */
  stepMs: { reboot: 3 * 60_000, reimage: 5 * 60_000, redeploy: 8 * 60_000 } as Record<RemedyAction, number>,
} as const;

export type PowerState = "running" | "stopped" | "deallocated";

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface NodeEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  source: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

export interface ActiveFault {
  id: string;
  kind: FaultKind;
  since: string;
}

export type RepairStatus =
  | "Idle"
  | "Detecting"
  | "Rebooting"
  | "Reimaging"
  | "Redeploying"
  | "GaveUp"
  /** Auto-repair does not act: the node never registered healthy (fact sheet §4.3). */
  | "Skipped";

export interface RepairState {
  status: RepairStatus;
  round: number;
  since: string;
  /** Bumped whenever the repair is restarted or abandoned; timers carry it and stale ones are ignored. */
  gen: number;
  lastOutcome?: string;
}

/** Who last changed the VM's power state, and how (the node rules of the policy read this). */
export interface PowerChange {
  by: string;
  at: string;
  via: "customer" | "platform";
  action: string;
}

export interface NodeState {
  clusterId: string;
  pool: string;
  vmssId: string;
  instanceId: string;
  name: string;
  osType: "Linux" | "Windows";
  location: string;
  createdAt: string;
  /** When the kubelet (last) registered Ready; the node is Ready from then on while running and healthy. */
  readyAt: string;
  power: PowerState;
  powerChange?: PowerChange;
  kubeletVersion: string;
  nodeImageVersion: string;
  /** System labels, the pool's labels, and those set through the Kubernetes API (`kubectlLabels`). */
  labels: Record<string, string>;
  /** Labels set with `kubectl label` (the emulator's PATCH): kept on the node when AKS relabels it. */
  kubectlLabels: Record<string, string>;
  taints: Taint[];
  faults: ActiveFault[];
  /** Since when the node has been unhealthy (a fault or a stopped VM). */
  unhealthySince?: string;
  repair: RepairState;
  events: NodeEvent[];
  zone?: string;
  vmId: string;
}

export type ConditionStatus = "True" | "False" | "Unknown";

/** Kubernetes' Ready condition as `kubectl get node -o json` shows it. */
export interface ReadyCondition {
  type: "Ready";
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** The node's Ready condition at `now`. */
export function readyCondition(node: NodeState, now: Date): ReadyCondition {
  const at = (since: string | undefined): string => since ?? node.createdAt;
  if (node.power !== "running") {
    return {
      type: "Ready",
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
      lastTransitionTime: at(node.powerChange?.at),
    };
  }
  const silent = node.faults.find((f) => f.kind === "NoHeartbeat" || f.kind === "HostFailure");
  if (silent !== undefined) {
    return {
      type: "Ready",
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
      lastTransitionTime: silent.since,
    };
  }
  const broken = node.faults[0];
  if (broken !== undefined) {
    const message =
      broken.kind === "KubeletStopped"
        ? "PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s"
        : "container runtime is down, PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s";
    return { type: "Ready", status: "False", reason: "KubeletNotReady", message, lastTransitionTime: broken.since };
  }
  if (now.getTime() < Date.parse(node.readyAt)) {
    return {
      type: "Ready",
      status: "False",
      reason: "KubeletNotReady",
      message:
        "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
      lastTransitionTime: at(node.powerChange?.at ?? node.createdAt),
    };
  }
  return {
    type: "Ready",
    status: "True",
    reason: "KubeletReady",
    message: "kubelet is posting ready status",
    lastTransitionTime: node.readyAt,
  };
}

export function isReady(node: NodeState, now: Date): boolean {
  return node.power === "running" && node.faults.length === 0 && now.getTime() >= Date.parse(node.readyAt);
}

/** kubelet and container runtime health as the node reports them. */
export function componentHealth(node: NodeState): { kubelet: string; containerRuntime: string } {
  if (node.power !== "running") return { kubelet: "Unknown", containerRuntime: "Unknown" };
  const kinds = new Set(node.faults.map((f) => f.kind));
  if (kinds.has("NoHeartbeat") || kinds.has("HostFailure")) return { kubelet: "Unknown", containerRuntime: "Unknown" };
  if (kinds.has("OSDiskCorrupted") || kinds.has("Unrecoverable"))
    return { kubelet: "Failed", containerRuntime: "Failed" };
  if (kinds.has("KubeletStopped")) return { kubelet: "Stopped", containerRuntime: "Running" };
  return { kubelet: "Running", containerRuntime: "Running" };
}

/** The taints the node carries at `now`: pool and system taints plus the node-lifecycle taints of its state. */
export function currentTaints(node: NodeState, now: Date): Taint[] {
  const taints = [...node.taints];
  const condition = readyCondition(node, now);
  if (node.power !== "running") taints.push({ key: "node.cloudprovider.kubernetes.io/shutdown", effect: "NoSchedule" });
  if (condition.status === "Unknown") {
    taints.push({ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" });
    taints.push({ key: "node.kubernetes.io/unreachable", effect: "NoExecute" });
  } else if (condition.status === "False") {
    taints.push({ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" });
  }
  return taints;
}

// --- names ---------------------------------------------------------------------------------------------------------

/** The 8-digit suffix AKS gives a cluster's node resources (`aks-<pool>-<8 digits>-vmss`), stable per cluster. */
export function resourceNameSuffix(clusterId: string): string {
  const digest = createHash("sha256").update(clusterId.toLowerCase()).digest();
  return String(digest.readUInt32BE(0) % 100_000_000).padStart(8, "0");
}

export function vmssName(pool: string, suffix: string): string {
  return `aks-${pool}-${suffix}-vmss`;
}

/** A VMSS computer name: the prefix and the instance id in base 36 on 6 characters (vmss000000, vmss00000a...). */
export function computerName(vmss: string, instanceId: number): string {
  return `${vmss}${instanceId.toString(36).padStart(6, "0")}`;
}

/** A deterministic delay in [30 s, 60 s) for a node's kubelet to register Ready after boot. */
export function bootDelayMs(name: string, bootedAt: string): number {
  const digest = createHash("sha256").update(`${name}@${bootedAt}`).digest();
  return 30_000 + (digest.readUInt32BE(0) % 30_000);
}

/** A stable GUID-shaped id derived from a text (vmId, uniqueId...). */
export function stableGuid(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// --- sizes ---------------------------------------------------------------------------------------------------------

const KNOWN_SIZES: Record<string, { cpu: number; memoryGiB: number }> = {
  standard_ds2_v2: { cpu: 2, memoryGiB: 7 },
  standard_ds3_v2: { cpu: 4, memoryGiB: 14 },
  standard_ds4_v2: { cpu: 8, memoryGiB: 28 },
  standard_d2s_v3: { cpu: 2, memoryGiB: 8 },
  standard_d4s_v3: { cpu: 4, memoryGiB: 16 },
  standard_d8s_v3: { cpu: 8, memoryGiB: 32 },
  standard_b2s: { cpu: 2, memoryGiB: 4 },
  standard_b2ms: { cpu: 2, memoryGiB: 8 },
  standard_b4ms: { cpu: 4, memoryGiB: 16 },
  standard_nc6s_v3: { cpu: 6, memoryGiB: 112 },
};

/** vCPUs and memory of a VM size (the `sku-cpu` / `sku-memory` labels); D-series ratio when the size is unknown. */
export function sizeOf(vmSize: string): { cpu: number; memoryGiB: number } {
  const known = KNOWN_SIZES[vmSize.toLowerCase()];
  if (known !== undefined) return known;
  const m = /^standard_[a-z]+?(\d+)/i.exec(vmSize);
  const cpu = m === null ? 2 : Math.max(1, Number(m[1]));
  const ratio = /^standard_e/i.test(vmSize) ? 8 : /^standard_f/i.test(vmSize) ? 2 : 4;
  return { cpu, memoryGiB: cpu * ratio };
}

export function archOf(vmSize: string): "amd64" | "arm64" {
  return /^standard_[a-z]+\d+[a-z]*p[a-z]*_/i.test(vmSize) ? "arm64" : "amd64";
}

// --- labels --------------------------------------------------------------------------------------------------------

export interface LabelInputs {
  pool: string;
  mode: string;
  osType: "Linux" | "Windows";
  osSku: string;
  vmSize: string;
  location: string;
  zone: string | undefined;
  nodeResourceGroup: string;
  nodeName: string;
  nodeImageVersion: string;
  kubeletIdentityClientId: string | undefined;
  storageTier: string;
  spot: boolean;
  fips: boolean;
  userLabels: Record<string, string>;
}

/** The OS SKU AKS resolves `Ubuntu` / `AzureLinux` to on a node image (always versioned). */
function effectiveOsSku(osSku: string, nodeImageVersion: string): string {
  const m = /^AKSUbuntu(?:EdgeZone)?-(\d{4})/.exec(nodeImageVersion);
  if (m !== null) return `Ubuntu${m[1]!}`;
  if (/^AKSAzureLinux-V3/i.test(nodeImageVersion)) return "AzureLinux3";
  if (/^AKSAzureLinux/i.test(nodeImageVersion) || /^AKSCBLMariner/i.test(nodeImageVersion)) return "AzureLinux";
  return osSku;
}

/** The system labels of fact sheet §5.2 with real values, then the pool's labels. */
export function nodeLabels(input: LabelInputs): Record<string, string> {
  const size = sizeOf(input.vmSize);
  const arch = archOf(input.vmSize);
  const os = input.osType === "Windows" ? "windows" : "linux";
  const zone = input.zone === undefined ? "0" : `${input.location}-${input.zone}`;
  const labels: Record<string, string> = {
    agentpool: input.pool,
    "beta.kubernetes.io/arch": arch,
    "beta.kubernetes.io/instance-type": input.vmSize,
    "beta.kubernetes.io/os": os,
    "failure-domain.beta.kubernetes.io/region": input.location,
    "failure-domain.beta.kubernetes.io/zone": zone,
    "kubernetes.azure.com/agentpool": input.pool,
    "kubernetes.azure.com/cluster": input.nodeResourceGroup,
    "kubernetes.azure.com/managedby": "aks",
    "kubernetes.azure.com/mode": input.mode.toLowerCase(),
    "kubernetes.azure.com/node-image-version": input.nodeImageVersion,
    "kubernetes.azure.com/nodepool-type": "VirtualMachineScaleSets",
    "kubernetes.azure.com/os-sku": input.osSku,
    "kubernetes.azure.com/os-sku-effective": effectiveOsSku(input.osSku, input.nodeImageVersion),
    "kubernetes.azure.com/os-sku-requested": input.osSku,
    "kubernetes.azure.com/role": "agent",
    "kubernetes.azure.com/sku-cpu": String(size.cpu),
    "kubernetes.azure.com/sku-memory": String(size.memoryGiB * 1024),
    "kubernetes.azure.com/storageprofile": "managed",
    "kubernetes.azure.com/storagetier": input.storageTier,
    "kubernetes.io/arch": arch,
    "kubernetes.io/hostname": input.nodeName,
    "kubernetes.io/os": os,
    "kubernetes.io/role": "agent",
    "node-role.kubernetes.io/agent": "",
    "node.kubernetes.io/instance-type": input.vmSize,
    storageprofile: "managed",
    storagetier: input.storageTier,
    "topology.kubernetes.io/region": input.location,
    "topology.kubernetes.io/zone": zone,
  };
  if (input.kubeletIdentityClientId !== undefined) {
    labels["kubernetes.azure.com/kubelet-identity-client-id"] = input.kubeletIdentityClientId;
  }
  if (input.spot) labels["kubernetes.azure.com/scalesetpriority"] = "spot";
  if (input.fips) labels["kubernetes.azure.com/fips_enabled"] = "true";
  if (/^standard_n/i.test(input.vmSize)) {
    labels["kubernetes.azure.com/accelerator"] = "nvidia";
    labels.accelerator = "nvidia";
  }
  return { ...labels, ...input.userLabels };
}

/**
 * Labels whose change AKS's node validating webhook denies (fact sheet §5.1: the system labels frozen by the
 * 2021-08-19 release, and anything under the `kubernetes.azure.com/` prefix since 2021-10-28).
 */
export const PROTECTED_LABELS: ReadonlySet<string> = new Set([
  "beta.kubernetes.io/arch",
  "beta.kubernetes.io/instance-type",
  "beta.kubernetes.io/os",
  "failure-domain.beta.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.kubernetes.io/zone",
  "failure-domain.kubernetes.io/region",
  "kubernetes.io/arch",
  "kubernetes.io/hostname",
  "kubernetes.io/os",
  "kubernetes.io/role",
  "kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "topology.kubernetes.io/region",
  "topology.kubernetes.io/zone",
  "node-role.kubernetes.io/agent",
  "agentpool",
  "storageprofile",
  "storagetier",
  "accelerator",
]);

export function isProtectedLabel(key: string): boolean {
  return PROTECTED_LABELS.has(key) || key.startsWith("kubernetes.azure.com/");
}

/** Parses the pool's `nodeTaints` entries (`key=value:Effect`). */
export function parseTaint(text: string): Taint | undefined {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text.trim());
  if (m === null) return undefined;
  return m[2] === undefined
    ? { key: m[1]!, effect: m[3] as Taint["effect"] }
    : { key: m[1]!, value: m[2], effect: m[3] as Taint["effect"] };
}

// --- events --------------------------------------------------------------------------------------------------------

/** At most this many events are kept per node (Kubernetes keeps events for an hour; the listing shows the recent). */
export const MAX_EVENTS = 50;

export function addEvent(
  node: NodeState,
  event: Omit<NodeEvent, "count" | "firstTimestamp" | "lastTimestamp">,
  at: Date,
): void {
  const iso = at.toISOString();
  node.events.push({ ...event, firstTimestamp: iso, lastTimestamp: iso, count: 1 });
  if (node.events.length > MAX_EVENTS) node.events.splice(0, node.events.length - MAX_EVENTS);
}

const ACTION_NOUN: Record<RemedyAction, string> = { reboot: "Reboot", reimage: "Reimage", redeploy: "Redeploy" };

/** The Kubernetes events auto-repair emits (fact sheet §4.3). */
export const repairEvents = {
  start: (action: RemedyAction) => ({
    type: "Normal" as const,
    reason: `Node${ACTION_NOUN[action]}Start`,
    message: `Node auto-repair is initiating a ${action} action due to NotReady status persisting for more than five minutes.`,
    source: REPAIR_SOURCE,
  }),
  end: (action: RemedyAction) => ({
    type: "Normal" as const,
    reason: `Node${ACTION_NOUN[action]}End`,
    message: `${ACTION_NOUN[action]} action from node auto-repair is completed.`,
    source: REPAIR_SOURCE,
  }),
  error: (action: RemedyAction, code: string) => ({
    type: "Warning" as const,
    reason: `Node${ACTION_NOUN[action]}Error`,
    message: `Node auto-repair ${action} action failed due to an operation failure. See error details here: ${code}`,
    source: REPAIR_SOURCE,
  }),
};
