/** Microsoft.Resources: tenants, subscriptions, resource groups, provider registrations. */
import type { OperationRoute } from "../../arm/handler.js";
import type { Platform } from "../platform.js";
import { Registrations, type ProviderInfo } from "./registrations.js";
import { ResourceGroups } from "./resource-groups.js";
import { Subscriptions } from "./subscriptions.js";

export { Subscriptions, SUBSCRIPTION_STATES, type SubscriptionBody, type SubscriptionState } from "./subscriptions.js";
export { ResourceGroups, RESOURCE_GROUP_TYPE, type ResourceGroupBody } from "./resource-groups.js";
export { Registrations, type ProviderInfo } from "./registrations.js";

export class ResourcesProvider {
  readonly subscriptions: Subscriptions;
  readonly resourceGroups: ResourceGroups;
  private registrationsInstance: Registrations | undefined;

  constructor(private readonly platform: Platform) {
    this.subscriptions = new Subscriptions(platform);
    this.resourceGroups = new ResourceGroups(platform, this.subscriptions);
  }

  /** The provider catalog needs every served resource type, known only once all providers are built. */
  attachCatalog(served: ProviderInfo[]): Registrations {
    this.registrationsInstance = new Registrations(this.platform, this.subscriptions, served);
    return this.registrationsInstance;
  }

  get registrations(): Registrations {
    if (this.registrationsInstance === undefined) throw new Error("attachCatalog() must run first.");
    return this.registrationsInstance;
  }

  routes(): OperationRoute[] {
    return [...this.subscriptions.routes(), ...this.resourceGroups.routes(), ...this.registrations.routes()];
  }
}
