/** The AKS support policy, executable: rules on the clock, the supportability verdict, platform actions. */
export {
  Policy,
  type ClusterSupportability,
  type FactSource,
  type FeatureDetector,
  type PolicyOptions,
} from "./engine.js";
export { PLATFORM_CALLER, clusterActionsOf, type ClusterActions, type ClusterOperationsApi } from "./actions.js";
export { RULES } from "./rules/index.js";
export type { Finding, PlannedAction, PolicyRecord, Rule, RuleResult, SupportVerdict } from "./types.js";
