/**
 * The node-side rules of the support policy.
 *
 * 1. IaaS changes to agent nodes. Policy, «Responsabilidad compartida»: "Cualquier modificación realizada directamente
 *    en los nodos de agente mediante cualquiera de las API de IaaS hace que el clúster sea incompatible. [...] si
 *    cambia cualquiera de los metadatos creados por el sistema, el clúster deja de ser compatible." and «Personalización
 *    de usuarios de nodos de agente»: changes not made through the AKS API do not survive an upgrade, scale or
 *    restart; extensions such as CustomScriptExtension must not be changed. Fact sheet §1.14.
 * 2. All nodes deallocated through IaaS APIs. Policy, «Nodos detenidos, no asignados y sin preparar»: "No se admite la
 *    anulación manual de todos los nodos de clúster desde las API de IaaS [...] El clúster se considerará fuera de
 *    soporte técnico y AKS lo detendrá después de 30 días." Fact sheet §1.3.
 * 3. No Ready node and no running VM. Same section: "Los clústeres con cero nodos Preparados (o todos Sin preparar) y
 *    cero máquinas virtuales En ejecución se detendrán después de 30 días." Fact sheet §1.4. (A VM that is not running
 *    has no Ready node, so the condition is "no running VM".)
 *
 * The facts come from the node side (src/nodes/cluster-state.ts), kept up to date whenever a cluster's nodes change;
 * a cluster that recovers before the deadline loses the finding and its planned stop.
 */
import { DAY } from "../clock/duration.js";
import { getClusterNodesState, type TamperRecord } from "../nodes/cluster-state.js";
import type { Store } from "../store/store.js";
import { emptyResult, iso, type ClusterFacts, type Rule, type RuleResult } from "./types.js";

export const NODE_STOP_AFTER_DAYS = 30;

/** What the node side tells the policy about a cluster. */
export interface NodeFacts {
  tampering: TamperRecord[];
  allDeallocatedSince?: string;
  allDeallocatedBy?: string;
  zeroRunningSince?: string;
  vms: number;
  running: number;
  deallocated: number;
}

/** Reads a cluster's node facts (a fact source for the policy engine). */
export async function nodeFactsOf(store: Store, clusterId: string): Promise<{ nodes?: NodeFacts }> {
  const state = await getClusterNodesState(store, clusterId);
  if (state === undefined) return {};
  const facts: NodeFacts = {
    tampering: state.tampering,
    vms: state.vms,
    running: state.running,
    deallocated: state.deallocated,
  };
  if (state.allDeallocatedSince !== undefined) facts.allDeallocatedSince = state.allDeallocatedSince;
  if (state.allDeallocatedBy !== undefined) facts.allDeallocatedBy = state.allDeallocatedBy;
  if (state.zeroRunningSince !== undefined) facts.zeroRunningSince = state.zeroRunningSince;
  return { nodes: facts };
}

function nodesOf(cluster: ClusterFacts): NodeFacts | undefined {
  return (cluster as ClusterFacts & { nodes?: NodeFacts }).nodes;
}

export const iaasChanges: Rule = {
  id: "node-iaas-changes",
  section: "Personalización de usuarios de nodos de agente",
  facts: "aks-policy-facts.md §1.14",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    for (const t of nodesOf(cluster)?.tampering ?? []) {
      const pool = t.pool === undefined ? "" : ` on pool '${t.pool}'`;
      result.findings.push({
        rule: this.id,
        policySection: this.section,
        message: `${t.change}, through the Compute API (${t.operation}), by ${t.caller} at ${t.at}. Direct IaaS changes to agent nodes make the cluster unsupported and do not persist: make node changes through the AKS API or a DaemonSet, and run an AKS operation${pool} (upgrade, scale, or node image upgrade: az aks nodepool upgrade --node-image-only) to put the scale set back to AKS's model.`,
        since: t.at,
        verdict: "OutOfSupport",
      });
    }
    return result;
  },
};

export const deallocatedNodes: Rule = {
  id: "nodes-deallocated-through-iaas",
  section: "Nodos detenidos, no asignados y sin preparar",
  facts: "aks-policy-facts.md §1.3",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    const nodes = nodesOf(cluster);
    if (nodes?.allDeallocatedSince === undefined || cluster.powerState !== "Running") return result;
    const since = new Date(Date.parse(nodes.allDeallocatedSince));
    const deadline = new Date(since.getTime() + NODE_STOP_AFTER_DAYS * DAY);
    result.findings.push({
      rule: this.id,
      policySection: this.section,
      message: `All ${nodes.vms} nodes of the cluster have been deallocated through the Compute API since ${iso(since)} (by ${nodes.allDeallocatedBy ?? "a customer"}). Deallocating every node through IaaS APIs is not a supported way to stop a cluster: it is out of support. Start the VMs again (or scale the pools through AKS) before ${iso(deadline)}, or stop the cluster properly with az aks stop.`,
      since: iso(since),
      deadline: iso(deadline),
      consequence:
        "The platform stops the cluster (as az aks stop would); the stopped cluster is then kept for 12 months.",
      verdict: "OutOfSupport",
    });
    result.actions.push({
      action: "stop",
      at: deadline,
      rule: this.id,
      reason: `Every node deallocated through IaaS APIs since ${iso(since)}: AKS stops such clusters after ${NODE_STOP_AFTER_DAYS} days (policy: ${this.section}).`,
    });
    return result;
  },
};

export const noReadyNodes: Rule = {
  id: "no-ready-nodes",
  section: "Nodos detenidos, no asignados y sin preparar",
  facts: "aks-policy-facts.md §1.4",
  evaluate(cluster: ClusterFacts): RuleResult {
    const result = emptyResult();
    const nodes = nodesOf(cluster);
    if (nodes?.zeroRunningSince === undefined || cluster.powerState !== "Running") return result;
    if (nodes.allDeallocatedSince !== undefined) return result; // rule 2 says it, with the same consequence
    const since = new Date(Date.parse(nodes.zeroRunningSince));
    const deadline = new Date(since.getTime() + NODE_STOP_AFTER_DAYS * DAY);
    result.findings.push({
      rule: this.id,
      policySection: this.section,
      message: `The cluster has had no Ready node and no running VM since ${iso(since)} (${nodes.vms} VMs, none running). Start its VMs or scale a pool to active nodes through AKS before ${iso(deadline)}.`,
      since: iso(since),
      deadline: iso(deadline),
      consequence:
        "The platform stops the cluster (as az aks stop would); the stopped cluster is then kept for 12 months.",
      verdict: "Supported",
    });
    result.actions.push({
      action: "stop",
      at: deadline,
      rule: this.id,
      reason: `Zero Ready nodes and zero running VMs since ${iso(since)}: AKS stops such clusters after ${NODE_STOP_AFTER_DAYS} days (policy: ${this.section}).`,
    });
    return result;
  },
};

/** The node rules, in evaluation order. */
export const NODE_RULES: readonly Rule[] = [iaasChanges, deallocatedNodes, noReadyNodes];
