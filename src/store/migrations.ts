/**
 * Versioned schema migrations. Each one is applied once, in name order, and recorded by Kysely's migrator in the
 * database itself; a new schema change is a new entry here, never an edit of an old one.
 */
import { Kysely, type Migration, type MigrationProvider } from "kysely";

const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("resources")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("parent_key", "text", (c) => c.notNull())
        .addColumn("subscription", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("internal", "text", (c) => c.notNull())
        .addColumn("etag", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("changed_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("resources_parent_type").on("resources").columns(["parent_key", "type"]).execute();
      await db.schema
        .createIndex("resources_subscription_type")
        .on("resources")
        .columns(["subscription", "type"])
        .execute();

      await db.schema
        .createTable("operations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("subscription", "text", (c) => c.notNull())
        .addColumn("resource_key", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("operations_resource").on("operations").columns(["resource_key", "status"]).execute();

      await db.schema
        .createTable("timers")
        .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("due_at", "bigint", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("timers_due").on("timers").columns(["due_at", "seq"]).execute();

      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("events")
        .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("subscription", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("events_subscription_at").on("events").columns(["subscription", "at"]).execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
