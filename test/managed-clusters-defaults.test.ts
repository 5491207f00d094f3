/**
 * What AKS fills in and how it echoes a managed cluster, as the real service's recorded answers show it, checked with
 * the real @azure/arm-containerservice (api-version 2026-06-01): the Windows profile of an Azure CNI cluster, gMSA,
 * the storage drivers, the autoscaler's defaults, addon-derived values, NAT gateway and dual-stack outbound IPs, the
 * Istio profile, the long-term-support channel, the kubenet to Azure CNI Overlay migration, the edge zone type, and
 * the behaviours that changed over time (a server started on a 2022 date answers as AKS did then).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient, type ManagedCluster } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient, settle } from "./support/policy.js";

const POLL = { updateIntervalInMs: 20 };
const RG = "rg-defaults";
const V = "api-version=2026-06-01";

type Wire = Record<string, unknown> & { properties: Record<string, unknown> & { provisioningState?: string } };

/** The SDK's models carry `undefined` for every optional property: compare what is on the wire. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function cluster(overrides: Partial<ManagedCluster> = {}): ManagedCluster {
  return {
    location: "westus2",
    identity: { type: "SystemAssigned" },
    dnsPrefix: "dflt",
    agentPoolProfiles: [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System", osType: "Linux" }],
    ...overrides,
  };
}

const KUBENET: Partial<ManagedCluster> = { networkProfile: { networkPlugin: "kubenet" } };

describe("managed cluster defaults and echoes (today's AKS)", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const path = (name: string): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${name}`;

  before(async () => {
    server = await startAksemu({ args: ["--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "westus2" });
  });
  after(async () => {
    await server.dispose();
  });

  it("gives an Azure CNI cluster a Windows profile, keeps the SKU's spelling and writes the network policy", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "cni",
      cluster({ networkProfile: { networkPlugin: "azure", loadBalancerSku: "standard" } }),
      POLL,
    );
    assert.deepEqual(plain(created.windowsProfile), { adminUsername: "azureuser", enableCSIProxy: true });
    assert.equal(created.networkProfile?.loadBalancerSku, "standard");
    assert.equal(created.networkProfile?.networkPolicy, "none");
    assert.equal(created.networkProfile?.networkDataplane, "azure");
    assert.deepEqual(plain(created.storageProfile), {
      diskCSIDriver: { enabled: true },
      fileCSIDriver: { enabled: true },
      snapshotController: { enabled: true },
    });

    // A kubenet cluster cannot host Windows pools: no profile.
    const kubenet = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "kubenet", cluster(KUBENET), POLL);
    assert.equal(kubenet.windowsProfile, undefined);

    // Turning on one storage driver keeps the others.
    const blob = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "cni",
      { ...created, storageProfile: { blobCSIDriver: { enabled: true } } },
      POLL,
    );
    assert.deepEqual(plain(blob.storageProfile), {
      diskCSIDriver: { enabled: true },
      fileCSIDriver: { enabled: true },
      snapshotController: { enabled: true },
      blobCSIDriver: { enabled: true },
    });
  });

  it("fills gMSA's empty domain settings, and enabling gMSA re-images the nodes (Upgrading)", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "win",
      cluster({
        windowsProfile: { adminUsername: "azureuser1", adminPassword: "replace-Password1234$" },
        networkProfile: { networkPlugin: "azure" },
      }),
      POLL,
    );
    assert.equal(created.windowsProfile?.adminPassword, undefined);
    // The direct answer to the update (az shows it with --no-wait), read over plain HTTPS.
    const wire = (await server.fetch(`${path("win")}?${V}`)).body as Wire;
    const windowsProfile = { ...(wire.properties.windowsProfile as object), gmsaProfile: { enabled: true } };
    const put = await server.fetch(`${path("win")}?${V}`, { method: "PUT", body: { ...wire, properties: { ...wire.properties, windowsProfile } } }); // prettier-ignore
    assert.equal(put.status, 200);
    const during = put.body as Wire;
    assert.equal(during.properties.provisioningState, "Upgrading");
    const pools = during.properties.agentPoolProfiles as { provisioningState: string }[];
    assert.ok(pools.every((p) => p.provisioningState === "Succeeded"));
    await server.advance("PT5M");
    const done = await client.managedClusters.get(RG, "win");
    assert.deepEqual(plain(done.windowsProfile?.gmsaProfile), { enabled: true, dnsServer: "", rootDomainName: "" });
    assert.equal(done.provisioningState, "Succeeded");
  });

  it("fills the autoscaler's settings, and an empty profile resets them to AKS's defaults", async () => {
    const pools = [{ name: "system", count: 1, vmSize: "Standard_D4s_v5", mode: "System" as const, enableAutoScaling: true, minCount: 1, maxCount: 3 }]; // prettier-ignore
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "auto",
      cluster({ agentPoolProfiles: pools, autoScalerProfile: { expander: "least-waste", scanInterval: "30s" } }),
      POLL,
    );
    assert.equal(created.autoScalerProfile?.expander, "least-waste");
    assert.equal(created.autoScalerProfile?.scanInterval, "30s");
    assert.equal(created.autoScalerProfile?.scaleDownUnneededTime, "10m");
    assert.equal(created.autoScalerProfile?.maxGracefulTerminationSec, "600");
    assert.equal(created.autoScalerProfile?.skipNodesWithSystemPods, "true");

    const reset = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "auto", { ...created, autoScalerProfile: {} }, POLL); // prettier-ignore
    assert.equal(reset.autoScalerProfile?.expander, "random");
    assert.equal(reset.autoScalerProfile?.scanInterval, "10s");
  });

  it("derives the HTTP application routing zone and the application gateway id of enabled addons", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "addons",
      cluster({
        addonProfiles: {
          httpApplicationRouting: { enabled: true },
          ingressApplicationGateway: { enabled: true, config: { subnetCIDR: "10.232.0.0/16" } },
        },
      }),
      POLL,
    );
    const routing = created.addonProfiles?.httpApplicationRouting;
    assert.match(routing?.config?.HTTPApplicationRoutingZoneName ?? "", /^[0-9a-f]{20}\.westus2\.aksapp\.io$/);
    assert.match(routing?.identity?.resourceId ?? "", /\/userAssignedIdentities\/httpapplicationrouting-addons$/);
    const gateway = created.addonProfiles?.ingressApplicationGateway?.config;
    assert.equal(
      gateway?.effectiveApplicationGatewayId,
      `/subscriptions/${server.subscriptionId}/resourceGroups/MC_${RG}_addons_westus2/providers/Microsoft.Network/applicationGateways/applicationgateway`,
    );
    // The zone stays across updates.
    const again = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "addons", { ...created, tags: { a: "b" } }, POLL); // prettier-ignore
    assert.equal(again.addonProfiles?.httpApplicationRouting?.config?.HTTPApplicationRoutingZoneName, routing?.config?.HTTPApplicationRoutingZoneName); // prettier-ignore
  });

  it("sends outbound traffic through a managed NAT gateway with its own IPs", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "nat",
      cluster({ networkProfile: { outboundType: "managedNATGateway", loadBalancerSku: "standard" } }),
      POLL,
    );
    // The inbound-only load balancer keeps just its backend pool type (AKS since 2024; `{}` before).
    assert.deepEqual(plain(created.networkProfile?.loadBalancerProfile), { backendPoolType: "nodeIPConfiguration" });
    const nat = created.networkProfile?.natGatewayProfile;
    assert.deepEqual(plain(nat?.managedOutboundIPProfile), { count: 1 });
    assert.equal(nat?.idleTimeoutInMinutes, 4);
    assert.equal(nat?.effectiveOutboundIPs?.length, 1);
    const two = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "nat",
      { ...created, networkProfile: { ...created.networkProfile, natGatewayProfile: { ...nat, managedOutboundIPProfile: { count: 2 } } } }, // prettier-ignore
      POLL,
    );
    assert.equal(two.networkProfile?.natGatewayProfile?.effectiveOutboundIPs?.length, 2);
    assert.equal(
      two.networkProfile?.natGatewayProfile?.effectiveOutboundIPs?.[0]?.id,
      nat?.effectiveOutboundIPs?.[0]?.id,
    );
  });

  it("gives a dual-stack cluster IPv6 ranges and IPv6 outbound IPs", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "dual",
      cluster({ networkProfile: { ipFamilies: ["IPv4", "IPv6"] } }),
      POLL,
    );
    const net = created.networkProfile!;
    assert.equal(net.podCidrs?.length, 2);
    assert.match(net.podCidrs![1]!, /^fd[0-9a-f]{2}(:[0-9a-f]{4}){3}::\/64$/);
    assert.match(net.serviceCidrs![1]!, /^fd[0-9a-f]{2}(:[0-9a-f]{4}){3}::\/108$/);
    assert.deepEqual(plain(net.loadBalancerProfile?.managedOutboundIPs), { count: 1, countIPv6: 1 });
    const ids = (net.loadBalancerProfile?.effectiveOutboundIPs ?? []).map((x) => x.id ?? "");
    assert.equal(ids.length, 2);
    assert.ok(ids[1]!.endsWith("-ipv6"));
  });

  it("migrates a kubenet cluster to Azure CNI Overlay, and refuses other plugin changes", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "kubenet", cluster(KUBENET), POLL);
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait(RG, "kubenet", { ...created, networkProfile: { ...created.networkProfile, networkPlugin: "azure" } }, POLL), // prettier-ignore
      (e: { code?: string }) => e.code === "PropertyChangeNotAllowed",
    );
    const migrated = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "kubenet",
      {
        ...created,
        networkProfile: { ...created.networkProfile, networkPlugin: "azure", networkPluginMode: "overlay" },
      },
      POLL,
    );
    assert.equal(migrated.networkProfile?.networkPlugin, "azure");
    assert.equal(migrated.networkProfile?.networkPluginMode, "overlay");
    assert.equal(migrated.networkProfile?.networkDataplane, "azure");
  });

  it("gives a cluster that names no network plugin Azure CNI Overlay, unless its api-version cannot say so", async () => {
    const overlay = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "unnamed", cluster(), POLL);
    assert.equal(overlay.networkProfile?.networkPlugin, "azure");
    assert.equal(overlay.networkProfile?.networkPluginMode, "overlay");
    assert.equal(overlay.networkProfile?.networkDataplane, "azure");
    assert.equal(overlay.networkProfile?.networkPolicy, "none");
    assert.equal(overlay.networkProfile?.podCidr, "10.244.0.0/16");
    assert.equal(overlay.agentPoolProfiles![0]!.maxPods, 250);
    // AKS gives a Windows profile only to clusters that asked for Azure CNI (recording test_aks_update_dualstack).
    assert.equal(overlay.windowsProfile, undefined);

    // The 2022-11-01 api-version has no networkPluginMode: its clients keep that api-version's default, kubenet.
    const put = await server.fetch(`${path("unnamed-old")}?api-version=2022-11-01`, {
      method: "PUT",
      body: {
        location: "westus2",
        identity: { type: "SystemAssigned" },
        properties: { dnsPrefix: "old", agentPoolProfiles: [{ name: "nodepool1", count: 1, vmSize: "Standard_DS2_v2", mode: "System" }] }, // prettier-ignore
      },
    });
    assert.equal(put.status, 201, put.text);
    const props = (put.body as Wire).properties as { networkProfile: Record<string, unknown>; agentPoolProfiles: { maxPods: number }[] }; // prettier-ignore
    assert.equal(props.networkProfile.networkPlugin, "kubenet");
    assert.equal(props.networkProfile.networkPluginMode, undefined);
    assert.equal(props.agentPoolProfiles[0]!.maxPods, 110);
  });

  it("fills Advanced Container Networking Services' features: all that can be on, unless turned off", async () => {
    const cilium = { networkPlugin: "azure", networkPluginMode: "overlay", networkDataplane: "cilium" } as const;
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "acns",
      cluster({ networkProfile: { ...cilium, advancedNetworking: { enabled: true } } }),
      POLL,
    );
    const acns = (c: ManagedCluster): unknown => plain(c.networkProfile?.advancedNetworking);
    assert.deepEqual(acns(created), { enabled: true, observability: { enabled: true }, security: { enabled: true } });
    assert.equal(created.networkProfile?.networkPolicy, "cilium");

    const update = (advancedNetworking: object): Promise<ManagedCluster> =>
      client.managedClusters.beginCreateOrUpdateAndWait(RG, "acns", { ...created, networkProfile: { ...created.networkProfile, advancedNetworking } }, POLL); // prettier-ignore
    const noSecurity = await update({ enabled: true, security: { enabled: false } });
    assert.deepEqual(acns(noSecurity), { enabled: true, observability: { enabled: true }, security: { enabled: false } }); // prettier-ignore
    // `enabled` alone turns every feature back on (recording test_aks_create_with_enable_acns_complex).
    const again = await update({ enabled: true });
    assert.deepEqual(acns(again), { enabled: true, observability: { enabled: true }, security: { enabled: true } });
    const off = await update({ enabled: false });
    assert.deepEqual(acns(off), { enabled: false, observability: { enabled: false }, security: { enabled: false } });
    // An update that leaves the profile out keeps it.
    const kept = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "acns", { ...off, tags: { t: "1" } }, POLL); // prettier-ignore
    assert.deepEqual(acns(kept), acns(off));

    // Without Cilium there is no security feature: off by default, refused when asked for.
    const azure = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "acns-azure",
      cluster({ networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay", advancedNetworking: { enabled: true } } }), // prettier-ignore
      POLL,
    );
    assert.deepEqual(acns(azure), { enabled: true, observability: { enabled: true }, security: { enabled: false } });
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait(RG, "acns-refused", cluster({ networkProfile: { networkPlugin: "azure", advancedNetworking: { enabled: true, security: { enabled: true } } } }), POLL), // prettier-ignore
      (e: { statusCode?: number; message?: string }) =>
        e.statusCode === 400 && /Cilium dataplane/.test(e.message ?? ""),
    );
  });

  it("writes the Istio profile's components, and a long-term-support cluster follows patches", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "mesh",
      cluster({
        sku: { name: "Base", tier: "Premium" },
        supportPlan: "AKSLongTermSupport",
        serviceMeshProfile: { mode: "Istio", istio: { revisions: ["asm-1-20"] } },
      }),
      POLL,
    );
    assert.deepEqual(plain(created.serviceMeshProfile), { mode: "Istio", istio: { components: {}, revisions: ["asm-1-20"] } }); // prettier-ignore
    assert.equal(created.autoUpgradeProfile?.upgradeChannel, "patch");
    const off = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "mesh", { ...created, serviceMeshProfile: { mode: "Disabled" } }, POLL); // prettier-ignore
    assert.deepEqual(plain(off.serviceMeshProfile), { mode: "Disabled" });
  });

  it("writes the backend pool type in AKS's spelling and leaves out a zero IPv6 outbound count", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "lb",
      cluster({
        networkProfile: {
          loadBalancerSku: "standard",
          loadBalancerProfile: { managedOutboundIPs: { count: 2, countIPv6: 0 }, backendPoolType: "NodeIPConfiguration" }, // prettier-ignore
        },
      }),
      POLL,
    );
    const lb = created.networkProfile?.loadBalancerProfile;
    assert.equal(lb?.backendPoolType, "nodeIPConfiguration");
    assert.deepEqual(plain(lb?.managedOutboundIPs), { count: 2 });
    assert.equal(lb?.effectiveOutboundIPs?.length, 2);
  });

  it("gives application routing its managed identity once enabled, and takes it away once disabled", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "routing", cluster(), POLL);
    const enabled = await client.managedClusters.beginCreateOrUpdateAndWait(RG, "routing", { ...created, ingressProfile: { webAppRouting: { enabled: true } } }, POLL); // prettier-ignore
    const identity = enabled.ingressProfile?.webAppRouting?.identity;
    assert.equal(identity?.resourceId, `/subscriptions/${server.subscriptionId}/resourcegroups/${created.nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/webapprouting-routing`); // prettier-ignore
    assert.ok(identity?.clientId);
    // While the disable runs the identity is still there (as AKS answers it); it is gone once the operation ends.
    const wire = (await server.fetch(`${path("routing")}?${V}`)).body as Wire;
    const put = await server.fetch(`${path("routing")}?${V}`, { method: "PUT", body: { ...wire, properties: { ...wire.properties, ingressProfile: { webAppRouting: { enabled: false } } } } }); // prettier-ignore
    assert.equal(put.status, 200, put.text);
    const during = (put.body as Wire).properties.ingressProfile as { webAppRouting: { enabled: boolean; identity?: { resourceId?: string } } }; // prettier-ignore
    assert.equal(during.webAppRouting.enabled, false);
    assert.equal(during.webAppRouting.identity?.resourceId, identity?.resourceId);
    await server.advance("PT5M");
    const disabled = await client.managedClusters.get(RG, "routing");
    assert.equal(disabled.provisioningState, "Succeeded");
    assert.equal(disabled.ingressProfile?.webAppRouting?.enabled, false);
    assert.equal(disabled.ingressProfile?.webAppRouting?.identity, undefined);
  });

  it("answers an update of a private cluster with its private link service, and the resource id after", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "private",
      cluster({ apiServerAccessProfile: { enablePrivateCluster: true } }),
      POLL,
    );
    const link = created.privateLinkResources?.[0];
    assert.match(link?.id ?? "", /\/managedClusters\/private\/privateLinkResources\/management$/);
    // az sends the cluster it read back on every update: the answer carries the private link service.
    const wire = (await server.fetch(`${path("private")}?${V}`)).body as Wire;
    const put = await server.fetch(`${path("private")}?${V}`, { method: "PUT", body: { ...wire, tags: { t: "1" } } });
    assert.equal(put.status, 200);
    const during = ((put.body as Wire).properties.privateLinkResources as { privateLinkServiceID?: string }[])[0];
    assert.match(during?.privateLinkServiceID ?? "", /\/resourceGroups\/hcp-underlay-westus2-cx-\d+\/providers\/Microsoft\.Network\/privateLinkServices\/a[0-9a-f]{31}$/); // prettier-ignore
    await server.advance("PT5M");
    const done = await client.managedClusters.get(RG, "private");
    assert.equal(done.privateLinkResources?.[0]?.id, link?.id);
    assert.equal(done.privateLinkResources?.[0]?.privateLinkServiceID, undefined);
  });

  it("answers AKS's NotFound for seconds after a delete, then ARM's ResourceNotFound", async () => {
    await client.managedClusters.beginCreateOrUpdateAndWait(RG, "gone", cluster(), POLL);
    await client.managedClusters.beginDeleteAndWait(RG, "gone", POLL);
    await assert.rejects(client.managedClusters.get(RG, "gone"), (e: { code?: string; statusCode?: number }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, "NotFound");
      return true;
    });
    await server.advance("PT1M");
    await assert.rejects(
      client.managedClusters.get(RG, "gone"),
      (e: { code?: string }) => e.code === "ResourceNotFound",
    );
  });

  it("writes an edge zone's type in lower case", async () => {
    const created = await client.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      "edge",
      cluster({ extendedLocation: { name: "losangeles", type: "EdgeZone" } }),
      POLL,
    );
    assert.deepEqual(plain(created.extendedLocation), { name: "losangeles", type: "edgezone" });
  });
});

describe("managed cluster answers as AKS gave them in October 2022", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const path = (name: string): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${name}`;

  before(async () => {
    server = await startAksemu({ args: ["--now", "2022-10-25T10:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "westus2" });
  });
  after(async () => {
    await server.dispose();
  });

  it("writes the load balancer SKU canonically on completion and leaves the network policy out", async () => {
    // The body az 2.45 sends (api-version 2022-11-01), over plain HTTPS to see the direct answer.
    const put = await server.fetch(`${path("old")}?api-version=2022-11-01`, {
      method: "PUT",
      body: {
        location: "westus2",
        identity: { type: "SystemAssigned" },
        properties: {
          dnsPrefix: "old",
          agentPoolProfiles: [
            { name: "nodepool1", count: 1, vmSize: "Standard_DS2_v2", mode: "System", osType: "Linux" },
          ],
          networkProfile: { networkPlugin: "kubenet", outboundType: "loadBalancer", loadBalancerSku: "standard" },
        },
      },
    });
    assert.equal(put.status, 201);
    const answer = (put.body as Wire).properties.networkProfile as { loadBalancerSku?: string };
    assert.equal(answer.loadBalancerSku, "standard");
    await server.advance("PT5M");
    const done = await client.managedClusters.get(RG, "old");
    assert.equal(done.networkProfile?.loadBalancerSku, "Standard");
    assert.equal(done.networkProfile?.networkPolicy, undefined);
  });

  it("fills the docker bridge range at every api-version until 2023-04-01's rollout, then only at older ones", async () => {
    await settle(server, client.managedClusters.beginCreateOrUpdate(RG, "bridge", cluster({ dnsPrefix: "bridge" }), POLL)); // prettier-ignore
    const bridge = async (apiVersion: string): Promise<unknown> => {
      const r = await server.fetch(`${path("bridge")}?api-version=${apiVersion}`);
      assert.equal(r.status, 200, r.text);
      return ((r.body as Wire).properties.networkProfile as { dockerBridgeCidr?: string }).dockerBridgeCidr;
    };
    // October 2022: AKS answered the field to every client (the api-versions without it came later).
    assert.equal(await bridge("2022-11-01"), "172.17.0.1/16");
    assert.equal(await bridge("2024-09-01"), "172.17.0.1/16");
    // After the retirement (complete by 2023-05-26): only api-versions before 2023-04-01 still carry it.
    await server.advance("P365D");
    assert.equal(await bridge("2023-03-01"), "172.17.0.1/16");
    assert.equal(await bridge("2023-04-01"), undefined);
    assert.equal(await bridge("2024-09-01"), undefined);
  });
});
