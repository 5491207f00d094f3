/**
 * Support policy: Kubernetes version support moving with the calendar (fact sheet §2.1, §1 FAQ) and archiving of
 * control planes out of support for 30 days («Nodos detenidos, no asignados y sin preparar»). One cluster created on
 * the oldest minor in community support goes through community support, platform support (N-3) and the platform's
 * upgrade to N-2; a second one, stopped when its minor leaves platform support, falls out of support, is archived 30
 * days later (credentials refused) and is restored by the user's upgrade. Real clients: @azure/arm-containerservice;
 * the supportability view and the activity log through fetch. Dates follow the version catalog's calendar.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import {
  activityLog,
  clusterClient,
  clusterId,
  createCluster,
  POLL,
  setClock,
  settle,
  supportability,
  type Supportability,
} from "./support/policy.js";

const T0 = "2026-11-27T00:00:00.000Z";
const PLATFORM = "AKS platform";
// From the catalog (shared/aks-data/kubernetes-release-calendar.md): 1.34's community support ends with November
// 2026; its platform support lasts until 1.38 is GA (2027-03-15); 1.35's community support ends with March 2027.
const COMMUNITY_END_134 = "2026-12-01T00:00:00.000Z";
const PLATFORM_END_134 = "2027-03-15T00:00:00.000Z";
const ARCHIVE_134 = "2027-04-14T00:00:00.000Z";

describe("policy: Kubernetes version support on the calendar, platform upgrade, archiving and restore", () => {
  let server: Aksemu;
  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", T0] });
    await server.resources().resourceGroups.createOrUpdate("rg-ver", { location: "westeurope" });
  });
  after(async () => {
    assert.doesNotMatch(server.output.stderr, /failed|Error/);
    await server.dispose();
  });

  it("walks a cluster on the oldest supported minor through the calendar", async () => {
    const sub = server.subscriptionId;
    const client = clusterClient(server);
    const runner = await createCluster(server, "rg-ver", "runner", { kubernetesVersion: "1.34" });
    await createCluster(server, "rg-ver", "sleeper", { kubernetesVersion: "1.34" });
    assert.match(runner.currentKubernetesVersion!, /^1\.34\.\d+$/);
    const runnerId = clusterId(sub, "rg-ver", "runner");
    const sleeperId = clusterId(sub, "rg-ver", "sleeper");

    // Community support (N-2): supported, and the platform upgrade at the end of platform support is already known.
    let view = await supportability(server, runnerId);
    assert.equal(view.status, "Supported");
    let finding = view.findings.find((f) => f.rule === "kubernetes-version-support")!;
    assert.equal(finding.deadline, COMMUNITY_END_134);
    assert.match(finding.consequence!, /platform support/);
    // The end-of-support notice AKS publishes (Resource Graph scheduled event, 4 days before the end of life).
    assert.deepEqual(
      view.scheduledEvents.map((e) => [
        e.eventType,
        e.eventDetails.daysUntilEOL,
        e.eventDetails.supportType,
        e.eventDetails.eolDate,
      ]),
      [["KubernetesVersionEOLOneWeek", 4, "Community", COMMUNITY_END_134]],
    );
    const upgrade = view.upcoming.find((u) => u.action === "upgrade")!;
    assert.equal(upgrade.at, PLATFORM_END_134);
    assert.match(upgrade.targetVersion!, /^1\.35\.\d+$/);

    // Platform support (N-3) after community end of life.
    await setClock(server, "2026-12-02T00:00:00.000Z");
    view = await supportability(server, runnerId);
    assert.equal(view.status, "PlatformSupport");
    assert.deepEqual(
      view.scheduledEvents.map((e) => [e.eventType, e.eventDetails.daysUntilEOL]),
      [["KubernetesVersionOutOfSupport", -1]],
    );
    finding = view.findings.find((f) => f.rule === "kubernetes-version-support")!;
    assert.equal(finding.since, COMMUNITY_END_134);
    assert.equal(finding.deadline, PLATFORM_END_134);
    assert.match(finding.consequence!, /upgrades the cluster to 1\.35\.\d+ \(N-2\)/);
    const fleet = (await server.fetch("/_emulator/supportability", { auth: false })).body as {
      value: { id: string; status: string }[];
      statuses: Record<string, number>;
    };
    assert.equal(fleet.statuses.PlatformSupport, 2);

    // The sleeper is stopped before its minor leaves platform support.
    await setClock(server, "2027-03-01T00:00:00.000Z");
    await settle(server, client.managedClusters.beginStop("rg-ver", "sleeper", POLL));

    // At the end of platform support: the running cluster is upgraded by the platform to N-2.
    await setClock(server, "2027-03-16T00:00:00.000Z");
    const upgraded = await client.managedClusters.get("rg-ver", "runner");
    assert.match(upgraded.currentKubernetesVersion!, /^1\.35\.\d+$/);
    assert.equal(upgraded.provisioningState, "Succeeded");
    assert.ok(
      upgraded.agentPoolProfiles!.every((p) => p.currentOrchestratorVersion === upgraded.currentKubernetesVersion),
    );
    const runnerLog = await activityLog(server, sub, T0, "2030-01-01T00:00:00Z", ` and resourceUri eq '${runnerId}'`);
    const platformWrites = runnerLog.filter(
      (e) => e.caller === PLATFORM && e.operationName.value === "Microsoft.ContainerService/managedClusters/write",
    );
    assert.deepEqual(platformWrites.map((e) => e.status.value).sort(), ["Started", "Succeeded"]);
    assert.equal(platformWrites.find((e) => e.status.value === "Started")!.eventTimestamp, PLATFORM_END_134);
    assert.match(platformWrites[0]!.description, /N-2/);
    view = await supportability(server, runnerId);
    assert.equal(view.status, "Supported");
    assert.equal(view.kubernetesVersion, upgraded.currentKubernetesVersion);

    // The stopped one could not be upgraded: out of support, archived 30 days later.
    view = await supportability(server, sleeperId);
    assert.equal(view.status, "OutOfSupport");
    assert.equal(view.archived, false);
    assert.equal(view.findings.find((f) => f.rule === "kubernetes-version-support")!.since, PLATFORM_END_134);
    assert.deepEqual(
      view.upcoming.filter((u) => u.action === "archive").map((u) => u.at),
      [ARCHIVE_134],
    );
    await setClock(server, "2027-04-13T00:00:00.000Z");
    assert.equal((await supportability(server, sleeperId)).archived, false);

    await setClock(server, "2027-04-15T00:00:00.000Z");
    view = await supportability(server, sleeperId);
    assert.equal(view.archived, true);
    assert.equal(view.status, "OutOfSupport");
    const archived = view.findings.find((f) => f.rule === "control-plane-archiving")!;
    assert.equal(archived.since, ARCHIVE_134);
    assert.match(archived.message, /credentials and API are unavailable/);
    const sleeperLog = await activityLog(server, sub, T0, "2030-01-01T00:00:00Z", ` and resourceUri eq '${sleeperId}'`);
    assert.ok(
      sleeperLog.some(
        (e) =>
          e.caller === PLATFORM &&
          e.operationName.value === "Microsoft.ContainerService/managedClusters/archive/action" &&
          e.eventTimestamp === ARCHIVE_134,
      ),
    );

    // Archived: the resource is still there (reads work) but credentials are refused, saying why and how to restore.
    assert.equal((await client.managedClusters.get("rg-ver", "sleeper")).name, "sleeper");
    await settle(server, client.managedClusters.beginStart("rg-ver", "sleeper", POLL));
    await assert.rejects(client.managedClusters.listClusterUserCredentials("rg-ver", "sleeper"), (e: { code?: string; statusCode?: number; message?: string }) => {
      assert.equal(e.statusCode, 409);
      assert.equal(e.code, "OperationNotAllowed");
      assert.match(e.message ?? "", /archived/);
      assert.match(e.message ?? "", /Upgrade the cluster to a supported version/);
      return true;
    }); // prettier-ignore

    // A PUT that brings it back into support (an upgrade) restores it, as a normal long-running operation.
    const profile = await client.managedClusters.getUpgradeProfile("rg-ver", "sleeper");
    const target = profile.controlPlaneProfile.upgrades?.[0]?.kubernetesVersion;
    assert.ok(target !== undefined, "an upgrade path out of the unsupported version is offered");
    const current = await client.managedClusters.get("rg-ver", "sleeper");
    const restored = await settle(
      server,
      client.managedClusters.beginCreateOrUpdate(
        "rg-ver",
        "sleeper",
        {
          ...current,
          kubernetesVersion: target,
          agentPoolProfiles: current.agentPoolProfiles!.map((p) => ({ ...p, orchestratorVersion: target })),
        },
        POLL,
      ),
    );
    assert.equal(restored.currentKubernetesVersion, target);
    view = await supportability(server, sleeperId);
    assert.equal(view.archived, false);
    assert.notEqual(view.status, "OutOfSupport");
    const creds = await client.managedClusters.listClusterUserCredentials("rg-ver", "sleeper");
    assert.ok((creds.kubeconfigs ?? []).length > 0);
    const restoreLog = await activityLog(server, sub, "2027-04-15T00:00:00Z", "2030-01-01T00:00:00Z", ` and resourceUri eq '${sleeperId}'`); // prettier-ignore
    assert.ok(restoreLog.some((e) => e.operationName.value === "Microsoft.ContainerService/managedClusters/restore/action")); // prettier-ignore
  });

  it("gives a cluster on a preview Kubernetes version a best-effort verdict, Supported once the version is GA", async () => {
    // 1.38 is in preview from 2027-02-15 to its GA on 2027-03-15 (catalog).
    const server2 = await startAksemu({ args: ["--clock", "frozen", "--now", "2027-02-20T00:00:00Z"] });
    try {
      await server2.resources().resourceGroups.createOrUpdate("rg-preview", { location: "westeurope" });
      const created = await createCluster(server2, "rg-preview", "early", { kubernetesVersion: "1.38" });
      assert.match(created.currentKubernetesVersion!, /^1\.38\./);
      const id = clusterId(server2.subscriptionId, "rg-preview", "early");
      let view = await supportability(server2, id);
      assert.equal(view.status, "BestEffort");
      const preview = view.findings.find((f) => f.rule === "preview-features")!;
      assert.equal(preview.policySection, "Características en versión preliminar o marcas de característica");
      assert.match(preview.message, /best-effort support, during business hours only/);
      await setClock(server2, "2027-03-16T00:00:00Z");
      view = await supportability(server2, id);
      assert.equal(view.status, "Supported");
      assert.ok(!view.findings.some((f) => f.rule === "preview-features"));
    } finally {
      await server2.dispose();
    }
  });

  it("gives a withdrawn patch 30 days, then out of support until the cluster runs an offered patch", async () => {
    const server4 = await startAksemu({ args: ["--clock", "frozen", "--now", T0] });
    try {
      await server4.resources().resourceGroups.createOrUpdate("rg-patch", { location: "westeurope" });
      const client = clusterClient(server4);
      // The oldest patch offered today of the default minor, and a cluster pinned to it (no auto-upgrade channel).
      const versions = await client.managedClusters.listKubernetesVersions("westeurope");
      const minor = versions.values!.find((v) => v.isDefault)!;
      const oldest = Object.keys(minor.patchVersions!).sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]))[0]!; // prettier-ignore
      await createCluster(server4, "rg-patch", "pinned", { kubernetesVersion: oldest });
      const id = clusterId(server4.subscriptionId, "rg-patch", "pinned");
      const patchFinding = async (): Promise<Supportability["findings"][number] | undefined> =>
        (await supportability(server4, id)).findings.find((f) => f.rule === "withdrawn-kubernetes-patch");
      assert.equal(await patchFinding(), undefined);

      // Month by month until AKS stops offering the patch: still supported, with 30 days to move.
      let finding: Supportability["findings"][number] | undefined;
      for (let month = 0; month < 6 && finding === undefined; month++) {
        await server4.advance("P30D");
        finding = await patchFinding();
      }
      assert.ok(finding !== undefined, `${oldest} is withdrawn within six months`);
      assert.equal(Date.parse(finding.deadline!) - Date.parse(finding.since), 30 * 86_400_000);
      assert.equal((await supportability(server4, id)).status, "Supported");

      await setClock(server4, finding.deadline!);
      let view = await supportability(server4, id);
      assert.equal(view.status, "OutOfSupport");
      assert.match(view.findings.find((f) => f.rule === "withdrawn-kubernetes-patch")!.message, /offered patch/);

      // Moving to an offered patch of the same minor brings it back.
      const upgrades = await client.managedClusters.getUpgradeProfile("rg-patch", "pinned");
      const samePatchLine = upgrades.controlPlaneProfile.upgrades!.map((u) => u.kubernetesVersion ?? "").filter((v) => v.startsWith(`${oldest.split(".").slice(0, 2).join(".")}.`)); // prettier-ignore
      assert.ok(samePatchLine.length > 0, "a newer patch of the same minor is offered");
      const cluster = await client.managedClusters.get("rg-patch", "pinned");
      await settle(server4, client.managedClusters.beginCreateOrUpdate("rg-patch", "pinned", { ...cluster, kubernetesVersion: samePatchLine.at(-1)! }, POLL)); // prettier-ignore
      view = await supportability(server4, id);
      assert.equal(view.status, "Supported");
      assert.equal(await patchFinding(), undefined);
    } finally {
      await server4.dispose();
    }
  });

  it("keeps an LTS cluster (Premium + AKSLongTermSupport) supported through the LTS year, without platform upgrade", async () => {
    const server3 = await startAksemu({ args: ["--clock", "frozen", "--now", T0] });
    try {
      await server3.resources().resourceGroups.createOrUpdate("rg-lts", { location: "westeurope" });
      await createCluster(server3, "rg-lts", "long", {
        kubernetesVersion: "1.34",
        sku: { name: "Base", tier: "Premium" },
        supportPlan: "AKSLongTermSupport",
      });
      const id = clusterId(server3.subscriptionId, "rg-lts", "long");
      let view = await supportability(server3, id);
      assert.equal(view.status, "Supported");
      assert.match(
        view.findings.find((f) => f.rule === "kubernetes-version-support")!.consequence!,
        /long-term support/,
      );
      assert.ok(!view.upcoming.some((u) => u.action === "upgrade"));
      assert.deepEqual(view.scheduledEvents, []);

      await setClock(server3, "2027-03-16T00:00:00.000Z");
      const cluster = await clusterClient(server3).managedClusters.get("rg-lts", "long");
      assert.match(cluster.currentKubernetesVersion!, /^1\.34\./, "LTS clusters are not upgraded by the platform");
      view = await supportability(server3, id);
      assert.equal(view.status, "Supported");
      assert.match(view.findings.find((f) => f.rule === "kubernetes-version-support")!.message, /long-term support/);

      // After the LTS end of life (end of November 2027): out of support, archived 30 days later.
      await setClock(server3, "2027-12-02T00:00:00.000Z");
      view = await supportability(server3, id);
      assert.equal(view.status, "OutOfSupport");
      assert.deepEqual(
        view.upcoming.filter((u) => u.action === "archive").map((u) => u.at),
        ["2027-12-31T00:00:00.000Z"],
      );
      assert.equal(view.scheduledEvents[0]?.eventDetails.supportType, "LTS");
    } finally {
      await server3.dispose();
    }
  });
});
