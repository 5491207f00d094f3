/**
 * Resource rows that the store's transactions have read or written, kept from one transaction to the next.
 *
 * Why: a timer batch reads the same documents again and again (an operation's begin and its completion a quarter of
 * a second later, the policy's look at the cluster after each), and a point read costs SQLite more than a map lookup.
 * Rows are kept as SQLite returned them (text); the store still parses them on each read, so every reader gets its
 * own objects.
 *
 * When it is right: only the store's transactions use it, and every write of a resource row (in a transaction or
 * not) goes through a transaction that updates it, so it holds exactly what is committed plus the open transaction's
 * own writes. A transaction or savepoint that rolls back empties it. It assumes one aksemu per data directory, as the
 * clock's timers already do.
 *
 * Child lists (`listChildren`) are kept too, as the keys of their rows. A list is void once a row joins or leaves
 * it: an insert (a write of a row not known to exist) or a delete of a row with that parent and type.
 */
import type { Database } from "./schema.js";

export type ResourceRow = Database["resources"];

/** Rows kept, in bytes of their text (the oldest used go first beyond it). */
const DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024;
/** A row's fixed cost besides its body and internal text (ids, keys, instants). */
const ROW_OVERHEAD_BYTES = 400;

interface ListEntry {
  keys: string[];
  /** The membership change count of its parent and type when it was read. */
  version: number;
}

export class RowCache {
  /** By key, in least-recently-used order; null: known absent. */
  private readonly rows = new Map<string, ResourceRow | null>();
  private readonly lists = new Map<string, ListEntry>();
  /** Membership changes per `parent\ntype` (inserts and deletes), so a list read before one is void. */
  private readonly membership = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly budgetBytes = DEFAULT_BUDGET_BYTES) {}

  /** The row of `key`: a row, null when known absent, undefined when unknown. */
  get(key: string): ResourceRow | null | undefined {
    const row = this.rows.get(key);
    if (row === undefined) return undefined;
    // Most recently used: move it to the end.
    this.rows.delete(key);
    this.rows.set(key, row);
    return row;
  }

  /** Records what a read found (a row, or null for none). */
  remember(key: string, row: ResourceRow | null): void {
    this.drop(key);
    this.rows.set(key, row);
    this.bytes += sizeOf(row);
    this.evict();
  }

  /**
   * Records a write (an insert or an update): `row` is what the store sent. An update keeps the stored id, type,
   * parent and creation time, which are those of the known row; a row not known to exist may be an insert, so the
   * lists of its parent and type are void.
   */
  written(row: ResourceRow): void {
    const known = this.rows.get(row.key);
    if (known === null) {
      // An insert: the row is all the store sent.
      this.changedMembership(row.parent_key, row.type);
      this.remember(row.key, row);
      return;
    }
    if (known === undefined) {
      // An insert or an update of a row whose stored columns are unknown: not kept.
      this.changedMembership(row.parent_key, row.type);
      return;
    }
    // An update keeps the stored id, type, parent, subscription and creation time.
    const { id, type, parent_key, subscription, created_at } = known;
    this.remember(row.key, { key: row.key, id, type, parent_key, subscription, body: row.body, internal: row.internal, etag: row.etag, created_at, changed_at: row.changed_at }); // prettier-ignore
  }

  /** Records deleted rows (their key, parent and type, as the delete returned them). */
  deleted(rows: readonly Pick<ResourceRow, "key" | "parent_key" | "type">[]): void {
    for (const r of rows) {
      this.changedMembership(r.parent_key, r.type);
      this.remember(r.key, null);
    }
  }

  /** The rows of a remembered child list, or undefined when it is unknown, void or partly forgotten. */
  children(parentKey: string, type: string): ResourceRow[] | undefined {
    const listKey = `${parentKey}\n${type}`;
    const entry = this.lists.get(listKey);
    if (entry === undefined) return undefined;
    if (entry.version !== (this.membership.get(listKey) ?? 0)) {
      this.lists.delete(listKey);
      return undefined;
    }
    const rows: ResourceRow[] = [];
    for (const key of entry.keys) {
      const row = this.get(key);
      if (row === undefined || row === null) return undefined;
      rows.push(row);
    }
    return rows;
  }

  /** Records a child list as read (its rows are remembered too). */
  rememberChildren(parentKey: string, type: string, rows: readonly ResourceRow[]): void {
    const listKey = `${parentKey}\n${type}`;
    for (const row of rows) this.remember(row.key, row);
    this.lists.set(listKey, { keys: rows.map((r) => r.key), version: this.membership.get(listKey) ?? 0 });
  }

  /** Forgets everything (a rollback, or a change the cache cannot follow). */
  clear(): void {
    this.rows.clear();
    this.lists.clear();
    this.membership.clear();
    this.bytes = 0;
  }

  private changedMembership(parentKey: string, type: string): void {
    const listKey = `${parentKey}\n${type}`;
    this.membership.set(listKey, (this.membership.get(listKey) ?? 0) + 1);
  }

  private drop(key: string): void {
    const old = this.rows.get(key);
    if (old === undefined) return;
    this.bytes -= sizeOf(old);
    this.rows.delete(key);
  }

  private evict(): void {
    while (this.bytes > this.budgetBytes) {
      const oldest = this.rows.keys().next();
      if (oldest.done === true) break;
      this.drop(oldest.value);
    }
    // Lists are small; they are rebuilt when one of their rows was evicted. Bound their number all the same.
    if (this.lists.size > this.rows.size) this.lists.clear();
    if (this.membership.size > 4 * this.rows.size + 1024) {
      // A list read before this point cannot be told apart from one read after: forget them all.
      this.membership.clear();
      this.lists.clear();
    }
  }
}

function sizeOf(row: ResourceRow | null): number {
  return row === null ? 64 : row.body.length + row.internal.length + ROW_OVERHEAD_BYTES;
}
