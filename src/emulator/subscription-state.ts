/**
 * `PUT /_emulator/subscriptions/{subscriptionId}/state` with `{"state": "Enabled" | "Warned" | "PastDue" | "Disabled" |
 * "Deleted"}`: moves a subscription to one of ARM's states, as billing or an administrator would. `Disabled` is a
 * suspended subscription: ARM makes it read-only (`ReadOnlyDisabledSubscription` on writes, see src/server/app.ts) and
 * the support policy stops its running clusters at once and deletes them 90 days later unless it is re-enabled first;
 * `Deleted` deletes its clusters at once. `GET /subscriptions/{id}` reports the state.
 *
 * A subscription id that does not exist yet is created (201) in that state, so tests can work with several
 * subscriptions; the id must be a GUID.
 */
import { ArmError } from "../arm/errors.js";
import { isObject } from "../arm/body.js";
import { GUID_PATTERN } from "../arm/resource-id.js";
import type { PlainRoute } from "../arm/handler.js";
import type { Clock } from "../clock/clock.js";
import type { Policy } from "../policy/index.js";
import { SUBSCRIPTION_STATES, type SubscriptionState, type Subscriptions } from "../providers/resources/index.js";
import type { Store } from "../store/store.js";

export interface SubscriptionStateOptions {
  store: Store;
  clock: Clock;
  subscriptions: Subscriptions;
  policy: Policy;
}

export function subscriptionStateRoutes(options: SubscriptionStateOptions): PlainRoute[] {
  const { store, clock, subscriptions, policy } = options;
  return [
    {
      method: "PUT",
      path: "/_emulator/subscriptions/:subscriptionId/state",
      auth: "emulator",
      handler: async (req) => {
        const id = req.params.subscriptionId ?? "";
        if (!GUID_PATTERN.test(id)) {
          throw new ArmError(400, "InvalidSubscriptionId", `The subscription id '${id}' is not a GUID.`);
        }
        const body = req.body;
        const state = isObject(body) ? body.state : undefined;
        if (typeof state !== "string" || !(SUBSCRIPTION_STATES as readonly string[]).includes(state)) {
          throw new ArmError(
            400,
            "InvalidRequestContent",
            `Send {"state": "<state>"} with one of ${SUBSCRIPTION_STATES.map((s) => `"${s}"`).join(", ")} ("Disabled" is a suspended subscription).`,
          );
        }
        return store.transaction(async (tx) => {
          let created = false;
          if ((await subscriptions.stateOf(tx, id)) === undefined) {
            await subscriptions.create(tx, id, `aksemu subscription ${id.slice(0, 8)}`);
            created = true;
          }
          const changed = await subscriptions.setState(tx, id, state as SubscriptionState);
          if (changed.previous !== state) await policy.onSubscriptionState(tx, id, clock.now());
          return {
            status: created ? 201 : 200,
            body: { ...changed.body, stateSince: changed.since, previousState: changed.previous },
          };
        });
      },
    },
    {
      method: "GET",
      path: "/_emulator/subscriptions/:subscriptionId/state",
      auth: "emulator",
      handler: async (req) => {
        const found = await subscriptions.stateOf(store, req.params.subscriptionId ?? "");
        if (found === undefined) {
          throw new ArmError(
            404,
            "SubscriptionNotFound",
            `The subscription '${req.params.subscriptionId ?? ""}' could not be found.`,
          );
        }
        return { status: 200, body: found };
      },
    },
  ];
}
