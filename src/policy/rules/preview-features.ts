/**
 * Rule 6: preview features get best-effort support (business hours only); alpha features are not supported.
 *
 * Policy, «Características en versión preliminar o marcas de característica»: "Las características de la versión
 * preliminar pública se encuentran en asistencia al mejor esfuerzo [...] Los equipos de soporte técnico de AKS solo
 * proporcionan soporte técnico durante el horario comercial." and «Características de Kubernetes alfa y beta no
 * admitidas»: "AKS no admite características alfa". Fact sheet §1.12, §1.13.
 *
 * Which features a cluster uses comes from `ClusterFacts.previewFeatures` / `alphaFeatures`, filled by the engine's
 * feature detectors: today a preview Kubernetes version; the feature-flag provider (a later issue) adds its own
 * detector through `Policy.addFeatureDetector`.
 */
import { emptyResult, type ClusterFacts, type Rule, type RuleResult } from "../types.js";

export const previewFeatures: Rule = {
  id: "preview-features",
  section: "Características en versión preliminar o marcas de característica",
  facts: "aks-policy-facts.md §1.13",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    if (cluster.previewFeatures.length > 0) {
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `The cluster uses preview features (${cluster.previewFeatures.join(", ")}): they are not for production and get best-effort support, during business hours only.`,
        since: cluster.createdAt,
        verdict: "BestEffort",
      });
    }
    return result;
  },
};

export const alphaFeatures: Rule = {
  id: "alpha-features",
  section: "Características de Kubernetes alfa y beta no admitidas",
  facts: "aks-policy-facts.md §1.12",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    if (cluster.alphaFeatures.length > 0) {
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `The cluster uses Kubernetes alpha features (${cluster.alphaFeatures.join(", ")}), which AKS does not support. Turn them off to get back into support.`,
        since: cluster.createdAt,
        verdict: "OutOfSupport",
      });
    }
    return result;
  },
};
