/**
 * Tenants and subscriptions. A default tenant and subscription are created on first start (their ids are kept in
 * the store's settings, so a data dir keeps its ids); more subscriptions can be added through the control API.
 * The subscription's `state` (ARM's Enabled / Warned / PastDue / Disabled / Deleted) decides whether writes are
 * accepted: a Disabled or Deleted subscription is read-only, as ARM makes it.
 */
import { randomUUID } from "node:crypto";
import { armErrors } from "../../arm/errors.js";
import { GUID_PATTERN, subscriptionId as subscriptionPath } from "../../arm/resource-id.js";
import { REGIONS } from "../../arm/locations.js";
import { ok, type OperationRoute } from "../../arm/handler.js";
import { pageOf } from "../../arm/paging.js";
import { newEtag } from "../../arm/etag.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";

export const SUBSCRIPTION_STATES = ["Enabled", "Warned", "PastDue", "Disabled", "Deleted"] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

export interface SubscriptionBody {
  id: string;
  authorizationSource: string;
  managedByTenants: unknown[];
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: SubscriptionState;
  subscriptionPolicies: Record<string, string>;
}

const TYPE = "Microsoft.Resources/subscriptions";

/** Not on the wire: since when the subscription is in its state. */
export interface SubscriptionInternal {
  stateSince?: string;
}

interface Identity {
  tenantId: string;
  defaultSubscriptionId: string;
}

export class Subscriptions {
  /** Subscriptions are read on every request; keep them in memory (the store stays the source of truth). */
  private readonly cache = new Map<string, SubscriptionBody>();
  private identity: Identity | undefined;

  constructor(private readonly platform: Platform) {}

  get tenantId(): string {
    return this.requireIdentity().tenantId;
  }

  get defaultSubscriptionId(): string {
    return this.requireIdentity().defaultSubscriptionId;
  }

  private requireIdentity(): Identity {
    if (this.identity === undefined) throw new Error("Subscriptions.seed() must run first.");
    return this.identity;
  }

  /** Creates the default tenant and subscription when the store has none (first start, or after a reset). */
  async seed(store: Store = this.platform.store): Promise<void> {
    let identity = await store.getSetting<Identity>("identity");
    if (identity === undefined) {
      identity = { tenantId: randomUUID(), defaultSubscriptionId: randomUUID() };
      await store.setSetting("identity", identity);
    }
    this.identity = identity;
    this.cache.clear();
    if ((await store.getResource(subscriptionPath(identity.defaultSubscriptionId))) === undefined) {
      await this.create(store, identity.defaultSubscriptionId, "aksemu default subscription");
    }
  }

  async create(store: Store, id: string, displayName: string): Promise<SubscriptionBody> {
    const body: SubscriptionBody = {
      id: subscriptionPath(id),
      authorizationSource: "RoleBased",
      managedByTenants: [],
      subscriptionId: id,
      tenantId: this.tenantId,
      displayName,
      state: "Enabled",
      subscriptionPolicies: {
        locationPlacementId: "Public_2014-09-01",
        quotaId: "PayAsYouGo_2014-09-01",
        spendingLimit: "Off",
      },
    };
    await this.save(store, body);
    return body;
  }

  async save(store: Store, body: SubscriptionBody, internal?: SubscriptionInternal): Promise<void> {
    await store.putResource({
      id: body.id,
      type: TYPE,
      parentId: `/tenants/${this.tenantId}`,
      subscriptionId: body.subscriptionId,
      body,
      ...(internal === undefined ? {} : { internal }),
      etag: newEtag(),
      at: this.platform.clock.now().toISOString(),
    });
    this.cache.set(body.subscriptionId.toLowerCase(), body);
  }

  async find(id: string, store: Store = this.platform.store): Promise<SubscriptionBody | undefined> {
    const cached = this.cache.get(id.toLowerCase());
    if (cached !== undefined) return cached;
    const found = await store.getResource<SubscriptionBody>(subscriptionPath(id));
    if (found !== undefined) this.cache.set(id.toLowerCase(), found.body);
    return found?.body;
  }

  /**
   * Moves a subscription to another of ARM's states (the control API does this; the policy reacts to it). Returns the
   * state before and the instant of the change; the instant is kept so that timers set at the change can tell
   * whether the state they were set for still holds.
   */
  async setState(
    store: Store,
    id: string,
    state: SubscriptionState,
  ): Promise<{ previous: SubscriptionState; since: string; body: SubscriptionBody }> {
    const found = await store.getResource<SubscriptionBody, SubscriptionInternal>(subscriptionPath(id));
    if (found === undefined) throw armErrors.subscriptionNotFound(id);
    const previous = found.body.state;
    if (previous === state) {
      return { previous, since: found.internal.stateSince ?? found.createdAt, body: found.body };
    }
    const since = this.platform.clock.now().toISOString();
    const body: SubscriptionBody = { ...found.body, state };
    await this.save(store, body, { ...found.internal, stateSince: since });
    return { previous, since, body };
  }

  /** The state of a subscription and since when it holds. */
  async stateOf(store: Store, id: string): Promise<{ state: SubscriptionState; since: string } | undefined> {
    const found = await store.getResource<SubscriptionBody, SubscriptionInternal>(subscriptionPath(id));
    if (found === undefined) return undefined;
    return { state: found.body.state, since: found.internal.stateSince ?? found.createdAt };
  }

  /** The subscription of a request path; throws ARM's errors for a malformed or unknown id. */
  async require(id: string): Promise<SubscriptionBody> {
    if (!GUID_PATTERN.test(id)) throw armErrors.invalidSubscriptionId(id);
    const found = await this.find(id);
    if (found === undefined) throw armErrors.subscriptionNotFound(id);
    return found;
  }

  /** Refuses writes on a subscription that ARM would make read-only. */
  assertWritable(subscription: SubscriptionBody): void {
    if (subscription.state === "Disabled" || subscription.state === "Deleted") {
      throw armErrors.readOnlyDisabledSubscription(subscription.subscriptionId);
    }
  }

  async list(): Promise<SubscriptionBody[]> {
    const rows = await this.platform.store.listByType<SubscriptionBody>(TYPE);
    return rows.map((r) => r.body);
  }

  forgetCache(): void {
    this.cache.clear();
  }

  routes(): OperationRoute[] {
    return [
      {
        method: "GET",
        path: "/subscriptions",
        apiVersions: apiVersions.subscriptions,
        handler: async (ctx) => {
          const all = await this.list();
          return ok({ ...pageOf(all, ctx.url, this.platform.pageSize), count: { type: "Total", value: all.length } });
        },
      },
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId",
        apiVersions: apiVersions.subscriptions,
        handler: async (ctx) => ok(await this.require(ctx.params.subscriptionId!)),
      },
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/locations",
        apiVersions: apiVersions.locations,
        handler: async (ctx) => {
          const sub = await this.require(ctx.params.subscriptionId!);
          // `type` and `metadata.geography` came after the 2019-11-01 shape.
          const typed = ctx.servedApiVersion >= "2021-01-01";
          return ok({
            value: REGIONS.map((r) => ({
              id: `${sub.id}/locations/${r.name}`,
              subscriptionId: sub.subscriptionId,
              name: r.name,
              ...(typed ? { type: "Region" } : {}),
              displayName: r.displayName,
              regionalDisplayName: `(${r.geography}) ${r.displayName}`,
              metadata: {
                regionType: "Physical",
                regionCategory: "Recommended",
                ...(typed ? { geography: r.geography } : {}),
              },
            })),
          });
        },
      },
      {
        method: "GET",
        path: "/tenants",
        apiVersions: apiVersions.tenants,
        handler: (ctx) =>
          Promise.resolve(
            ok({
              value: [
                {
                  id: `/tenants/${this.tenantId}`,
                  tenantId: this.tenantId,
                  tenantCategory: "Home",
                  countryCode: "US",
                  displayName: "aksemu",
                  domains: ["aksemu.onmicrosoft.com"],
                  // from api-version 2020-01-01 on (not in the 2019-11-01 shape)
                  ...(ctx.servedApiVersion >= "2020-01-01"
                    ? { defaultDomain: "aksemu.onmicrosoft.com", tenantType: "AAD" }
                    : {}),
                },
              ],
            }),
          ),
      },
    ];
  }
}
