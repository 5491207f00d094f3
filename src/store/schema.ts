/** The tables of the store, as Kysely sees them. One definition, whatever the SQL dialect. */
import type { Generated } from "kysely";

export interface ResourcesTable {
  /** Lower-cased ARM id: ARM ids compare case-insensitively. */
  key: string;
  /** The id as created, in its original case. */
  id: string;
  /** Lower-cased full type, e.g. `microsoft.containerservice/managedclusters`. */
  type: string;
  /** Lower-cased id of the enclosing resource group, parent resource or subscription. */
  parent_key: string;
  /** Lower-cased subscription id. */
  subscription: string;
  /** The resource as ARM returns it (JSON). */
  body: string;
  /** Provider-private state that is not part of the wire shape (JSON). */
  internal: string;
  etag: string;
  created_at: string;
  changed_at: string;
}

export interface OperationsTable {
  id: string;
  subscription: string;
  /** Lower-cased id of the resource the operation acts on. */
  resource_key: string;
  status: string;
  /** The full operation record (JSON). */
  body: string;
}

export interface TimersTable {
  /** Creation order: breaks ties between timers due at the same instant. */
  seq: Generated<number>;
  /** Milliseconds since the epoch, on the emulated clock. */
  due_at: number;
  kind: string;
  payload: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface EventsTable {
  seq: Generated<number>;
  subscription: string;
  at: string;
  body: string;
}

export interface Database {
  resources: ResourcesTable;
  operations: OperationsTable;
  timers: TimersTable;
  settings: SettingsTable;
  events: EventsTable;
}
