/**
 * Rule 3: Kubernetes version support moves with the calendar.
 *
 * Policy, «Responsabilidades del cliente sobre los nodos de agente de AKS»: "Usted es el responsable de mantener
 * actualizada la versión de Kubernetes de los clústeres y de acuerdo con la directiva de versión de compatibilidad con
 * Kubernetes AKS." The version policy itself is the fact sheet §2.1 (community support N-2 for 12 months, then
 * platform support N-3 until the cluster would be N-4), §2.3 (LTS: Premium tier + `AKSLongTermSupport`, one more
 * year) and §1 "Related FAQ facts": a cluster on N-3 about to drop to N-4 is upgraded by AKS to N-2 ("enabled by
 * default").
 *
 * The dates come from the version catalog (src/providers/containerservice/versions), never from a second calendar.
 * Modelling choices: the platform upgrade happens at the end of platform support, to the oldest minor then in
 * community support (latest patch), as a full cluster upgrade run as the platform; it needs a running cluster with no
 * operation in flight and in a `Succeeded` state: a stopped (or failed) cluster is left out of support instead, and
 * the archiving rule takes over. LTS clusters are judged against the LTS end of life and are not auto-upgraded.
 */
import { compareVersions, parseVersion, type VersionCatalog } from "../../providers/containerservice/versions/index.js";
import { emptyResult, iso, type ClusterFacts, type Rule, type RuleResult } from "../types.js";

export const VERSION_SECTION = "Responsabilidades del cliente sobre los nodos de agente de AKS";

/** The version the platform upgrades a cluster on `version` to, at the instant of `catalog`: N-2, latest patch. */
export function platformUpgradeTarget(catalog: VersionCatalog, version: string): string | undefined {
  const current = parseVersion(version);
  if (current === undefined) return undefined;
  const target = catalog
    .minors()
    .filter((m) => m.support === "Community" && (parseVersion(m.minor)?.minor ?? 0) > current.minor)
    .sort((a, b) => compareVersions(a.minor, b.minor))[0];
  return target?.patches[target.patches.length - 1];
}

export const versionSupport: Rule = {
  id: "kubernetes-version-support",
  section: VERSION_SECTION,
  facts: "aks-policy-facts.md §2.1, §2.3, §1 (FAQ: N-3 → N-2)",
  evaluate(cluster: ClusterFacts, now: Date): RuleResult {
    const result = emptyResult();
    const support = cluster.catalog.supportOf(cluster.version, cluster.lts);
    const minor = cluster.catalog.minor(cluster.version);
    const minorName = minor?.minor ?? cluster.version;
    const ltsCovers = cluster.lts && minor?.hasLts === true;
    const platformEnd = minor?.platformEndAt;
    const handled = cluster.record.platformUpgradeHandled?.minor === minorName;

    // The platform upgrade at the end of platform support (planned ahead while the cluster is supported).
    const planUpgrade = (at: Date): string | undefined => {
      if (handled) return undefined;
      const target = platformUpgradeTarget(cluster.catalogAt(at), cluster.version);
      if (target === undefined) return undefined;
      result.actions.push({
        action: "upgrade",
        at,
        rule: this.id,
        targetVersion: target,
        reason: `Kubernetes ${minorName} leaves platform support (N-3 would become N-4) on ${iso(at)}: AKS upgrades the cluster to N-2 (${target}).`,
      });
      return target;
    };

    switch (support.status) {
      case "Supported": {
        const preview = minor?.support === "Preview";
        result.findings.push({
          rule: this.id,
          policySection: this.section,
          message: preview
            ? `Kubernetes ${cluster.version} is a preview version (GA on ${iso(minor!.gaAt)}).`
            : `Kubernetes ${cluster.version} is in community support (the N-2 window) until ${iso(support.until!)}.`,
          since: iso(support.since),
          deadline: iso(support.until!),
          consequence: ltsCovers
            ? `Kubernetes ${minorName} continues under long-term support (AKSLongTermSupport) until ${iso(minor!.ltsEndAt)}.`
            : `Kubernetes ${minorName} enters platform support (N-3): only Azure platform issues are supported; upgrade to a supported version.`,
          verdict: "Supported",
        });
        if (!ltsCovers && platformEnd !== undefined) planUpgrade(platformEnd);
        break;
      }
      case "LtsSupported":
        result.findings.push({
          rule: this.id,
          policySection: this.section,
          message: `Kubernetes ${cluster.version} left community support on ${iso(support.since)} and is covered by long-term support (AKSLongTermSupport) until ${iso(support.until!)}.`,
          since: iso(support.since),
          deadline: iso(support.until!),
          consequence: `Out of support after ${iso(support.until!)}; upgrade to a later LTS or community version before then.`,
          verdict: "Supported",
        });
        break;
      case "PlatformSupport": {
        const target = planUpgrade(support.until!);
        result.findings.push({
          rule: this.id,
          policySection: this.section,
          message: `Kubernetes ${cluster.version} is in platform support (N-3) since ${iso(support.since)}: only Azure platform issues are supported (no Kubernetes component fixes, no new clusters on it). Upgrade to a supported version (az aks get-upgrades).`,
          since: iso(support.since),
          deadline: iso(support.until!),
          consequence:
            target !== undefined
              ? `AKS upgrades the cluster to ${target} (N-2) when ${minorName} would become N-4; a stopped cluster is left out of support instead.`
              : `Kubernetes ${minorName} goes out of support.`,
          verdict: "PlatformSupport",
        });
        break;
      }
      case "OutOfSupport": {
        result.findings.push({
          rule: this.id,
          policySection: this.section,
          message: `Kubernetes ${cluster.version} has been out of support since ${iso(support.since)}. Upgrade to a supported version (az aks get-upgrades lists them).`,
          since: iso(support.since),
          verdict: "OutOfSupport",
        });
        // It just fell off platform support and the platform has not dealt with it yet: the upgrade is due now.
        if (
          platformEnd !== undefined &&
          support.since.getTime() === platformEnd.getTime() &&
          !handled &&
          now.getTime() >= platformEnd.getTime()
        ) {
          planUpgrade(platformEnd);
        }
        break;
      }
    }
    // Re-evaluate when the support status changes, unless an action is already planned (it wakes the engine anyway).
    if (support.until !== undefined && result.actions.length === 0) result.checkpoints.push(support.until);
    return result;
  },
};
