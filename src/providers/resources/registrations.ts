/**
 * Resource provider registrations (`az provider register/show/list`).
 *
 * The catalog of namespaces is built from what aksemu serves (each served resource type with its api-versions) plus
 * common namespaces that AKS clients register without aksemu serving them. A served namespace starts `Registered`
 * (ARM registers a provider on first use nowadays); the others start `NotRegistered`. Register and unregister pass
 * through `Registering` / `Unregistering` and settle on the clock, as they do in ARM.
 */
import { ArmError } from "../../arm/errors.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { newEtag } from "../../arm/etag.js";
import { REGIONS } from "../../arm/locations.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { apiVersions } from "./api-versions.js";
import type { Subscriptions } from "./subscriptions.js";

export interface ProviderResourceType {
  resourceType: string;
  apiVersions: readonly string[];
}

export interface ProviderInfo {
  namespace: string;
  resourceTypes: ProviderResourceType[];
  served: boolean;
}

type RegistrationState = "NotRegistered" | "Registering" | "Registered" | "Unregistering" | "Unregistered";

interface RegistrationBody {
  namespace: string;
  registrationState: RegistrationState;
}

const TYPE = "Microsoft.Resources/providers";
const SETTLE = "resources.providers.settle";

/** Namespaces AKS users commonly register that aksemu does not serve (yet). */
const OTHER_NAMESPACES = [
  "Microsoft.Network",
  "Microsoft.Storage",
  "Microsoft.ManagedIdentity",
  "Microsoft.OperationalInsights",
  "Microsoft.OperationsManagement",
  "Microsoft.Authorization",
  "Microsoft.KeyVault",
  "Microsoft.ContainerRegistry",
  "Microsoft.Kubernetes",
  "Microsoft.KubernetesConfiguration",
  "Microsoft.Monitor",
  "Microsoft.Dashboard",
  "Microsoft.AlertsManagement",
  "Microsoft.PolicyInsights",
];

export class Registrations {
  private readonly catalog = new Map<string, ProviderInfo>();

  constructor(
    private readonly platform: Platform,
    private readonly subscriptions: Subscriptions,
    served: ProviderInfo[],
  ) {
    for (const info of served) this.catalog.set(info.namespace.toLowerCase(), info);
    for (const namespace of OTHER_NAMESPACES) {
      if (!this.catalog.has(namespace.toLowerCase())) {
        this.catalog.set(namespace.toLowerCase(), { namespace, resourceTypes: [], served: false });
      }
    }
    platform.clock.on(SETTLE, async (payload, ctx) => {
      const { subscriptionId, namespace } = payload as { subscriptionId: string; namespace: string };
      const current = await this.state(ctx.store, subscriptionId, namespace);
      if (current === "Registering") await this.setState(ctx.store, subscriptionId, namespace, "Registered");
      if (current === "Unregistering") await this.setState(ctx.store, subscriptionId, namespace, "Unregistered");
    });
  }

  private id(subscriptionId: string, namespace: string): string {
    return `/subscriptions/${subscriptionId}/providers/${namespace}`;
  }

  async state(store: Store, subscriptionId: string, namespace: string): Promise<RegistrationState> {
    const stored = await store.getResource<RegistrationBody>(this.id(subscriptionId, namespace));
    if (stored !== undefined) return stored.body.registrationState;
    return this.catalog.get(namespace.toLowerCase())?.served === true ? "Registered" : "NotRegistered";
  }

  /** True when the subscription may create resources of the namespace (providers check this before a PUT). */
  async isRegistered(store: Store, subscriptionId: string, namespace: string): Promise<boolean> {
    return (await this.state(store, subscriptionId, namespace)) === "Registered";
  }

  private async setState(
    store: Store,
    subscriptionId: string,
    namespace: string,
    state: RegistrationState,
  ): Promise<void> {
    await store.putResource({
      id: this.id(subscriptionId, namespace),
      type: TYPE,
      parentId: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      body: { namespace, registrationState: state } satisfies RegistrationBody,
      etag: newEtag(),
      at: this.platform.clock.now().toISOString(),
    });
  }

  private info(namespace: string): ProviderInfo {
    const info = this.catalog.get(namespace.toLowerCase());
    if (info === undefined) {
      throw new ArmError(
        404,
        "InvalidResourceNamespace",
        `The resource namespace '${namespace}' is invalid. Check the spelling; 'GET /subscriptions/{id}/providers' lists the namespaces aksemu knows.`,
      );
    }
    return info;
  }

  private async toBody(store: Store, subscriptionId: string, info: ProviderInfo): Promise<Record<string, unknown>> {
    return {
      id: this.id(subscriptionId, info.namespace),
      namespace: info.namespace,
      registrationState: await this.state(store, subscriptionId, info.namespace),
      registrationPolicy: "RegistrationRequired",
      resourceTypes: info.resourceTypes.map((t) => ({
        resourceType: t.resourceType,
        locations: REGIONS.map((r) => r.displayName),
        apiVersions: [...t.apiVersions],
        capabilities: "None",
      })),
    };
  }

  private async change(ctx: RequestContext, target: "Registering" | "Unregistering"): Promise<ArmResponse> {
    const { subscriptionId, namespace } = ctx.params as { subscriptionId: string; namespace: string };
    const info = this.info(namespace);
    return this.platform.store.transaction(async (store) => {
      const current = await this.state(store, subscriptionId, info.namespace);
      const settled = target === "Registering" ? "Registered" : ["NotRegistered", "Unregistered"];
      const already = Array.isArray(settled) ? settled.includes(current) : current === settled;
      if (!already && current !== target) {
        await this.setState(store, subscriptionId, info.namespace, target);
        const due = this.platform.clock.nowMs() + this.platform.operations.defaultDurationMs;
        await this.platform.clock.schedule(store, due, SETTLE, { subscriptionId, namespace: info.namespace });
      }
      return ok(await this.toBody(store, subscriptionId, info));
    });
  }

  routes(): OperationRoute[] {
    const base = "/subscriptions/:subscriptionId/providers";
    return [
      {
        method: "GET",
        path: base,
        apiVersions: apiVersions.providers,
        handler: async (ctx) => {
          const store = this.platform.store;
          const all = [];
          for (const info of [...this.catalog.values()].sort((a, b) => a.namespace.localeCompare(b.namespace))) {
            all.push(await this.toBody(store, ctx.params.subscriptionId!, info));
          }
          return pagedList(all, ctx.url, this.platform.pageSize);
        },
      },
      {
        method: "GET",
        path: `${base}/:namespace`,
        apiVersions: apiVersions.providers,
        handler: async (ctx) =>
          ok(await this.toBody(this.platform.store, ctx.params.subscriptionId!, this.info(ctx.params.namespace!))),
      },
      {
        method: "POST",
        path: `${base}/:namespace/register`,
        apiVersions: apiVersions.providers,
        handler: (ctx) => this.change(ctx, "Registering"),
      },
      {
        method: "POST",
        path: `${base}/:namespace/unregister`,
        apiVersions: apiVersions.providers,
        handler: (ctx) => this.change(ctx, "Unregistering"),
      },
    ];
  }
}
