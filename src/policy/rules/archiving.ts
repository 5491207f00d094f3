/**
 * Rule 4: control planes out of support for 30 days or more are archived; a PUT that brings the cluster back into
 * support restores them.
 *
 * Policy, «Nodos detenidos, no asignados y sin preparar»: "AKS se reserva el derecho de archivar los planos de control
 * que se han configurado fuera de las directrices de compatibilidad durante períodos prolongados iguales o superiores
 * a 30 días. AKS mantiene copias de seguridad de los metadatos de etcd del clúster y puede reasignar fácilmente el
 * clúster. Esta reasignación se inicia con cualquier operación PUT haciendo que el clúster vuelva a ser compatible,
 * como una actualización o un escalado a los nodos de agente activos." Fact sheet §1.5.
 *
 * "Out of support" here is the Kubernetes version being out of support (rule 3). While archived the cluster keeps its
 * resource and data, but its credentials and command API are refused (see engine.ts `assertNotArchived`).
 */
import { DAY } from "../../clock/duration.js";
import { emptyResult, iso, type ClusterFacts, type Rule, type RuleResult } from "../types.js";

export const ARCHIVE_AFTER_DAYS = 30;

export const archiving: Rule = {
  id: "control-plane-archiving",
  section: "Nodos detenidos, no asignados y sin preparar",
  facts: "aks-policy-facts.md §1.5",
  evaluate(cluster: ClusterFacts, now: Date): RuleResult {
    const result = emptyResult();
    const support = cluster.catalog.supportOf(cluster.version, cluster.lts);
    const archivedAt = cluster.record.archivedAt;
    if (support.status !== "OutOfSupport") {
      if (archivedAt !== undefined) {
        result.actions.push({
          action: "restore",
          at: now,
          rule: this.id,
          reason: `Kubernetes ${cluster.version} is supported again: the archived control plane is reallocated from its etcd backups.`,
        });
      }
      return result;
    }
    const archiveAt = new Date(support.since.getTime() + ARCHIVE_AFTER_DAYS * DAY);
    const restoreHint =
      "Upgrade it to a supported version (az aks get-upgrades lists them; an upgrade is a PUT) to bring it back into support and restore it.";
    if (archivedAt !== undefined) {
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `The control plane was archived on ${archivedAt} after ${ARCHIVE_AFTER_DAYS} days out of support: the cluster keeps its resource and data, but its credentials and API are unavailable. ${restoreHint}`,
        since: archivedAt,
        verdict: "OutOfSupport",
      });
      return result;
    }
    result.findings.push({
      rule: this.id,
      policySection: this.section,
      message: `The cluster has been out of support since ${iso(support.since)}; AKS archives control planes that stay out of support for ${ARCHIVE_AFTER_DAYS} days or more. ${restoreHint}`,
      since: iso(support.since),
      deadline: iso(archiveAt),
      consequence:
        "The platform archives the control plane: credentials and API unavailable until a PUT brings the cluster back into support.",
      verdict: "OutOfSupport",
    });
    result.actions.push({
      action: "archive",
      at: archiveAt,
      rule: this.id,
      reason: `Out of support since ${iso(support.since)} (Kubernetes ${cluster.version}) for ${ARCHIVE_AFTER_DAYS} days: the control plane is archived (policy: ${this.section}).`,
    });
    return result;
  },
};
