/**
 * Rule 2: clusters of a suspended subscription are stopped at once and deleted after 90 days; clusters of a deleted
 * subscription are deleted at once.
 *
 * Policy, «Nodos detenidos, no asignados y sin preparar»: "Todos los clústeres de una suscripción suspendida se
 * detendrán inmediatamente y se eliminarán después de 90 días. Todos los clústeres de una suscripción eliminada se
 * eliminarán inmediatamente." Fact sheet §1.6 (90 days) and §1.7.
 *
 * ARM's `Disabled` state is the suspended subscription (writes refused with `ReadOnlyDisabledSubscription`, see
 * src/server/app.ts); re-enabling it before the 90 days keeps the clusters (stopped: the customer starts them).
 */
import { DAY } from "../../clock/duration.js";
import { emptyResult, iso, type ClusterFacts, type Rule, type RuleResult } from "../types.js";

export const SUSPENDED_RETENTION_DAYS = 90;

export const suspendedSubscriptions: Rule = {
  id: "suspended-subscription",
  section: "Nodos detenidos, no asignados y sin preparar",
  facts: "aks-policy-facts.md §1.6, §1.7",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    const since = cluster.subscriptionStateSince;
    if (cluster.subscriptionState === "Disabled") {
      const deadline = new Date(since.getTime() + SUSPENDED_RETENTION_DAYS * DAY);
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `Subscription '${cluster.subscriptionId}' has been suspended (Disabled) since ${iso(since)}: its clusters are stopped at once and deleted after ${SUSPENDED_RETENTION_DAYS} days. Re-enable the subscription before ${iso(deadline)} to keep the cluster.`,
        since: iso(since),
        deadline: iso(deadline),
        consequence: "The platform deletes the cluster and its node resource group.",
        verdict: "Supported",
      });
      if (cluster.powerState === "Running") {
        result.actions.push({
          action: "stop",
          at: since,
          rule: this.id,
          reason: `Subscription suspended on ${iso(since)}: its clusters are stopped at once (policy: ${this.section}).`,
        });
      }
      result.actions.push({
        action: "delete",
        at: deadline,
        rule: this.id,
        reason: `Subscription suspended since ${iso(since)}: its clusters are deleted after ${SUSPENDED_RETENTION_DAYS} days (policy: ${this.section}).`,
      });
    } else if (cluster.subscriptionState === "Deleted") {
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `Subscription '${cluster.subscriptionId}' was deleted on ${iso(since)}: its clusters are deleted at once.`,
        since: iso(since),
        deadline: iso(since),
        consequence: "The platform deletes the cluster and its node resource group.",
        verdict: "OutOfSupport",
      });
      result.actions.push({
        action: "delete",
        at: since,
        rule: this.id,
        reason: `Subscription deleted on ${iso(since)}: its clusters are deleted at once (policy: ${this.section}).`,
      });
    }
    return result;
  },
};
