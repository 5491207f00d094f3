/**
 * The supportability view of the control API:
 * - `GET /_emulator/supportability/<cluster ARM id>`: is the cluster supported, why not, and what the platform will do
 *   to it and when — `{status, findings: [{rule, policySection, message, since, deadline?, consequence?}],
 *   upcoming: [{action, at, rule, reason, targetVersion?}], lastEtcdBackup, archived, powerState, ...}`;
 * - `GET /_emulator/supportability`: every cluster's status (fleet view), with counts per status.
 */
import { ArmError } from "../arm/errors.js";
import type { PlainRoute } from "../arm/handler.js";
import type { Clock } from "../clock/clock.js";
import type { Policy } from "../policy/index.js";
import type { Store } from "../store/store.js";

export interface SupportabilityOptions {
  store: Store;
  clock: Clock;
  policy: Policy;
}

export function supportabilityRoutes(options: SupportabilityOptions): PlainRoute[] {
  const { store, clock, policy } = options;
  return [
    {
      method: "GET",
      path: "/_emulator/supportability",
      auth: "emulator",
      handler: async () => {
        const now = clock.now();
        const views = await policy.fleet(store, now);
        const counts: Record<string, number> = { Supported: 0, PlatformSupport: 0, BestEffort: 0, OutOfSupport: 0 };
        for (const v of views) counts[v.status] = (counts[v.status] ?? 0) + 1;
        return {
          status: 200,
          body: {
            now: now.toISOString(),
            count: views.length,
            statuses: counts,
            value: views.map((v) => ({
              id: v.id,
              status: v.status,
              powerState: v.powerState,
              provisioningState: v.provisioningState,
              kubernetesVersion: v.kubernetesVersion,
              archived: v.archived,
              rules: [...new Set(v.findings.map((f) => f.rule))],
              nextAction: v.upcoming.find((u) => u.at >= now.toISOString()) ?? null,
            })),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/_emulator/supportability/*",
      auth: "emulator",
      handler: async (req) => {
        const raw = decodeURIComponent(req.params["*"] ?? "").replace(/^\/+/, "");
        const id = `/${raw}`.replace(/\/+$/, "");
        if (
          !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+$/i.test(
            id,
          )
        ) {
          throw new ArmError(
            400,
            "InvalidResourceId",
            `'${id}' is not a managed cluster id. Use /_emulator/supportability/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ContainerService/managedClusters/{name}.`,
          );
        }
        const view = await policy.supportability(store, id, clock.now());
        if (view === undefined) {
          throw new ArmError(404, "ResourceNotFound", `The managed cluster '${id}' was not found.`);
        }
        return { status: 200, body: view };
      },
    },
  ];
}
