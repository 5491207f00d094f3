/**
 * How the policy acts on clusters: through the ContainerService provider's own operations, exactly as a user's stop,
 * delete or upgrade, with the platform as the caller (so the actions show in the cluster's states, its operations and
 * the activity log). The provider supplies these functions when the server is composed (src/server/start.ts); the
 * policy never writes a cluster document itself.
 */
import type { Store } from "../store/store.js";

/** The caller platform actions are recorded under (the ContainerService provider uses the same name). */
export const PLATFORM_CALLER = "AKS platform";

export interface ClusterActions {
  /** Begins stopping a running cluster (long-running operation). Throws the provider's ArmError when it cannot. */
  stop(store: Store, clusterId: string, caller: string, reason: string): Promise<void>;
  /** Begins deleting a cluster and its node resource group. */
  delete(store: Store, clusterId: string, caller: string, reason: string): Promise<void>;
  /** Begins a full upgrade (control plane and every pool) to `version`. */
  upgrade(store: Store, clusterId: string, version: string, caller: string, reason: string): Promise<void>;
}

/** What the ContainerService provider exposes for platform actions (structural: the policy does not import it). */
export interface ClusterOperationsApi {
  beginStop(store: Store, clusterId: string, caller?: string, reason?: string): Promise<unknown>;
  beginDelete(store: Store, clusterId: string, caller?: string, reason?: string): Promise<unknown>;
  beginUpgrade(store: Store, clusterId: string, version: string, caller?: string, reason?: string): Promise<unknown>;
}

/** Adapts the provider's programmatic API to the policy's actions. */
export function clusterActionsOf(provider: ClusterOperationsApi): ClusterActions {
  return {
    stop: async (store, id, caller, reason) => void (await provider.beginStop(store, id, caller, reason)),
    delete: async (store, id, caller, reason) => void (await provider.beginDelete(store, id, caller, reason)),
    upgrade: async (store, id, version, caller, reason) =>
      void (await provider.beginUpgrade(store, id, version, caller, reason)),
  };
}
