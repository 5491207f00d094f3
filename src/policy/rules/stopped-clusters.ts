/**
 * Rule 1: stopped clusters are kept 12 months, then deleted with all their resources.
 *
 * Policy, «Nodos detenidos, no asignados y sin preparar»: "Si detiene un clúster mediante el comando az aks stop, el
 * estado del clúster se conserva durante un máximo de 12 meses. Después de 12 meses, se eliminan el estado del clúster
 * y todos sus recursos." Fact sheet §1.2 (12 months) and §4.1.
 *
 * Starting the cluster before the deadline ends the finding (the timer re-evaluates and finds it running).
 */
import { addMonths } from "../../clock/duration.js";
import { emptyResult, iso, type ClusterFacts, type Rule, type RuleResult } from "../types.js";

export const STOPPED_RETENTION_MONTHS = 12;

export const stoppedClusters: Rule = {
  id: "stopped-cluster-retention",
  section: "Nodos detenidos, no asignados y sin preparar",
  facts: "aks-policy-facts.md §1.2",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    if (cluster.powerState !== "Stopped" || cluster.stoppedAt === undefined) return result;
    const deadline = addMonths(cluster.stoppedAt, STOPPED_RETENTION_MONTHS);
    result.findings.push({
      rule: this.id,
      policySection: this.section,
      message: `The cluster has been stopped since ${iso(cluster.stoppedAt)}. AKS keeps a stopped cluster's state for at most ${STOPPED_RETENTION_MONTHS} months; start it (az aks start) before ${iso(deadline)} to keep it.`,
      since: iso(cluster.stoppedAt),
      deadline: iso(deadline),
      consequence: `The platform deletes the cluster and its node resource group${cluster.nodeResourceGroup === undefined ? "" : ` '${cluster.nodeResourceGroup}'`}.`,
      verdict: "Supported",
    });
    result.actions.push({
      action: "delete",
      at: deadline,
      rule: this.id,
      reason: `Stopped since ${iso(cluster.stoppedAt)}: a stopped cluster's state is kept for ${STOPPED_RETENTION_MONTHS} months (policy: ${this.section}).`,
    });
    return result;
  },
};
