/**
 * The vocabulary of the support policy: what a rule sees about a cluster (its facts), what it concludes (findings)
 * and what it makes the platform do, and when (planned actions).
 *
 * A rule is a small pure unit, `evaluate(cluster, now) → {findings, actions, checkpoints}`, written so that it can be
 * read next to the section of the policy it implements (shared/seed/000_76262a296812fcd4.txt, whose Spanish section
 * headings the rules cite, and the fact sheet shared/aks-data/aks-policy-facts.md). Rules never touch the store: the
 * engine (engine.ts) schedules a clock timer at the earliest action or checkpoint, and when it fires re-evaluates the
 * rules and runs the actions that are due through the provider's own operations.
 */
import type { VersionCatalog } from "../providers/containerservice/versions/index.js";

export type SupportVerdict = "Supported" | "PlatformSupport" | "BestEffort" | "OutOfSupport";

/** Severity order of verdicts: the cluster's status is the most severe verdict among its findings. */
export const VERDICT_ORDER: readonly SupportVerdict[] = ["Supported", "BestEffort", "PlatformSupport", "OutOfSupport"];

export interface Finding {
  rule: string;
  /** The heading of the policy section, as the policy writes it (Spanish). */
  policySection: string;
  message: string;
  /** ISO instant since when the finding holds. */
  since: string;
  deadline?: string;
  consequence?: string;
  /** What the finding does to the cluster's support status (not on the wire: the status sums it up). */
  verdict: SupportVerdict;
}

export type PlatformActionKind = "stop" | "delete" | "upgrade" | "archive" | "restore";

export interface PlannedAction {
  action: PlatformActionKind;
  at: Date;
  rule: string;
  /** Said in the activity log and the operation: why the platform acts. */
  reason: string;
  /** For `upgrade`: the version the platform upgrades to. */
  targetVersion?: string;
}

export interface RuleResult {
  findings: Finding[];
  actions: PlannedAction[];
  /** Instants at which this rule's conclusions change even though no action is due (re-evaluate then). */
  checkpoints: Date[];
}

/** What the policy keeps about each cluster (not on the wire; see engine.ts for where it is stored). */
export interface PolicyRecord {
  clusterId: string;
  /** The power state the policy last saw, and since when (etcd backups are counted from these). */
  power?: "Running" | "Stopped";
  runningSince?: string;
  stoppedAt?: string;
  /** Set once the platform archived the control plane; cleared when a PUT brought the cluster back into support. */
  archivedAt?: string;
  archivedReason?: string;
  /** The minor whose end of platform support the platform already handled (upgraded, or left out of support). */
  platformUpgradeHandled?: { minor: string; at: string; outcome: string };
  /** The pending policy timer (its sequence number and due instant), so rescheduling is a keyed delete. */
  timerSeq?: number;
  timerDue?: number;
}

export interface ClusterFacts {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  nodeResourceGroup: string | undefined;
  powerState: "Running" | "Stopped";
  provisioningState: string;
  /** The version the control plane runs (`currentKubernetesVersion`). */
  version: string;
  /** Premium tier with the `AKSLongTermSupport` plan. */
  lts: boolean;
  /** `autoUpgradeProfile.upgradeChannel` (`none`, `patch`, `stable`, `rapid`, `node-image`), if set. */
  autoUpgradeChannel: string | undefined;
  /** An operation is in progress on the cluster: the platform waits for it to end. */
  busy: boolean;
  stoppedAt: Date | undefined;
  stoppedBy: string | undefined;
  subscriptionState: string;
  subscriptionStateSince: Date;
  record: PolicyRecord;
  /** The version catalog at the instant of evaluation. */
  catalog: VersionCatalog;
  /** The catalog at another instant (pure; used to say what a future platform upgrade will pick). */
  catalogAt: (at: Date) => VersionCatalog;
  /** Preview features the cluster uses (names), and alpha features (names). */
  previewFeatures: string[];
  alphaFeatures: string[];
  /** ISO instant the cluster was created. */
  createdAt: string;
}

export interface Rule {
  id: string;
  /** Heading of the policy section (Spanish, as in the policy text). */
  section: string;
  /** Where the fact sheet states the numbers (e.g. `aks-policy-facts.md §1.2`). */
  facts: string;
  evaluate(cluster: ClusterFacts, now: Date): RuleResult;
}

export function emptyResult(): RuleResult {
  return { findings: [], actions: [], checkpoints: [] };
}

export function iso(date: Date): string {
  return date.toISOString();
}
