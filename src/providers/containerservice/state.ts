/**
 * The lifecycle state machines of managed clusters and agent pools, as explicit tables.
 *
 * - `CLUSTER_ACTIONS` / `POOL_ACTIONS`: for each operation, the provisioningState shown while it runs, the power state
 *   it leads to, and what completion does (`settle`: back to Succeeded; `remove`: the resource goes away).
 * - `ALLOWED_BY_POWER`: what a cluster accepts in each power state (AKS: a stopped cluster takes only start and
 *   delete, fact sheet §4.1).
 * - Durations: AKS-like emulated minutes for `--realistic-timings`; otherwise every operation takes the server's
 *   default operation duration (fast). The minutes follow the recordings of real AKS (shared/aks-recordings, both
 *   sets: from a write's answer to the first poll that found it done, median, where there are at least 8 samples):
 *   cluster create 302 s (273 creates), update 121 s (140), scale 271 s (25), delete 300 s (8); pool add 241 s (66),
 *   update 30 s (34), scale 180 s (8). The rest have too few samples and stay estimates.
 */
import type { PowerCode, ProvisioningState } from "./model.js";

/** The operations clusters and pools share; each adds one of its own. */
type CommonAction = "Creating" | "Updating" | "Upgrading" | "Scaling" | "Stopping" | "Starting" | "Deleting";

export type ClusterAction = CommonAction | "RotatingClusterCertificates";

export type PoolAction = CommonAction | "UpgradingNodeImageVersion";

export interface Transition {
  /** provisioningState while the operation runs. */
  during: ProvisioningState;
  /** Power state set when the operation begins (AKS shows the target power state at once). */
  power?: PowerCode;
  /** What completion does. */
  completion: "settle" | "remove";
  /** Emulated minutes under `--realistic-timings`. */
  realisticMinutes: number;
}

const MINUTE = 60_000;

export const CLUSTER_ACTIONS: Readonly<Record<ClusterAction, Transition>> = {
  Creating: { during: "Creating", power: "Running", completion: "settle", realisticMinutes: 5 },
  Updating: { during: "Updating", completion: "settle", realisticMinutes: 2 },
  Upgrading: { during: "Upgrading", completion: "settle", realisticMinutes: 10 },
  Scaling: { during: "Scaling", completion: "settle", realisticMinutes: 4.5 },
  Stopping: { during: "Stopping", power: "Stopped", completion: "settle", realisticMinutes: 2 },
  Starting: { during: "Starting", power: "Running", completion: "settle", realisticMinutes: 4 },
  Deleting: { during: "Deleting", completion: "remove", realisticMinutes: 5 },
  RotatingClusterCertificates: {
    during: "RotatingClusterCertificates",
    completion: "settle",
    realisticMinutes: 12,
  },
};

export const POOL_ACTIONS: Readonly<Record<PoolAction, Transition>> = {
  Creating: { during: "Creating", power: "Running", completion: "settle", realisticMinutes: 4 },
  Updating: { during: "Updating", completion: "settle", realisticMinutes: 0.5 },
  Upgrading: { during: "Upgrading", completion: "settle", realisticMinutes: 6 },
  Scaling: { during: "Scaling", completion: "settle", realisticMinutes: 3 },
  Stopping: { during: "Stopping", power: "Stopped", completion: "settle", realisticMinutes: 2 },
  Starting: { during: "Starting", power: "Running", completion: "settle", realisticMinutes: 3 },
  Deleting: { during: "Deleting", completion: "remove", realisticMinutes: 2 },
  UpgradingNodeImageVersion: { during: "UpgradingNodeImageVersion", completion: "settle", realisticMinutes: 5 },
};

/** Operations a cluster accepts in each power state. Pool operations count as cluster writes. */
export const ALLOWED_BY_POWER: Readonly<Record<PowerCode, ReadonlySet<ClusterAction>>> = {
  Running: new Set<ClusterAction>([
    "Creating",
    "Updating",
    "Upgrading",
    "Scaling",
    "Stopping",
    "Deleting",
    "RotatingClusterCertificates",
  ]),
  Stopped: new Set<ClusterAction>(["Starting", "Deleting"]),
};

/** provisioningStates that mean "no operation is running". */
export const TERMINAL_STATES: ReadonlySet<ProvisioningState> = new Set(["Succeeded", "Failed", "Canceled"]);

export function durationMs(
  kind: "cluster" | "pool",
  action: ClusterAction | PoolAction,
  realistic: boolean,
  defaultMs: number,
): number {
  if (!realistic) return defaultMs;
  const table = kind === "cluster" ? CLUSTER_ACTIONS : POOL_ACTIONS;
  const transition = (table as Record<string, Transition>)[action];
  return (transition?.realisticMinutes ?? 1) * MINUTE;
}

/**
 * Changes in how AKS answers that the real service rolled out on a date, not with an api-version (the recordings show
 * the same api-version answered differently before and after). aksemu follows its clock: a server whose clock is set
 * to a past date answers as AKS did then. Each date lies between the last recording with the old behaviour and the
 * first with the new one (shared/aks-recordings), and is only as precise as that gap.
 */
export const AKS_BEHAVIOUR_CHANGES = {
  /**
   * Until then, a cluster operation's completion rewrote `networkProfile.loadBalancerSku` canonically (`standard` →
   * `Standard`); since, AKS keeps the client's spelling (last normalised: 2024-02-28, first kept: 2024-04-07).
   */
  loadBalancerSkuKeptAsSent: Date.parse("2024-03-15T00:00:00Z"),
  /**
   * Since then, a cluster created without `networkProfile.networkPolicy` shows `networkPolicy: "none"` (before: the
   * property was left out). Last absent: 2024-07-03; first `none`: 2024-07-22.
   */
  networkPolicyNoneByDefault: Date.parse("2024-07-15T00:00:00Z"),
  /**
   * Until then, an update that re-images the nodes without changing versions (enabling Windows gMSA) showed every
   * agent pool `Upgrading` with the cluster; since, the pools stay `Succeeded` (2022-10-25: pools Upgrading;
   * 2023-09-07: Succeeded).
   */
  poolsStayStillOnReimage: Date.parse("2023-03-01T00:00:00Z"),
  /**
   * For a while, a scale through the managed cluster API (`az aks scale`) showed the cluster and the scaled pool
   * `Scaling`; before and after, `Updating`. Recorded: 2023-06-29 Updating; 2024-04-07 Scaling (five recordings);
   * 2024-07-22 Updating again. The window's edges are not pinned closer than that.
   */
  scaleShownAsScaling: Date.parse("2024-03-15T00:00:00Z"),
  /**
   * Since then, the load balancer profile of a cluster whose outbound goes through a NAT gateway shows
   * `backendPoolType: "nodeIPConfiguration"` (before: `{}`). Every load balancer profile recorded until 2024-01-16 lacks
   * the field, every one from 2024-01-25 has it (one early sighting on 2023-12-08); NAT gateway answers: 2023-07-26
   * `{}`, 2024-04-23 with it.
   */
  backendPoolTypeBehindNatGateway: Date.parse("2024-01-20T00:00:00Z"),
  /**
   * `networkProfile.dockerBridgeCidr` (default 172.17.0.1/16, unused since containerd) left the API with api-version
   * 2023-04-01, which AKS announced fully rolled out by 2023-05-26 (Azure/AKS#3534); older api-versions keep it at any
   * date. Until then every answer carried it, whatever api-version a client names (the newer ones did not exist yet):
   * recorded 2023-04-29 (api-version 2023-02-01) with it, 2023-06-14 (2023-04-01) without; the top-level recordings of
   * 2022 that azure-cli bumped to 2024-09-01 by text replacement keep it.
   */
  dockerBridgeCidrRetired: Date.parse("2023-05-26T00:00:00Z"),
  /**
   * Since then, managed clusters show their `eTag`, and agent pools theirs (`properties.eTag`, and in the cluster's
   * `agentPoolProfiles`), on the api-versions whose spec has the field (stable 2024-09-01 on, 2024-04-02-preview),
   * for If-Match / If-None-Match. The 2024-09-01 spec already had it, but no answer recorded up to 2024-11-21 at that
   * api-version carries it; az 2.69.0 (released 2025-02-04) shipped `--if-match` / `--if-none-match` for
   * `az aks create/update/delete` (Azure/azure-cli#30309), taken here as the rollout.
   */
  eTagsShown: Date.parse("2025-02-04T00:00:00Z"),
  /**
   * Since then, a cluster created on Kubernetes 1.30 or later without `networkProfile.networkPlugin` gets Azure CNI
   * Overlay instead of kubenet: AKS's release of 2024-10-25 (Azure/AKS CHANGELOG). No recording has such a cluster
   * before it; 2024-11-20: Overlay (1.31.1).
   */
  overlayByDefaultFrom130: Date.parse("2024-10-25T00:00:00Z"),
  /**
   * Trusted Launch went GA (Azure/AKS#2562, 2024-10-09): from then on a pool runs it only when it asks (Secure Boot or
   * vTPM). Before, a subscription that had registered the `TrustedLaunchPreview` flag got the Trusted Launch image on
   * every new Ubuntu pool ("the default image will be changed after enabling this feature":
   * `AKSUbuntu-2204gen2containerd-202403.04.0` → `AKSUbuntu-2204gen2TLcontainerd-202403.04.0`, MicrosoftDocs/azure-docs
   * #121091); the recordings show such pools on 2024-02-26/27 and 2024-07-26.
   */
  trustedLaunchGa: Date.parse("2024-10-09T00:00:00Z"),
  scaleShownAsUpdatingAgain: Date.parse("2024-07-15T00:00:00Z"),
} as const;

/** Whether AKS had rolled out `change` at `nowMs`. */
export function behaviourSince(change: keyof typeof AKS_BEHAVIOUR_CHANGES, nowMs: number): boolean {
  return nowMs >= AKS_BEHAVIOUR_CHANGES[change];
}
