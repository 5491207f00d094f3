/**
 * The real Azure CLI (Debian's azure-cli 2.45) against aksemu through `aksemu az`: set-up (cloud register/set, login),
 * account, resource groups, provider registration, feature flags, `aksemu env`, and the login surviving a restart on
 * another port.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { MAIN, azSuiteOptions, cmd, startAzServer, stopAzServer, type AzCli } from "./support/az-cli.js";

interface Feature {
  id: string;
  name: string;
  type: string;
  properties: { state: string };
}

describe("the real az CLI: account, groups, providers, features", azSuiteOptions(), () => {
  let server: Aksemu;
  let az: AzCli;

  before(async () => ({ server, az } = await startAzServer()));
  after(() => stopAzServer(server, az));

  it("sets up a private profile on first use: cloud registered and selected, service principal logged in", async () => {
    const account = await az.json<Record<string, unknown>>(cmd`account show`);
    assert.equal(account.id, server.subscriptionId);
    assert.equal(account.tenantId, server.tenantId);
    assert.equal(account.environmentName, "aksemu");
    assert.equal(account.state, "Enabled");
    assert.deepEqual(account.user, { name: "aksemu-az-cli", type: "servicePrincipal" });

    const cloud = await az.json<{ name: string; isActive: boolean; endpoints: Record<string, string> }>(
      cmd`cloud show --name aksemu`,
    );
    assert.equal(cloud.isActive, true);
    assert.equal(cloud.endpoints.resourceManager, `${server.url}/`);
    assert.equal(cloud.endpoints.activeDirectory, `${server.url}/adfs`);

    // The profile lives in the data dir; the user's own ~/.azure is never created.
    const profile = JSON.parse(
      readFileSync(join(server.dataDir, "azure-cli", "azureProfile.json"), "utf8").replace(/^\uFEFF/, ""),
    ) as {
      subscriptions: { id: string }[];
    };
    assert.equal(profile.subscriptions[0]!.id, server.subscriptionId);
    const home = await az.run(cmd`account list --query length(@) -o tsv`);
    assert.equal(home.stdout.trim(), "1");
  });

  it("creates, shows, lists and deletes resource groups", async () => {
    const created = await az.json<Record<string, unknown>>(
      cmd`group create -n rg-az -l westeurope --tags team=platform`,
    );
    assert.equal(created.name, "rg-az");
    assert.equal(created.location, "westeurope");
    assert.deepEqual(created.tags, { team: "platform" });
    assert.deepEqual(created.properties, { provisioningState: "Succeeded" });

    const shown = await az.json<Record<string, unknown>>(cmd`group show -n RG-AZ`);
    assert.equal(shown.id, `/subscriptions/${server.subscriptionId}/resourceGroups/rg-az`);

    await az.json(cmd`group create -n rg-az-2 -l eastus`);
    const listed = await az.json<{ name: string }[]>(cmd`group list`);
    assert.deepEqual(listed.map((g) => g.name).sort(), ["rg-az", "rg-az-2"]);

    const deleted = await az.run(cmd`group delete -n rg-az-2 --yes`);
    assert.equal(deleted.code, 0, deleted.stderr);
    const exists = await az.run(cmd`group exists -n rg-az-2`);
    assert.equal(exists.stdout.trim(), "false");

    const missing = await az.run(cmd`group show -n rg-az-2`);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /ResourceGroupNotFound/);
    assert.match(missing.stderr, /Resource group 'rg-az-2' could not be found/);
  });

  it("registers a resource provider and shows its registration state", async () => {
    const before = await az.json<{ namespace: string; registrationState: string }>(
      cmd`provider show -n Microsoft.Network`,
    );
    assert.equal(before.namespace, "Microsoft.Network");
    assert.equal(before.registrationState, "NotRegistered");
    const registered = await az.run(cmd`provider register -n Microsoft.Network`);
    assert.equal(registered.code, 0, registered.stderr);
    await server.advance("PT1M");
    const after = await az.json<{ registrationState: string }>(cmd`provider show -n Microsoft.Network`);
    assert.equal(after.registrationState, "Registered");

    // What AKS docs ask after a feature registration: re-register the namespace aksemu serves.
    const aks = await az.run(cmd`provider register -n Microsoft.ContainerService`);
    assert.equal(aks.code, 0, aks.stderr);
    const shown = await az.json<{
      registrationState: string;
      resourceTypes: { resourceType: string; apiVersions: string[] }[];
    }>(cmd`provider show -n Microsoft.ContainerService`);
    assert.equal(shown.registrationState, "Registered");
    const clusters = shown.resourceTypes.find((t) => t.resourceType === "managedClusters");
    assert.ok(clusters?.apiVersions.includes("2022-11-01"), "the api-version az 2.45 sends is listed");
  });

  it("registers an AKS preview flag: Registering, then Registered on the clock; lists and unregisters it", async () => {
    const flag = "NodeInitializationTaintsPreview";
    const id = `/subscriptions/${server.subscriptionId}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/${flag}`;
    const initial = await az.json<Feature>(cmd`feature show --namespace Microsoft.ContainerService --name ${flag}`);
    assert.deepEqual(initial, {
      id,
      name: `Microsoft.ContainerService/${flag}`,
      type: "Microsoft.Features/providers/features",
      properties: { state: "NotRegistered" },
    });

    const registering = await az.run(
      cmd`feature register --namespace Microsoft.ContainerService --name ${flag} -o json`,
    );
    assert.equal(registering.code, 0, registering.stderr);
    assert.equal((JSON.parse(registering.stdout) as Feature).properties.state, "Registering");
    // az's own reminder, as against Azure.
    assert.match(registering.stderr, /invoking 'az provider register -n Microsoft.ContainerService' is required/);

    await server.advance("PT5M");
    const registered = await az.json<Feature>([
      "feature",
      "show",
      "--namespace",
      "Microsoft.ContainerService",
      "--name",
      flag.toLowerCase(),
    ]);
    assert.equal(registered.name, `Microsoft.ContainerService/${flag}`);
    assert.equal(registered.properties.state, "Registered");

    const listed = await az.json<Feature[]>(cmd`feature list --namespace Microsoft.ContainerService`);
    assert.ok(listed.length > 20, "the AKS preview flags are listed");
    assert.ok(listed.every((f) => f.name.startsWith("Microsoft.ContainerService/")));
    assert.equal(listed.find((f) => f.id === id)?.properties.state, "Registered");
    assert.equal(
      listed.find((f) => f.name === "Microsoft.ContainerService/KataCcIsolationPreview")?.properties.state,
      "NotRegistered",
    );
    const all = await az.json<Feature[]>(cmd`feature list`);
    assert.ok(all.some((f) => f.name === "Microsoft.Compute/InGuestPatchVMPreview"));

    const unregistering = await az.json<Feature>(
      cmd`feature unregister --namespace Microsoft.ContainerService --name ${flag}`,
    );
    assert.equal(unregistering.properties.state, "Unregistering");
    await server.advance("PT5M");
    const unregistered = await az.json<Feature>(
      cmd`feature show --namespace Microsoft.ContainerService --name ${flag}`,
    );
    assert.equal(unregistered.properties.state, "Unregistered");
  });

  it("refuses a retired flag the way Azure does", async () => {
    const r = await az.run(cmd`feature register --namespace Microsoft.ContainerService --name StartStopPreview`);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /The feature 'StartStopPreview' could not be found\./);
  });

  it("prints the exports and az commands for a user's own shell, and they work when evaluated", async () => {
    const printed = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [MAIN, "env", "--data-dir", server.dataDir], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.once("close", (code) => resolve({ code: code ?? -1, stdout }));
    });
    assert.equal(printed.code, 0);
    assert.match(printed.stdout, new RegExp(`^export AZURE_CONFIG_DIR=${join(server.dataDir, "azure-cli")}$`, "m"));
    assert.match(printed.stdout, new RegExp(`^export REQUESTS_CA_BUNDLE=${join(server.dataDir, "ca.pem")}$`, "m"));
    assert.match(printed.stdout, /^export AZURE_CORE_COLLECT_TELEMETRY=false$/m);
    assert.match(
      printed.stdout,
      new RegExp(`^az cloud register --name aksemu --endpoint-resource-manager ${server.url}/`, "m"),
    );
    assert.match(printed.stdout, /^az cloud set --name aksemu$/m);
    assert.match(printed.stdout, new RegExp(`^az login --service-principal .* --tenant ${server.tenantId}`, "m"));

    // A user's shell: no aksemu wrapper, only the printed lines, then plain az.
    const shell = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...az.env };
      delete env.REQUESTS_CA_BUNDLE;
      delete env.AZURE_CONFIG_DIR;
      const child = spawn("sh", ["-c", `${printed.stdout}\naz account show --query id -o tsv`], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    assert.equal(shell.code, 0, shell.stderr);
    assert.equal(shell.stdout.trim(), server.subscriptionId);
  });

  it("says clearly when no aksemu runs for the data dir", async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [MAIN, "az", "--data-dir", join(server.dataDir, "nothing-here"), "group", "list"],
        {
          env: az.env,
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.once("close", (code) => resolve({ code: code ?? -1, stderr }));
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /no aksemu is running for the data dir .*nothing-here\. Start one with `npx aksemu --data-dir/,
    );
  });

  it("passes az's own flags and exit codes through untouched", async () => {
    const help = await az.run(cmd`group --help`);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Manage resource groups and template deployments/);
    const table = await az.run(["group", "list", "-o", "table", "--query", "[].{Name:name, Location:location}"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Name\s+Location\n-+\s+-+\nrg-az\s+westeurope$/m);
    const bad = await az.run(cmd`group show`);
    assert.equal(bad.code, 2, "az's usage error exit code");
  });

  it("follows the server to a new port after a restart, logging in again", async () => {
    await server.stop();
    const oldUrl = server.url;
    server = await startAksemu({ dataDir: server.dataDir });
    assert.notEqual(server.url, oldUrl);
    az.use(server);
    const shown = await az.json<Record<string, unknown>>(cmd`group show -n rg-az`);
    assert.equal(shown.location, "westeurope");
    const cloud = await az.json<{ endpoints: Record<string, string> }>(cmd`cloud show --name aksemu`);
    assert.equal(cloud.endpoints.resourceManager, `${server.url}/`);
  });
});
