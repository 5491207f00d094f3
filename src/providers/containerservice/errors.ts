/**
 * AKS's own error codes and messages (shared/aks-data/aks-policy-facts.md §5, §6), each saying what to change.
 */
import { ArmError } from "../../arm/errors.js";

const PENDING = "See https://aka.ms/aks-pending-operation for more details";
const VERSIONS = "For more information, see https://aka.ms/supported-version-list";

export const aksErrors = {
  invalidParameter: (message: string, target?: string) =>
    new ArmError(400, "InvalidParameter", message, target === undefined ? {} : { target }),
  badRequest: (message: string, target?: string) =>
    new ArmError(400, "BadRequest", message, target === undefined ? {} : { target }),
  clusterNotFound: (name: string, subscriptionId: string, resourceGroup: string) =>
    new ArmError(
      404,
      "NotFound",
      `Could not find managed cluster resource: ${name} in subscription: ${subscriptionId}, resourceGroup: ${resourceGroup}. Create the cluster first or check its name.`,
      { details: [{ code: "Unspecified", message: "rpc error: code = NotFound desc = Managed Cluster not found" }] },
    ),
  poolNotFound: (pool: string, cluster: string) =>
    new ArmError(
      404,
      "NotFound",
      `Could not find agent pool resource: ${pool} in managed cluster: ${cluster}. List the cluster's agent pools to see their names.`,
      { details: [{ code: "Unspecified", message: "rpc error: code = NotFound desc = Agent Pool not found" }] },
    ),
  maintenanceNotFound: (name: string, cluster: string) =>
    new ArmError(404, "NotFound", `Could not find maintenance configuration: ${name} in managed cluster: ${cluster}.`),
  /** A second write while an operation runs (fact sheet §6). */
  anotherOperation: (running: string, onPool?: string, poolRequest = false) =>
    new ArmError(
      409,
      "OperationNotAllowed",
      onPool !== undefined && !poolRequest
        ? `Managed cluster operation is not allowed: Another operation (${running}) is in progress on agent pool (${onPool}), please wait for it to finish before starting a new operation. ${PENDING}`
        : `Operation is not allowed: Another ${poolRequest ? "agentpool " : ""}operation (${running}) is in progress, please wait for it to finish before starting a new operation. ${PENDING}`,
    ),
  clusterStopped: (operation: string, stoppedAt: string | undefined) =>
    new ArmError(
      409,
      "OperationNotAllowed",
      `Unable to perform '${operation}' operation since the managed cluster is in Power State(Stopped)${stoppedAt === undefined ? "" : ` since '${stoppedAt}'`}. Only start and delete are allowed on a stopped cluster: start it first with 'az aks start' (POST .../start).`,
    ),
  notRunningCannotStop: (stoppedAt: string | undefined, elapsed: string) =>
    new ArmError(
      409,
      "OperationNotAllowed",
      `managed cluster is not currently running, stopping cannot be performed; The stop operation started at '${stoppedAt ?? "unknown"}' and elapsed time is: '${elapsed}' (RFC3339 format). Start the cluster instead, or leave it stopped.`,
    ),
  alreadyRunningCannotStart: () =>
    new ArmError(
      409,
      "OperationNotAllowed",
      "managed cluster is already in Power State(Running), starting cannot be performed. Stop the cluster first if you meant to restart it.",
    ),
  poolBeingDeleted: (operation: string, pool: string) =>
    new ArmError(
      409,
      "OperationNotAllowed",
      `Unable to perform '${operation}' operation on '${pool}' since deletion was issued on '${pool}'. The only allowed operation is deletion once deletion has started. ${PENDING}`,
    ),
  k8sVersionNotSupported: (cluster: string, version: string, detail?: string) =>
    new ArmError(
      400,
      "K8sVersionNotSupported",
      `${cluster} is on version ${version} which is not supported in this region.${detail === undefined ? "" : ` ${detail}`} Please use the [az aks get-versions] command to get the supported version list in this region. ${VERSIONS}`,
      { target: "properties.kubernetesVersion" },
    ),
  poolVersionNotSupported: (version: string, target: string, detail?: string) =>
    new ArmError(
      400,
      "AgentPoolK8sVersionNotSupported",
      `Version ${version} is not supported in this region.${detail === undefined ? "" : ` ${detail}`} Please use [az aks get-versions] command to get the supported version list in this region. ${VERSIONS}`,
      { target },
    ),
  nodePoolMcVersionIncompatible: (message: string, target: string) =>
    new ArmError(400, "NodePoolMcVersionIncompatible", message, { target }),
  upgradeNotAllowed: (from: string, to: string, available: readonly string[]) =>
    new ArmError(
      400,
      "OperationNotAllowed",
      `Upgrading Kubernetes version ${from} to ${to} is not allowed. Available upgrades: [${available.join(" ")}]. Upgrade one minor version at a time. For more information, see https://aka.ms/aks-supported-k8s-ver (https://aka.ms/aks-supported-k8s-ver)`,
      { target: "properties.kubernetesVersion" },
    ),
  downgradeNotAllowed: (from: string, to: string, target: string) =>
    new ArmError(
      400,
      "OperationNotAllowed",
      `Downgrading Kubernetes version ${from} to ${to} is not allowed. Choose ${from} or a newer version offered by [az aks get-upgrades].`,
      { target },
    ),
  controlPlaneOnlyWithAutoUpgrade: () =>
    new ArmError(
      400,
      "NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged",
      "Using managed cluster api, all Agent pools' OrchestratorVersion must be all specified or all unspecified. If all specified, they must be stay unchanged or the same with control plane. Upgrade the node pools together with the control plane, or turn off cluster auto-upgrade first.",
      { target: "properties.agentPoolProfiles" },
    ),
  localAccountsDisabled: () =>
    new ArmError(
      400,
      "BadRequest",
      "Getting static credential is not allowed because this cluster is set to disable local accounts. Use the clusterUser credential with Microsoft Entra ID, or enable local accounts (properties.disableLocalAccounts: false).",
    ),
  lastSystemPool: (pool: string) =>
    new ArmError(
      400,
      "OperationNotAllowed",
      `Cannot delete or change agent pool '${pool}' because it is the last system agent pool of the cluster: a cluster needs at least one System mode pool. Add another System pool first.`,
      { target: "agentPoolName" },
    ),
  systemPoolStop: (pool: string) =>
    new ArmError(
      400,
      "OperationNotAllowed",
      `Agent pool '${pool}' is a System mode pool and cannot be stopped. Only User mode pools can be stopped; stop the whole cluster instead (POST .../stop).`,
      { target: "properties.powerState" },
    ),
  conflictNodeResourceGroup: (name: string) =>
    new ArmError(
      400,
      "InvalidParameter",
      `The node resource group '${name}' already exists and is not managed by this cluster. Choose another properties.nodeResourceGroup or delete that group.`,
      { target: "properties.nodeResourceGroup" },
    ),
};
