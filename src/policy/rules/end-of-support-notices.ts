/**
 * End-of-support notices: the scheduled events AKS publishes in Azure Resource Graph
 * (`microsoft.containerservice/managedclusters/scheduledevents`) as a cluster's Kubernetes version nears and passes its
 * end of life. Fact sheet §4.4: `KubernetesVersionEOLTwoWeeks` (from 14 days before), `KubernetesVersionEOLOneWeek`
 * (7 days before), `KubernetesVersionOutOfSupport` (after, repeated weekly); payload `eventDetails{kubernetesVersion,
 * eolDate, supportType: Community|LTS, daysUntilEOL (negative once past), region}`; LTS clusters are judged against the
 * LTS end of life. aksemu does not serve Resource Graph: the supportability view carries the current notice.
 *
 * Policy section: «Responsabilidades del cliente sobre los nodos de agente de AKS» (keeping the version current is the
 * customer's responsibility; these notices are how AKS says it is time).
 */
import { DAY } from "../../clock/duration.js";
import type { ClusterFacts } from "../types.js";

export interface ScheduledEvent {
  eventType: "KubernetesVersionEOLTwoWeeks" | "KubernetesVersionEOLOneWeek" | "KubernetesVersionOutOfSupport";
  /** When this occurrence was published (the weekly repeats of OutOfSupport each have their own). */
  publishedAt: string;
  eventDetails: {
    kubernetesVersion: string;
    eolDate: string;
    supportType: "Community" | "LTS";
    daysUntilEOL: number;
    region: string;
  };
}

/** The notice in force for the cluster at `now`, if any. */
export function endOfSupportNotice(cluster: ClusterFacts, now: Date): ScheduledEvent | undefined {
  const minor = cluster.catalog.minor(cluster.version);
  if (minor === undefined) return undefined;
  const lts = cluster.lts && minor.hasLts;
  const eol = lts ? minor.ltsEndAt : minor.communityEndAt;
  const untilMs = eol.getTime() - now.getTime();
  const details = {
    kubernetesVersion: cluster.version,
    eolDate: eol.toISOString(),
    supportType: lts ? ("LTS" as const) : ("Community" as const),
    daysUntilEOL: Math.ceil(untilMs / DAY),
    region: cluster.location,
  };
  if (untilMs > 14 * DAY) return undefined;
  if (untilMs > 7 * DAY) {
    return { eventType: "KubernetesVersionEOLTwoWeeks", publishedAt: new Date(eol.getTime() - 14 * DAY).toISOString(), eventDetails: details }; // prettier-ignore
  }
  if (untilMs > 0) {
    return { eventType: "KubernetesVersionEOLOneWeek", publishedAt: new Date(eol.getTime() - 7 * DAY).toISOString(), eventDetails: details }; // prettier-ignore
  }
  const weeks = Math.floor(-untilMs / (7 * DAY));
  return {
    eventType: "KubernetesVersionOutOfSupport",
    publishedAt: new Date(eol.getTime() + weeks * 7 * DAY).toISOString(),
    eventDetails: details,
  };
}
