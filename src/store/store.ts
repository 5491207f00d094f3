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
  type Compilable,
  CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type SqlBool,
  type QueryResult,
  Kysely,
  Migrator,
  SqliteDialect,
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
  /** The first `limit` timers due at or before `upTo`, in (due time, creation order). */
  dueTimers(upTo: number, limit: number): Promise<StoredTimer[]>;
  earliestTimer(): Promise<StoredTimer | undefined>;
  /** Removes a timer; false when it was not there (already removed). */
  deleteTimer(seq: number): Promise<boolean>;
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

/** Defines `key` on `target` as the JSON `text`, parsed on first read; an assignment replaces it. */
function lazyJson(target: object, key: string, text: string): void {
  let value: unknown;
  let parsed = false;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!parsed) {
        value = JSON.parse(text);
        parsed = true;
      }
      return value;
    },
    set(v: unknown) {
      value = v;
      parsed = true;
    },
  });
}

function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * A scope's own key and the keys under it, as a key range the primary-key index can serve: every key that starts
 * with `scope/` lies in [`scope/`, `scope0`), since '0' is the character right after '/'. (A LIKE would scan the
 * whole table.)
 */
function atOrUnder(eb: ExpressionBuilder<Database, "resources">, scopeKey: string): Expression<SqlBool> {
  return eb.or([eb("key", "=", scopeKey), eb.and([eb("key", ">=", `${scopeKey}/`), eb("key", "<", `${scopeKey}0`)])]);
}

type ResourceRow = Database["resources"];

/** A query compiled once, with the positions of its arguments among the compiled parameters. */
interface PreparedQuery {
  compiled: CompiledQuery;
  /** For each compiled parameter: the index of the argument it takes, or undefined for a constant of the query. */
  slots: (number | undefined)[];
}

const ARG = "\u0000aksemu-arg-";

/**
 * Runs a compiled query on the connection at once, as the dialect's driver would but without Kysely's per-query
 * promise chain (connection hand-over, result transforms). Only a transaction's own queries may take it: the
 * transaction holds the one connection, so nothing else can be running on it.
 */
type DirectExecutor = (query: { sql: string; parameters: readonly unknown[] }) => QueryResult<unknown>;

/** What every store of one database shares: the compiled hot queries, and the dialect's direct executor if any. */
interface Shared {
  queries: Map<string, PreparedQuery>;
  direct?: DirectExecutor | undefined;
}

/**
 * Reads are not cached above SQLite: its own page cache serves a point read in a few microseconds, and on the fleet
 * bench a cache of rows here (kept within or across transactions) was no faster, for up to twice the memory.
 */
class SqlStore implements Store {
  /** Nesting depth of savepoints (names are per depth, so their SQL text is a small fixed set). */
  private savepointDepth = 0;

  constructor(
    private readonly db: Executor,
    private readonly root: Kysely<Database>,
    private readonly inTransaction: boolean,
    private readonly shared: Shared = { queries: new Map() },
  ) {}

  /**
   * Runs one of the hot queries: it is built and compiled by Kysely once (with placeholder arguments), then run with
   * the arguments in their places. Building and compiling costs more than SQLite's own work for these small
   * queries, and a timer batch runs tens of thousands of them.
   */
  private run<R>(
    name: string,
    build: (db: Executor, arg: (i: number) => never) => Compilable<R>,
    args: readonly unknown[],
  ): Promise<QueryResult<R>> {
    let prepared = this.shared.queries.get(name);
    if (prepared === undefined) {
      const compiled = build(this.db, (i) => `${ARG}${i}` as never).compile();
      const slots = compiled.parameters.map((v) =>
        typeof v === "string" && v.startsWith(ARG) ? Number(v.slice(ARG.length)) : undefined,
      );
      prepared = { compiled, slots };
      this.shared.queries.set(name, prepared);
    }
    const { compiled, slots } = prepared;
    const parameters = slots.map((slot, i) => (slot === undefined ? compiled.parameters[i] : args[slot]));
    const direct = this.inTransaction ? this.shared.direct : undefined;
    if (direct !== undefined) return Promise.resolve(direct({ sql: compiled.sql, parameters }) as QueryResult<R>);
    return this.db.executeQuery<R>({ ...compiled, parameters });
  }

  /** A statement of the transaction's own (savepoints), directly when the dialect allows it. */
  private async statement(sql: string): Promise<void> {
    if (this.inTransaction && this.shared.direct !== undefined) this.shared.direct({ sql, parameters: [] });
    else await this.db.executeQuery(CompiledQuery.raw(sql));
  }

  /**
   * The stored resource of a row. `body` and `internal` are parsed when first read: many readers need only one of
   * the two (the node side reads `internal`, views read `body`), and parsing is most of a read's cost. They behave
   * as plain properties (assignable, copied by spread and by JSON.stringify).
   */
  private toResource<B, I>(row: Database["resources"]): StoredResource<B, I> {
    const resource = {
      id: row.id,
      type: row.type,
      parentId: row.parent_key,
      subscriptionId: row.subscription,
      etag: row.etag,
      createdAt: row.created_at,
      changedAt: row.changed_at,
    } as StoredResource<B, I>;
    lazyJson(resource, "body", row.body);
    lazyJson(resource, "internal", row.internal);
    return resource;
  }

  async getResource<B, I>(id: string): Promise<StoredResource<B, I> | undefined> {
    const { rows } = await this.run<ResourceRow>(
      "getResource",
      (db, arg) => db.selectFrom("resources").selectAll().where("key", "=", arg(0)),
      [idKey(id)],
    );
    return rows[0] === undefined ? undefined : this.toResource<B, I>(rows[0]);
  }

  async putResource<B, I>(write: ResourceWrite<B, I>): Promise<void> {
    const row: ResourceRow = {
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
    await this.run(
      "putResource",
      (db, arg) =>
        db
          .insertInto("resources")
          .values({
            key: arg(0),
            id: arg(1),
            type: arg(2),
            parent_key: arg(3),
            subscription: arg(4),
            body: arg(5),
            internal: arg(6),
            etag: arg(7),
            created_at: arg(8),
            changed_at: arg(9),
          })
          .onConflict((oc) =>
            oc.column("key").doUpdateSet({ body: arg(5), internal: arg(6), etag: arg(7), changed_at: arg(9) }),
          ),
      [row.key, row.id, row.type, row.parent_key, row.subscription, row.body, row.internal, row.etag, row.created_at, row.changed_at], // prettier-ignore
    );
  }

  async deleteResource(id: string): Promise<boolean> {
    const result = await this.run("deleteResource", (db, arg) => db.deleteFrom("resources").where("key", "=", arg(0)), [
      idKey(id),
    ]);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  async listChildren<B, I>(parentId: string, type: string): Promise<StoredResource<B, I>[]> {
    const { rows } = await this.run<ResourceRow>(
      "listChildren",
      (db, arg) =>
        db
          .selectFrom("resources")
          .selectAll()
          .where("parent_key", "=", arg(0))
          .where("type", "=", arg(1))
          .orderBy("created_at")
          .orderBy("key"),
      [idKey(parentId), type.toLowerCase()],
    );
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
      .where((eb) => atOrUnder(eb, key))
      .orderBy("key")
      .execute();
    return rows.map((r) => this.toResource(r));
  }

  async deleteUnder(scopeId: string): Promise<number> {
    const key = idKey(scopeId);
    const result = await this.db
      .deleteFrom("resources")
      .where((eb) => atOrUnder(eb, key))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async getOperation<T>(id: string): Promise<T | undefined> {
    const { rows } = await this.run<{ body: string }>(
      "getOperation",
      (db, arg) => db.selectFrom("operations").select("body").where("id", "=", arg(0)),
      [id],
    );
    return rows[0] === undefined ? undefined : parse<T>(rows[0].body);
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
    await this.run(
      "putOperation",
      (db, arg) =>
        db
          .insertInto("operations")
          .values({ id: arg(0), subscription: arg(1), resource_key: arg(2), status: arg(3), body: arg(4) })
          .onConflict((oc) => oc.column("id").doUpdateSet({ status: arg(3), body: arg(4) })),
      [row.id, row.subscription, row.resource_key, row.status, row.body],
    );
  }

  async listOperationsForResource<T>(resourceId: string, status?: string): Promise<T[]> {
    const byResource = (db: Executor, key: never) =>
      db.selectFrom("operations").select("body").where("resource_key", "=", key);
    const { rows } =
      status === undefined
        ? await this.run<{ body: string }>("operationsOf", (db, arg) => byResource(db, arg(0)), [idKey(resourceId)])
        : await this.run<{ body: string }>(
            "operationsOfWithStatus",
            (db, arg) => byResource(db, arg(0)).where("status", "=", arg(1)),
            [idKey(resourceId), status],
          );
    return rows.map((r) => parse<T>(r.body));
  }

  async addTimer(dueAt: number, kind: string, payload: unknown): Promise<number> {
    const result = await this.run(
      "addTimer",
      (db, arg) => db.insertInto("timers").values({ due_at: arg(0), kind: arg(1), payload: arg(2) }),
      [dueAt, kind, JSON.stringify(payload)],
    );
    if (result.insertId === undefined) throw new Error("The store did not number the new timer.");
    return Number(result.insertId);
  }

  private toTimer(row: { seq: number; due_at: number; kind: string; payload: string }): StoredTimer {
    return { seq: Number(row.seq), dueAt: Number(row.due_at), kind: row.kind, payload: parse(row.payload) };
  }

  async dueTimers(upTo: number, limit: number): Promise<StoredTimer[]> {
    const { rows } = await this.run<Database["timers"] & { seq: number }>(
      "dueTimers",
      (db, arg) =>
        db
          .selectFrom("timers")
          .selectAll()
          .where("due_at", "<=", arg(0))
          .orderBy("due_at")
          .orderBy("seq")
          .limit(arg(1)),
      [upTo, limit],
    );
    return rows.map((r) => this.toTimer(r));
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

  async deleteTimer(seq: number): Promise<boolean> {
    const result = await this.run("deleteTimer", (db, arg) => db.deleteFrom("timers").where("seq", "=", arg(0)), [seq]);
    return Number(result.numAffectedRows ?? 0) > 0;
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
    await this.run(
      "addEvent",
      (db, arg) => db.insertInto("events").values({ subscription: arg(0), at: arg(1), body: arg(2) }),
      [subscriptionId.toLowerCase(), at, JSON.stringify(body)],
    );
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
    return this.root.transaction().execute((trx) => work(new SqlStore(trx, this.root, true, this.shared)));
  }

  async savepoint<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (!this.inTransaction) return this.transaction(work);
    const name = `sp${++this.savepointDepth}`;
    let result: T;
    try {
      await this.statement(`savepoint ${name}`);
      try {
        result = await work(this);
      } catch (error) {
        await this.statement(`rollback to savepoint ${name}`);
        await this.statement(`release savepoint ${name}`);
        throw error;
      }
      await this.statement(`release savepoint ${name}`);
    } finally {
      this.savepointDepth -= 1;
    }
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

/** Opens (and migrates) the store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const sqlite = new SqliteDatabase(options.sqlitePath ?? ":memory:");
  if (options.sqlitePath !== undefined) sqlite.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before the call returns, so an answered write survives a power cut or SIGKILL.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  // A timer batch writes many pages in one transaction: a 64 MB page cache (the default is 2 MB) keeps them, and the
  // documents read again, in memory instead of spilling to the WAL and reading them back.
  sqlite.pragma("cache_size = -65536");
  sqlite.pragma("temp_store = MEMORY");
  const database = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return new SqlStore(db, db, false, { queries: new Map(), direct: directSqlite(database) });
}

/**
 * better-sqlite3 runs a statement synchronously: within a transaction a hot query can run on the spot (what Kysely's
 * SQLite driver does, minus its promise chain). A timer batch runs hundreds of thousands of them; the fleet bench's
 * advance takes about a tenth less time this way.
 */
function directSqlite(database: SqliteDialectDatabase): DirectExecutor {
  return ({ sql, parameters }) => {
    const statement = database.prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  };
}
