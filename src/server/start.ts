/**
 * Starting aksemu: open the store, the clock and the providers, build the route table, listen, print the ready line.
 * The route table is assembled here from every provider's declared operations; the provider catalog
 * (`GET /subscriptions/{id}/providers`) is derived from the same declarations, so the two cannot disagree.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { OperationRoute } from "../arm/handler.js";
import { Clock, type ClockMode } from "../clock/clock.js";
import { wallNow } from "../clock/wall.js";
import { emulatorRoutes } from "../emulator/routes.js";
import { loadOrCreateSigningKey } from "../identity/keys.js";
import { identityRoutes } from "../identity/routes.js";
import { TokenService } from "../identity/tokens.js";
import { Operations } from "../operations/operations.js";
import type { Platform } from "../providers/platform.js";
import { Features } from "../providers/features/index.js";
import { locationRoutes } from "../providers/containerservice/locations.js";
import { ResourcesProvider, type ProviderInfo } from "../providers/resources/index.js";
import { ContainerServiceProvider } from "../providers/containerservice/index.js";
import { ActivityLog } from "../providers/insights/index.js";
import { Policy, RULES, clusterActionsOf } from "../policy/index.js";
import { NODE_RULES, nodeFactsOf } from "../policy/node-rules.js";
import { Nodes } from "../nodes/nodes.js";
import { Compute } from "../providers/compute/index.js";
import { nodeRoutes } from "../emulator/nodes.js";
import { faultRoutes } from "../emulator/faults.js";
import { supportabilityRoutes } from "../emulator/supportability.js";
import { subscriptionStateRoutes } from "../emulator/subscription-state.js";
import { openStore, type Store } from "../store/store.js";
import { buildApp } from "./app.js";
import { loadOrCreateTls, loadUserTls, type TlsMaterial } from "./tls.js";

export interface ServerOptions {
  host: string;
  port: number;
  dataDir: string;
  inMemory: boolean;
  clockMode?: ClockMode;
  now?: Date;
  strictApiVersion: boolean;
  cert?: string;
  key?: string;
  /** Emulated duration of a long-running operation. */
  operationDurationMs: number;
  /** Cluster operations take AKS-like emulated minutes (create ~5 min, stop ~2 min...). */
  realisticTimings?: boolean;
  pageSize: number;
  verbose: boolean;
  version: string;
}

export interface RunningServer {
  url: string;
  port: number;
  tenantId: string;
  subscriptionId: string;
  caPath: string | undefined;
  tls: TlsMaterial;
  store: Store;
  clock: Clock;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The provider catalog, derived from the resource types the routes serve. */
function catalogOf(routes: OperationRoute[]): ProviderInfo[] {
  const byNamespace = new Map<string, ProviderInfo>();
  for (const route of routes) {
    const [namespace, ...rest] = route.apiVersions.resourceType.split("/");
    if (namespace === undefined || rest.length === 0 || namespace === "Microsoft.Resources") continue;
    const info = byNamespace.get(namespace) ?? { namespace, resourceTypes: [], served: true };
    const resourceType = rest.join("/");
    if (!info.resourceTypes.some((t) => t.resourceType === resourceType)) {
      info.resourceTypes.push({ resourceType, apiVersions: route.apiVersions.versions });
    }
    byNamespace.set(namespace, info);
  }
  return [...byNamespace.values()];
}

export const RUNTIME_FILE = "server.json";

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });

  const store = await openStore(dataDir === undefined ? {} : { sqlitePath: join(dataDir, "aksemu.db") });
  const clockOptions: { mode?: ClockMode; startAt?: Date } = {};
  if (options.clockMode !== undefined) clockOptions.mode = options.clockMode;
  if (options.now !== undefined) clockOptions.startAt = options.now;
  const clock = await Clock.open(store, clockOptions);
  const operations = new Operations(clock, options.operationDurationMs);
  const platform: Platform = { store, clock, operations, pageSize: options.pageSize, cascades: new Map() };

  const resources = new ResourcesProvider(platform);
  // The activity log listens to operations before the policy does, so an operation's end is logged before the
  // platform's reaction to it.
  const activityLog = new ActivityLog(platform, () => resources.subscriptions.tenantId);
  // Nodes and their scale sets follow cluster operations before the policy judges them (issue 7).
  const nodes = new Nodes(clock, operations);
  const compute = new Compute(platform, nodes, resources.resourceGroups);
  const policy = new Policy({
    store,
    clock,
    operations,
    subscriptions: resources.subscriptions,
    activityLog,
    rules: [...RULES, ...NODE_RULES],
  });
  policy.addFactSource((s, clusterId) => nodeFactsOf(s, clusterId));
  nodes.addHooks({ nodesChanged: (s, clusterId, now) => policy.reconcile(s, clusterId, now) });
  const features = new Features(platform);
  const providerRoutes: OperationRoute[] = [...features.routes(), ...locationRoutes(platform)];
  providerRoutes.push(...activityLog.routes());
  const containerService = new ContainerServiceProvider(platform, resources, {
    realisticTimings: options.realisticTimings === true,
    featureRegistered: (s, subscriptionId, namespace, flag) =>
      features.isRegistered(s, subscriptionId, namespace, flag),
  });
  providerRoutes.push(...containerService.routes());
  containerService.onAutoscaled(async (s, clusterId, now) => {
    await compute.followAutoscaler(s, clusterId, now);
    await policy.reconcile(s, clusterId, now);
  });
  // Platform actions of the support policy run as the provider's own operations.
  policy.attachClusterActions(clusterActionsOf(containerService));
  providerRoutes.push(...compute.routes());
  resources.attachCatalog(catalogOf(providerRoutes));
  await resources.subscriptions.seed();
  const armRoutes = policy.guardRoutes([...resources.routes(), ...providerRoutes]);

  const [tls, signingKey] = await Promise.all([
    options.cert !== undefined && options.key !== undefined
      ? loadUserTls(options.cert, options.key)
      : loadOrCreateTls(dataDir, options.host),
    loadOrCreateSigningKey(dataDir),
  ]);
  let baseUrls: string[] = [];
  const tokens = new TokenService(signingKey, wallNow, () => baseUrls);

  const loopbackOnly = ["127.0.0.1", "localhost", "::1"].includes(options.host);
  const app = await buildApp({
    tls,
    tokens,
    subscriptions: resources.subscriptions,
    armRoutes,
    plainRoutes: [
      ...emulatorRoutes({
        clock,
        caPem: tls.caPem,
        version: options.version,
        startedAt: wallNow(),
        reset: async () => {
          await store.reset();
          resources.subscriptions.forgetCache();
          await resources.subscriptions.seed();
        },
      }),
      ...identityRoutes({ tokens, key: signingKey, tenantId: () => resources.subscriptions.tenantId }),
      ...supportabilityRoutes({ store, clock, policy }),
      ...nodeRoutes({ store, clock, nodes }),
      ...faultRoutes({ store, clock, nodes }),
      ...subscriptionStateRoutes({ store, clock, subscriptions: resources.subscriptions, policy }),
    ],
    onSyncWrite: (w) =>
      activityLog.recordRequest({
        method: w.method,
        resourceType: w.resourceType,
        path: w.path,
        status: w.status,
        subscriptionId: w.ctx.params.subscriptionId,
        caller: w.ctx.caller.objectId,
        correlationId: w.ctx.correlationId,
      }),
    strictApiVersion: options.strictApiVersion,
    loopbackOnly,
    verbose: options.verbose,
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const hostForUrl = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `https://${hostForUrl}:${port}`;
  baseUrls = [url, `${url}/`, `https://localhost:${port}`, `https://localhost:${port}/`];
  await clock.start();

  const runtimePath = dataDir === undefined ? undefined : join(dataDir, RUNTIME_FILE);
  if (runtimePath !== undefined) {
    writeFileSync(
      runtimePath,
      JSON.stringify(
        {
          url,
          pid: process.pid,
          tenantId: resources.subscriptions.tenantId,
          subscriptionId: resources.subscriptions.defaultSubscriptionId,
          caPath: tls.caPath,
        },
        null,
        2,
      ),
    );
  }

  let closed = false;
  return {
    url,
    port,
    tenantId: resources.subscriptions.tenantId,
    subscriptionId: resources.subscriptions.defaultSubscriptionId,
    caPath: tls.caPath,
    tls,
    store,
    clock,
    app,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await clock.close();
      await store.close();
      if (runtimePath !== undefined) rmSync(runtimePath, { force: true });
    },
  };
}
