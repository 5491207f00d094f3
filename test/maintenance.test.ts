/**
 * Planned maintenance through the real @azure/arm-containerservice (`client.maintenanceConfigurations`): AKS's three
 * configurations (`default` with timeInWeek / notAllowedTime; `aksManagedAutoUpgradeSchedule` and
 * `aksManagedNodeOSUpgradeSchedule` with a maintenanceWindow of each schedule kind), echoed as AKS does (a create
 * answers 200, a window without startDate starts today), listed, deleted, the refusals, and the shapes of api-version
 * 2022-11-01 (no maintenanceWindow) and 2025-10-01 against their specs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC = specFile("containerservice/2025-10-01/managedClusters.json");
const SPEC_2022 = specFile("containerservice/2022-11-01/managedClusters.json");
const RG = "rg-mc";

describe("maintenance configurations through @azure/arm-containerservice", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const config = (name: string, v = "2025-10-01"): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/mc/maintenanceConfigurations/${name}?api-version=${v}`; // prettier-ignore

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "eastus" });
    const created = await server.fetch(
      `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/mc?api-version=2025-10-01`,
      {
        method: "PUT",
        body: {
          location: "eastus",
          identity: { type: "SystemAssigned" },
          properties: { dnsPrefix: "mc", agentPoolProfiles: [{ name: "system", count: 1, mode: "System" }] },
        },
      },
    );
    assert.equal(created.status, 201, created.text);
    await server.advance("PT5M");
  });
  after(async () => {
    await server.dispose();
  });

  it("keeps the default configuration's weekly slots and blackout times", async () => {
    const saved = await client.maintenanceConfigurations.createOrUpdate(RG, "mc", "default", {
      timeInWeek: [
        { day: "Tuesday", hourSlots: [1, 2] },
        { day: "Wednesday", hourSlots: [1, 6] },
      ],
      notAllowedTime: [{ start: new Date("2026-12-24T03:00:00Z"), end: new Date("2026-12-26T12:00:00Z") }],
    });
    assert.equal(saved.name, "default");
    assert.deepEqual(saved.timeInWeek, [
      { day: "Tuesday", hourSlots: [1, 2] },
      { day: "Wednesday", hourSlots: [1, 6] },
    ]);
    assert.equal(saved.notAllowedTime?.[0]?.start?.toISOString(), "2026-12-24T03:00:00.000Z");

    // Over HTTPS: a create answers 200 (as real AKS does); instants come back without fractions; empty lists dropped.
    const again = await server.fetch(config("default"), {
      method: "PUT",
      body: { properties: { timeInWeek: [{ day: "Monday", hourSlots: [1] }], notAllowedTime: [] } },
    });
    assert.equal(again.status, 200, again.text);
    assertMatchesSpec(SPEC, "MaintenanceConfigurations_CreateOrUpdate", 200, again.body);
    assert.equal((again.body as { properties: Record<string, unknown> }).properties.notAllowedTime, undefined);
    const old = await server.fetch(config("default", "2022-11-01"));
    assertMatchesSpec(SPEC_2022, "MaintenanceConfigurations_Get", 200, old.body);
  });

  it("keeps maintenance windows of every schedule kind, starting today when no startDate is given", async () => {
    const auto = await client.maintenanceConfigurations.createOrUpdate(RG, "mc", "aksManagedAutoUpgradeSchedule", {
      maintenanceWindow: {
        schedule: { weekly: { intervalWeeks: 3, dayOfWeek: "Friday" } },
        durationHours: 8,
        utcOffset: "+05:30",
        startDate: new Date("2027-01-01T00:00:00Z"),
        startTime: "00:00",
      },
    });
    assert.deepEqual(auto.maintenanceWindow?.schedule.weekly, { intervalWeeks: 3, dayOfWeek: "Friday" });
    assert.equal(auto.maintenanceWindow?.schedule.daily, undefined);
    assert.equal(auto.maintenanceWindow?.durationHours, 8);
    assert.equal(auto.maintenanceWindow?.utcOffset, "+05:30");
    assert.equal(auto.maintenanceWindow?.startDate?.toISOString().slice(0, 10), "2027-01-01");

    const nodeOs = await client.maintenanceConfigurations.createOrUpdate(RG, "mc", "aksManagedNodeOSUpgradeSchedule", {
      maintenanceWindow: {
        schedule: { relativeMonthly: { intervalMonths: 1, weekIndex: "Last", dayOfWeek: "Tuesday" } },
        durationHours: 12,
        utcOffset: "-08:00",
        startTime: "09:00",
        notAllowedDates: [{ start: new Date("2026-12-23T00:00:00Z"), end: new Date("2027-01-05T00:00:00Z") }],
      },
    });
    assert.deepEqual(nodeOs.maintenanceWindow?.schedule.relativeMonthly, {
      intervalMonths: 1,
      weekIndex: "Last",
      dayOfWeek: "Tuesday",
    });
    // No startDate: the window starts today (the emulated clock's date).
    assert.equal(nodeOs.maintenanceWindow?.startDate?.toISOString().slice(0, 10), "2026-11-27");
    assert.equal(nodeOs.maintenanceWindow?.notAllowedDates?.length, 1);

    // The other two kinds, over HTTPS, checked against the spec.
    for (const schedule of [
      { daily: { intervalDays: 3 } },
      { absoluteMonthly: { intervalMonths: 3, dayOfMonth: 15 } },
    ]) {
      const r = await server.fetch(config("aksManagedNodeOSUpgradeSchedule"), {
        method: "PUT",
        body: { properties: { maintenanceWindow: { schedule, durationHours: 4, startTime: "13:30", utcOffset: "-07:00" } } }, // prettier-ignore
      });
      assert.equal(r.status, 200, r.text);
      assertMatchesSpec(SPEC, "MaintenanceConfigurations_CreateOrUpdate", 200, r.body);
      assert.deepEqual((r.body as { properties: { maintenanceWindow: { schedule: unknown } } }).properties.maintenanceWindow.schedule, schedule); // prettier-ignore
    }
    const got = await server.fetch(config("aksManagedNodeOSUpgradeSchedule"));
    assertMatchesSpec(SPEC, "MaintenanceConfigurations_Get", 200, got.body);

    const all = [];
    for await (const c of client.maintenanceConfigurations.listByManagedCluster(RG, "mc")) all.push(c.name);
    assert.deepEqual(all.sort(), ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule", "default"]);
    const list = await server.fetch(config("").replace("/?", "?"));
    assertMatchesSpec(SPEC, "MaintenanceConfigurations_ListByManagedCluster", 200, list.body);
    // api-version 2022-11-01 has no maintenanceWindow: the windows are listed without it.
    const oldList = await server.fetch(config("", "2022-11-01").replace("/?", "?"));
    assertMatchesSpec(SPEC_2022, "MaintenanceConfigurations_ListByManagedCluster", 200, oldList.body);
  });

  it("refuses unknown names and windows outside AKS's ranges, saying what to change", async () => {
    const put = (name: string, properties: unknown) =>
      server.fetch(config(name), { method: "PUT", body: { properties } });
    const window = (over: Record<string, unknown>) => ({
      maintenanceWindow: { schedule: { weekly: { intervalWeeks: 1, dayOfWeek: "Sunday" } }, durationHours: 4, startTime: "00:00", ...over }, // prettier-ignore
    });
    const cases: [string, unknown, RegExp][] = [
      ["weekend", { timeInWeek: [] }, /not supported/],
      ["aksManagedAutoUpgradeSchedule", window({ durationHours: 3 }), /durationHours/],
      ["aksManagedAutoUpgradeSchedule", window({ startTime: "25:00" }), /startTime/],
      ["aksManagedAutoUpgradeSchedule", window({ schedule: { daily: { intervalDays: 8 } } }), /intervalDays/],
      ["aksManagedAutoUpgradeSchedule", window({ schedule: { daily: { intervalDays: 1 }, weekly: { intervalWeeks: 1, dayOfWeek: "Sunday" } } }), /exactly one/], // prettier-ignore
      ["aksManagedAutoUpgradeSchedule", window({ schedule: { relativeMonthly: { intervalMonths: 1, dayOfWeek: "Monday" } } }), /weekIndex/], // prettier-ignore
      ["aksManagedAutoUpgradeSchedule", window({ startDate: "01/02/2027" }), /startDate/],
      ["aksManagedAutoUpgradeSchedule", window({ notAllowedDates: [{ start: "2027-02-01", end: "2027-01-01" }] }), /after its end/], // prettier-ignore
      ["aksManagedNodeOSUpgradeSchedule", { timeInWeek: [{ day: "Monday", hourSlots: [1] }] }, /maintenanceWindow/],
      ["default", window({}), /timeInWeek/],
    ];
    for (const [name, properties, message] of cases) {
      const r = await put(name, properties);
      assert.equal(r.status, 400, `${name} ${JSON.stringify(properties)}: ${r.text}`);
      const error = (r.body as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "InvalidParameter");
      assert.match(error.message, message);
    }
  });

  it("deletes configurations (200, then 204 when already gone)", async () => {
    await client.maintenanceConfigurations.delete(RG, "mc", "aksManagedAutoUpgradeSchedule");
    await assert.rejects(
      client.maintenanceConfigurations.get(RG, "mc", "aksManagedAutoUpgradeSchedule"),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === "NotFound",
    );
    const gone = await server.fetch(config("aksManagedAutoUpgradeSchedule"), { method: "DELETE" });
    assert.equal(gone.status, 204);
  });
});
