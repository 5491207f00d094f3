/**
 * Microsoft.Features: subscription feature flags (`az feature register/show/list/unregister`), spec
 * shared/azure-specs/features/2021-07-01.
 *
 * Every known flag (catalog.ts) exists in every subscription, `NotRegistered` until registered. Register moves it to
 * `Registering`, and the clock settles it on `Registered` after the emulated operation duration (ARM takes minutes);
 * unregister goes through `Unregistering` to `Unregistered` the same way. State is kept per subscription in the store,
 * under the feature's ARM id. An unknown or retired flag answers 404 "The feature '<name>' could not be found.", the
 * message az users see for retired AKS flags (fact sheet §7).
 *
 * Other providers ask `isRegistered(store, subscriptionId, namespace, flag)` before accepting a preview property.
 */
import { ArmError } from "../../arm/errors.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { newEtag } from "../../arm/etag.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import { KNOWN_FEATURES } from "./catalog.js";

export type FeatureState =
  "NotSpecified" | "NotRegistered" | "Pending" | "Registering" | "Registered" | "Unregistering" | "Unregistered";

export interface FeatureBody {
  id: string;
  name: string;
  type: "Microsoft.Features/providers/features";
  properties: { state: FeatureState };
}

interface FeatureInternal {
  /** Bumped on every change, so that a settle timer of an earlier change does nothing. */
  generation: number;
}

interface SettlePayload {
  subscriptionId: string;
  namespace: string;
  name: string;
  generation: number;
}

export const FEATURE_TYPE = "Microsoft.Features/providers/features";
const SETTLE = "features.settle";

interface KnownFeature {
  namespace: string;
  name: string;
}

export class Features {
  /** Lower-cased `namespace/flag` → canonical names. */
  private readonly known = new Map<string, KnownFeature>();

  constructor(
    private readonly platform: Platform,
    catalog: Readonly<Record<string, readonly string[]>> = KNOWN_FEATURES,
  ) {
    for (const [namespace, flags] of Object.entries(catalog)) {
      for (const name of flags) this.known.set(`${namespace}/${name}`.toLowerCase(), { namespace, name });
    }
    platform.clock.on(SETTLE, async (payload, ctx) => {
      const p = payload as SettlePayload;
      const stored = await ctx.store.getResource<FeatureBody, FeatureInternal>(
        this.id(p.subscriptionId, p.namespace, p.name),
      );
      if (stored === undefined || stored.internal.generation !== p.generation) return;
      const state = stored.body.properties.state;
      if (state === "Registering") await this.write(ctx.store, p.subscriptionId, p, "Registered", p.generation);
      if (state === "Unregistering") await this.write(ctx.store, p.subscriptionId, p, "Unregistered", p.generation);
    });
  }

  private id(subscriptionId: string, namespace: string, name: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Features/providers/${namespace}/features/${name}`;
  }

  private lookup(namespace: string, name: string): KnownFeature {
    const found = this.known.get(`${namespace}/${name}`.toLowerCase());
    if (found === undefined) {
      throw new ArmError(
        404,
        "FeatureNotFound",
        `The feature '${name}' could not be found. 'az feature list --namespace ${namespace}' lists the features that exist; a preview flag is removed once its feature is generally available.`,
      );
    }
    return found;
  }

  private body(subscriptionId: string, feature: KnownFeature, state: FeatureState): FeatureBody {
    return {
      id: this.id(subscriptionId, feature.namespace, feature.name),
      name: `${feature.namespace}/${feature.name}`,
      type: FEATURE_TYPE,
      properties: { state },
    };
  }

  private async write(
    store: Store,
    subscriptionId: string,
    feature: KnownFeature,
    state: FeatureState,
    generation: number,
  ): Promise<FeatureBody> {
    const body = this.body(subscriptionId, feature, state);
    await store.putResource<FeatureBody, FeatureInternal>({
      id: body.id,
      type: FEATURE_TYPE,
      parentId: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      body,
      internal: { generation },
      etag: newEtag(),
      at: this.platform.clock.now().toISOString(),
    });
    return body;
  }

  /** The feature's state in a subscription (`NotRegistered` until registered). */
  async state(store: Store, subscriptionId: string, namespace: string, name: string): Promise<FeatureState> {
    const stored = await store.getResource<FeatureBody>(this.id(subscriptionId, namespace, name));
    return stored?.body.properties.state ?? "NotRegistered";
  }

  /** True once the flag has settled on `Registered` in the subscription. */
  async isRegistered(store: Store, subscriptionId: string, namespace: string, name: string): Promise<boolean> {
    return (await this.state(store, subscriptionId, namespace, name)) === "Registered";
  }

  private async current(store: Store, subscriptionId: string, feature: KnownFeature): Promise<FeatureBody> {
    const stored = await store.getResource<FeatureBody>(this.id(subscriptionId, feature.namespace, feature.name));
    return stored?.body ?? this.body(subscriptionId, feature, "NotRegistered");
  }

  private async list(store: Store, subscriptionId: string, namespace?: string): Promise<FeatureBody[]> {
    const stored = new Map<string, FeatureBody>();
    for (const r of await store.listByType<FeatureBody>(FEATURE_TYPE, subscriptionId)) {
      stored.set(r.body.name.toLowerCase(), r.body);
    }
    const out: FeatureBody[] = [];
    for (const [key, feature] of this.known) {
      if (namespace !== undefined && feature.namespace.toLowerCase() !== namespace.toLowerCase()) continue;
      out.push(stored.get(key) ?? this.body(subscriptionId, feature, "NotRegistered"));
    }
    return out;
  }

  private async change(ctx: RequestContext, direction: "register" | "unregister"): Promise<ArmResponse> {
    const { subscriptionId, namespace, featureName } = ctx.params as Record<string, string>;
    const feature = this.lookup(namespace!, featureName!);
    return this.platform.store.transaction(async (store) => {
      const stored = await store.getResource<FeatureBody, FeatureInternal>(
        this.id(subscriptionId!, feature.namespace, feature.name),
      );
      const state = stored?.body.properties.state ?? "NotRegistered";
      const generation = (stored?.internal.generation ?? 0) + 1;
      const settled =
        direction === "register" ? ["Registered", "Registering"] : ["NotRegistered", "Unregistered", "Unregistering"];
      if (settled.includes(state)) return ok(stored?.body ?? this.body(subscriptionId!, feature, state));
      const next: FeatureState = direction === "register" ? "Registering" : "Unregistering";
      const body = await this.write(store, subscriptionId!, feature, next, generation);
      const payload: SettlePayload = { subscriptionId: subscriptionId!, ...feature, generation };
      const due = this.platform.clock.nowMs() + this.platform.operations.defaultDurationMs;
      await this.platform.clock.schedule(store, due, SETTLE, payload);
      return ok(body);
    });
  }

  routes(): OperationRoute[] {
    const base = "/subscriptions/:subscriptionId/providers/Microsoft.Features";
    const one = `${base}/providers/:namespace/features/:featureName`;
    return [
      {
        method: "GET",
        path: "/providers/Microsoft.Features/operations",
        apiVersions: apiVersions.operations,
        handler: async () =>
          ok({
            value: [
              ["features/read", "Read", "Gets the features of a subscription."],
              ["providers/features/read", "Read", "Gets the feature of a subscription in a given resource provider."],
              [
                "providers/features/register/action",
                "Register",
                "Registers the feature for a subscription in a given resource provider.",
              ],
              [
                "providers/features/unregister/action",
                "Unregister",
                "Unregisters the feature for a subscription in a given resource provider.",
              ],
            ].map(([name, operation, description]) => ({
              name: `Microsoft.Features/${name}`,
              display: { provider: "Microsoft Features", resource: "Features", operation, description },
            })),
          }),
      },
      {
        method: "GET",
        path: `${base}/features`,
        apiVersions: apiVersions.features,
        handler: async (ctx) =>
          pagedList(await this.list(this.platform.store, ctx.params.subscriptionId!), ctx.url, this.platform.pageSize),
      },
      {
        method: "GET",
        path: `${base}/providers/:namespace/features`,
        apiVersions: apiVersions.providerFeatures,
        handler: async (ctx) =>
          pagedList(
            await this.list(this.platform.store, ctx.params.subscriptionId!, ctx.params.namespace!),
            ctx.url,
            this.platform.pageSize,
          ),
      },
      {
        method: "GET",
        path: one,
        apiVersions: apiVersions.providerFeatures,
        handler: async (ctx) => {
          const feature = this.lookup(ctx.params.namespace!, ctx.params.featureName!);
          return ok(await this.current(this.platform.store, ctx.params.subscriptionId!, feature));
        },
      },
      {
        method: "POST",
        path: `${one}/register`,
        apiVersions: apiVersions.providerFeatures,
        handler: (ctx) => this.change(ctx, "register"),
      },
      {
        method: "POST",
        path: `${one}/unregister`,
        apiVersions: apiVersions.providerFeatures,
        handler: (ctx) => this.change(ctx, "unregister"),
      },
    ];
  }
}
