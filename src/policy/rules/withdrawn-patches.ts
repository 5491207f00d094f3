/**
 * Rule 3b: a Kubernetes patch that AKS withdraws stays supported for 30 days; then the cluster must be on an offered
 * patch to stay supported.
 *
 * Policy, «Responsabilidades del cliente sobre los nodos de agente de AKS»: "AKS lanza periódicamente nuevas
 * revisiones de Kubernetes y versiones secundarias [...] Usted es el responsable de mantener actualizada la versión de
 * Kubernetes de los clústeres". Fact sheet §2.2: "customer has 30 days from a patch's removal to move to a supported
 * patch". When a patch is removed comes from the version catalog (`patchWithdrawnAt`: its successor is 60 days old,
 * or it fell out of the newest three).
 *
 * Clusters on an auto-upgrade channel that moves patches (`patch`, `stable`, `rapid`) are left out: AKS keeps them on
 * offered patches itself (fact sheet §3.2, cluster auto-upgrade channels). aksemu does not run auto-upgrades, so
 * their version stays as it is, and the verdict assumes the upgrade AKS would make.
 *
 * Only while the minor itself is supported (community or LTS): below that, rule 3 (version-support.ts) already judges
 * the cluster by its minor. The rule only gives a verdict: the platform takes no action for a withdrawn patch, and
 * archiving (rule 4) counts from the minor's end of support, not from this.
 */
import { DAY } from "../../clock/duration.js";
import { emptyResult, iso, type ClusterFacts, type Rule, type RuleResult } from "../types.js";
import { VERSION_SECTION } from "./version-support.js";

export const PATCH_GRACE_DAYS = 30;

/** Auto-upgrade channels under which AKS itself moves the cluster to newer patches. */
const PATCH_CHANNELS = new Set(["patch", "stable", "rapid"]);

export const withdrawnPatches: Rule = {
  id: "withdrawn-kubernetes-patch",
  section: VERSION_SECTION,
  facts: "aks-policy-facts.md §2.2 (30 days from a patch's removal)",
  evaluate(cluster: ClusterFacts, now: Date): RuleResult {
    const result = emptyResult();
    if (PATCH_CHANNELS.has(cluster.autoUpgradeChannel ?? "none")) return result;
    const support = cluster.catalog.supportOf(cluster.version, cluster.lts).status;
    if (support !== "Supported" && support !== "LtsSupported") return result;
    const withdrawnAt = cluster.catalog.patchWithdrawnAt(cluster.version);
    if (withdrawnAt === undefined) return result;
    const graceEnd = new Date(withdrawnAt.getTime() + PATCH_GRACE_DAYS * DAY);
    const move = "Upgrade to an offered patch of the same minor (az aks get-upgrades lists them).";
    if (now.getTime() < graceEnd.getTime()) {
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `Kubernetes ${cluster.version} is no longer offered since ${iso(withdrawnAt)}: it stays supported for ${PATCH_GRACE_DAYS} days. ${move}`,
        since: iso(withdrawnAt),
        deadline: iso(graceEnd),
        consequence: `Out of support from ${iso(graceEnd)} until the cluster runs an offered patch.`,
        verdict: "Supported",
      });
      result.checkpoints.push(graceEnd);
    } else {
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `Kubernetes ${cluster.version} was withdrawn on ${iso(withdrawnAt)} and its ${PATCH_GRACE_DAYS} days of grace ended on ${iso(graceEnd)}: the cluster is out of support until it runs an offered patch. ${move}`,
        since: iso(graceEnd),
        verdict: "OutOfSupport",
      });
    }
    return result;
  },
};
