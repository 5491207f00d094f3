/**
 * What every provider is built with: the store, the clock, long-running operations, and the server's settings.
 * Created once by the server at start-up and handed to each provider.
 */
import type { Clock } from "../clock/clock.js";
import type { Operations } from "../operations/operations.js";
import type { Store, StoredResource } from "../store/store.js";

/** Cleans up after a resource of one type when its enclosing scope (a resource group) is deleted. */
export type CascadeHandler = (store: Store, resource: StoredResource) => Promise<void>;

export interface Platform {
  store: Store;
  clock: Clock;
  operations: Operations;
  /** Items per page of a list before a `nextLink` is given. */
  pageSize: number;
  /** Runs before a resource group's contents are removed, per resource type (lower-cased full type). */
  cascades: Map<string, CascadeHandler>;
}
