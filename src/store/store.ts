/**
 * The store: every durable fact of aksemu (resources, long-running operations, clock timers, settings, activity-log
 * events) behind one interface.
 *
 * There is one implementation, written against Kysely's dialect-neutral query builder; the SQL dialect is chosen when
 * the store is opened (SQLite today, file or in-memory; PostgreSQL would be another dialect of the same class, not a
 * copy of it). A write is durable when its promise resolves: SQLite runs in WAL mode with `synchronous=FULL`, and the
 * server answers only after the transaction that holds the write has committed.
 */
import {
  Kysely,
  Migrator,
  SqliteDialect,
  sql,
  type SqliteDatabase as SqliteDialectDatabase,
  type Transaction,
} from "kysely";
import SqliteDatabase from "better-sqlite3";
import { idKey } from "../arm/resource-id.js";
import { migrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";

export interface StoredResource<TBody = Record<string, unknown>, TInternal = Record<string, unknown>> {
  id: string;
  type: string;
  parentId: string;
  subscriptionId: string;
  body: TBody;
  internal: TInternal;
  etag: string;
  createdAt: string;
  changedAt: string;
}

export interface ResourceWrite<TBody = Record<string, unknown>, TInternal = Record<string, unknown>> {
  id: string;
  type: string;
  parentId: string;
  subscriptionId: string;
  body: TBody;
  internal?: TInternal;
  etag: string;
  /** Instant of the write, on the emulated clock (ISO). */
  at: string;
}

export interface StoredTimer {
  seq: number;
  dueAt: number;
  kind: string;
  payload: unknown;
}

export interface StoredEvent {
  seq: number;
  subscriptionId: string;
  at: string;
  body: Record<string, unknown>;
}

export interface Store {
  // Resources, keyed by ARM id (case-insensitive).
  getResource<B = Record<string, unknown>, I = Record<string, unknown>>(
    id: string,
  ): Promise<StoredResource<B, I> | undefined>;
  putResource<B, I>(write: ResourceWrite<B, I>): Promise<void>;
  deleteResource(id: string): Promise<boolean>;
  /** Children of `parentId` of one type (lower-cased full type), in creation order. */
  listChildren<B = Record<string, unknown>, I = Record<string, unknown>>(
    parentId: string,
    type: string,
  ): Promise<StoredResource<B, I>[]>;
  /** Every resource of a type in a subscription (or in every subscription when `subscriptionId` is undefined). */
  listByType<B = Record<string, unknown>, I = Record<string, unknown>>(
    type: string,
    subscriptionId?: string,
  ): Promise<StoredResource<B, I>[]>;
  /** Every resource whose id is `scopeId` or lies under it. */
  listUnder(scopeId: string): Promise<StoredResource[]>;
  deleteUnder(scopeId: string): Promise<number>;

  // Long-running operations.
  getOperation<T>(id: string): Promise<T | undefined>;
  putOperation<T extends { status: string }>(
    id: string,
    subscriptionId: string,
    resourceId: string,
    record: T,
  ): Promise<void>;
  listOperationsForResource<T>(resourceId: string, status?: string): Promise<T[]>;

  // Timers of the clock.
  addTimer(dueAt: number, kind: string, payload: unknown): Promise<number>;
  /** The next timer due at or before `upTo`, in (due time, creation order). */
  nextTimer(upTo: number): Promise<StoredTimer | undefined>;
  earliestTimer(): Promise<StoredTimer | undefined>;
  deleteTimer(seq: number): Promise<void>;
  deleteTimers(kind: string, payloadMatch: string): Promise<number>;
  listTimers(kindPrefix?: string): Promise<StoredTimer[]>;

  // Settings (small named values: the clock's state, the default tenant...).
  getSetting<T>(key: string): Promise<T | undefined>;
  setSetting(key: string, value: unknown): Promise<void>;

  // Activity-log events.
  addEvent(subscriptionId: string, at: string, body: Record<string, unknown>): Promise<void>;
  listEvents(subscriptionId: string, from?: string, to?: string): Promise<StoredEvent[]>;

  /** Runs `work` in one transaction: all of its writes commit together or not at all. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction, runs `work` behind a savepoint: when it throws, its own writes are undone (the rest of the
   * transaction stays) and the error is rethrown. Outside a transaction it is `transaction`.
   */
  savepoint<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Empties every resource, operation, timer and event (settings are kept). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

type Executor = Kysely<Database> | Transaction<Database>;

function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * The ids under a scope, as a key range the primary-key index can serve: every key that starts with `scope/` lies in
 * [`scope/`, `scope0`), since '0' is the character right after '/'. (A LIKE would scan the whole table.)
 */
function under(scopeKey: string): { from: string; to: string } {
  return { from: `${scopeKey}/`, to: `${scopeKey}0` };
}

class SqlStore implements Store {
  private savepoints = 0;

  constructor(
    private readonly db: Executor,
    private readonly root: Kysely<Database>,
    private readonly inTransaction: boolean,
  ) {}

  private toResource<B, I>(row: Database["resources"]): StoredResource<B, I> {
    return {
      id: row.id,
      type: row.type,
      parentId: row.parent_key,
      subscriptionId: row.subscription,
      body: parse<B>(row.body),
      internal: parse<I>(row.internal),
      etag: row.etag,
      createdAt: row.created_at,
      changedAt: row.changed_at,
    };
  }

  async getResource<B, I>(id: string): Promise<StoredResource<B, I> | undefined> {
    const row = await this.db.selectFrom("resources").selectAll().where("key", "=", idKey(id)).executeTakeFirst();
    return row === undefined ? undefined : this.toResource<B, I>(row);
  }

  async putResource<B, I>(write: ResourceWrite<B, I>): Promise<void> {
    const row = {
      key: idKey(write.id),
      id: write.id,
      type: write.type.toLowerCase(),
      parent_key: idKey(write.parentId),
      subscription: write.subscriptionId.toLowerCase(),
      body: JSON.stringify(write.body),
      internal: JSON.stringify(write.internal ?? {}),
      etag: write.etag,
      created_at: write.at,
      changed_at: write.at,
    };
    await this.db
      .insertInto("resources")
      .values(row)
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          body: row.body,
          internal: row.internal,
          etag: row.etag,
          changed_at: row.changed_at,
        }),
      )
      .execute();
  }

  async deleteResource(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("resources").where("key", "=", idKey(id)).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listChildren<B, I>(parentId: string, type: string): Promise<StoredResource<B, I>[]> {
    const rows = await this.db
      .selectFrom("resources")
      .selectAll()
      .where("parent_key", "=", idKey(parentId))
      .where("type", "=", type.toLowerCase())
      .orderBy("created_at")
      .orderBy("key")
      .execute();
    return rows.map((r) => this.toResource<B, I>(r));
  }

  async listByType<B, I>(type: string, subscriptionId?: string): Promise<StoredResource<B, I>[]> {
    let query = this.db.selectFrom("resources").selectAll().where("type", "=", type.toLowerCase());
    if (subscriptionId !== undefined) query = query.where("subscription", "=", subscriptionId.toLowerCase());
    const rows = await query.orderBy("created_at").orderBy("key").execute();
    return rows.map((r) => this.toResource<B, I>(r));
  }

  async listUnder(scopeId: string): Promise<StoredResource[]> {
    const key = idKey(scopeId);
    const rows = await this.db
      .selectFrom("resources")
      .selectAll()
      .where((eb) =>
        eb.or([eb("key", "=", key), eb.and([eb("key", ">=", under(key).from), eb("key", "<", under(key).to)])]),
      )
      .orderBy("key")
      .execute();
    return rows.map((r) => this.toResource(r));
  }

  async deleteUnder(scopeId: string): Promise<number> {
    const key = idKey(scopeId);
    const result = await this.db
      .deleteFrom("resources")
      .where((eb) =>
        eb.or([eb("key", "=", key), eb.and([eb("key", ">=", under(key).from), eb("key", "<", under(key).to)])]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async getOperation<T>(id: string): Promise<T | undefined> {
    const row = await this.db.selectFrom("operations").select("body").where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : parse<T>(row.body);
  }

  async putOperation<T extends { status: string }>(
    id: string,
    subscriptionId: string,
    resourceId: string,
    record: T,
  ): Promise<void> {
    const row = {
      id,
      subscription: subscriptionId.toLowerCase(),
      resource_key: idKey(resourceId),
      status: record.status,
      body: JSON.stringify(record),
    };
    await this.db
      .insertInto("operations")
      .values(row)
      .onConflict((oc) => oc.column("id").doUpdateSet({ status: row.status, body: row.body }))
      .execute();
  }

  async listOperationsForResource<T>(resourceId: string, status?: string): Promise<T[]> {
    let query = this.db.selectFrom("operations").select("body").where("resource_key", "=", idKey(resourceId));
    if (status !== undefined) query = query.where("status", "=", status);
    const rows = await query.execute();
    return rows.map((r) => parse<T>(r.body));
  }

  async addTimer(dueAt: number, kind: string, payload: unknown): Promise<number> {
    const result = await this.db
      .insertInto("timers")
      .values({ due_at: dueAt, kind, payload: JSON.stringify(payload) })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  private toTimer(row: { seq: number; due_at: number; kind: string; payload: string }): StoredTimer {
    return { seq: Number(row.seq), dueAt: Number(row.due_at), kind: row.kind, payload: parse(row.payload) };
  }

  async nextTimer(upTo: number): Promise<StoredTimer | undefined> {
    const row = await this.db
      .selectFrom("timers")
      .selectAll()
      .where("due_at", "<=", upTo)
      .orderBy("due_at")
      .orderBy("seq")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : this.toTimer(row);
  }

  async earliestTimer(): Promise<StoredTimer | undefined> {
    const row = await this.db
      .selectFrom("timers")
      .selectAll()
      .orderBy("due_at")
      .orderBy("seq")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : this.toTimer(row);
  }

  async deleteTimer(seq: number): Promise<void> {
    await this.db.deleteFrom("timers").where("seq", "=", seq).execute();
  }

  async deleteTimers(kind: string, payloadMatch: string): Promise<number> {
    const result = await this.db
      .deleteFrom("timers")
      .where("kind", "=", kind)
      .where("payload", "=", payloadMatch)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listTimers(kindPrefix?: string): Promise<StoredTimer[]> {
    let query = this.db.selectFrom("timers").selectAll();
    if (kindPrefix !== undefined) query = query.where("kind", "like", `${kindPrefix}%`);
    const rows = await query.orderBy("due_at").orderBy("seq").execute();
    return rows.map((r) => this.toTimer(r));
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row === undefined ? undefined : parse<T>(row.value);
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.db
      .insertInto("settings")
      .values({ key, value: text })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: text }))
      .execute();
  }

  async addEvent(subscriptionId: string, at: string, body: Record<string, unknown>): Promise<void> {
    await this.db
      .insertInto("events")
      .values({ subscription: subscriptionId.toLowerCase(), at, body: JSON.stringify(body) })
      .execute();
  }

  async listEvents(subscriptionId: string, from?: string, to?: string): Promise<StoredEvent[]> {
    let query = this.db.selectFrom("events").selectAll().where("subscription", "=", subscriptionId.toLowerCase());
    if (from !== undefined) query = query.where("at", ">=", from);
    if (to !== undefined) query = query.where("at", "<=", to);
    const rows = await query.orderBy("at").orderBy("seq").execute();
    return rows.map((r) => ({ seq: Number(r.seq), subscriptionId: r.subscription, at: r.at, body: parse(r.body) }));
  }

  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    return this.root.transaction().execute((trx) => work(new SqlStore(trx, this.root, true)));
  }

  async savepoint<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (!this.inTransaction) return this.transaction(work);
    const name = `sp${++this.savepoints}`;
    await sql`savepoint ${sql.id(name)}`.execute(this.db);
    let result: T;
    try {
      result = await work(this);
    } catch (error) {
      await sql`rollback to savepoint ${sql.id(name)}`.execute(this.db);
      await sql`release savepoint ${sql.id(name)}`.execute(this.db);
      throw error;
    }
    await sql`release savepoint ${sql.id(name)}`.execute(this.db);
    return result;
  }

  async reset(): Promise<void> {
    await this.transaction(async (s) => {
      const db = (s as SqlStore).db;
      await db.deleteFrom("resources").execute();
      await db.deleteFrom("operations").execute();
      await db.deleteFrom("timers").execute();
      await db.deleteFrom("events").execute();
    });
  }

  async close(): Promise<void> {
    await this.root.destroy();
  }
}

export interface StoreOptions {
  /** Path of the SQLite file, or undefined for a store that lives in memory only. */
  sqlitePath?: string;
}

/** Opens (and migrates) the store. */
/**
 * Kysely prepares a statement for every query; preparing is a noticeable share of a GET's cost. The queries are a
 * small fixed set (parameters are bound, never inlined), so each SQL text is prepared once and its statement reused.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        if (statements.size >= 1000) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const sqlite = new SqliteDatabase(options.sqlitePath ?? ":memory:");
  if (options.sqlitePath !== undefined) sqlite.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before the call returns, so an answered write survives a power cut or SIGKILL.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return new SqlStore(db, db, false);
}
