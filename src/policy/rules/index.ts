/** Every rule of the support policy, in the order the engine evaluates them (and runs their due actions). */
import type { Rule } from "../types.js";
import { archiving } from "./archiving.js";
import { alphaFeatures, previewFeatures } from "./preview-features.js";
import { stoppedClusters } from "./stopped-clusters.js";
import { suspendedSubscriptions } from "./suspended-subscriptions.js";
import { versionSupport } from "./version-support.js";
import { withdrawnPatches } from "./withdrawn-patches.js";

export const RULES: readonly Rule[] = [
  suspendedSubscriptions,
  stoppedClusters,
  versionSupport,
  withdrawnPatches,
  archiving,
  previewFeatures,
  alphaFeatures,
];

export {
  archiving,
  alphaFeatures,
  previewFeatures,
  stoppedClusters,
  suspendedSubscriptions,
  versionSupport,
  withdrawnPatches,
};
export { lastEtcdBackup, ETCD_BACKUP_INTERVAL_MS, ETCD_BACKUP_SECTION } from "./etcd-backups.js";
export { platformUpgradeTarget } from "./version-support.js";
export { endOfSupportNotice, type ScheduledEvent } from "./end-of-support-notices.js";
