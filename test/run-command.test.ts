/**
 * `az aks command invoke` through the real @azure/arm-containerservice (`managedClusters.beginRunCommand`,
 * `getCommandResult`) on a frozen clock: runCommand answers 202 with a Location to the command's result, which answers
 * 202 (Running) until the command is done and then 200 with the result; there is no Kubernetes behind the emulated
 * cluster, so the result says the command was not executed. A stopped cluster refuses commands. Bodies are checked
 * against the 2025-10-01 spec.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { startAksemu, type Aksemu } from "./support/aksemu.js";
import { clusterClient } from "./support/policy.js";
import { assertMatchesSpec, specFile } from "./support/spec.js";

const SPEC = specFile("containerservice/2025-10-01/managedClusters.json");
const POLL = { updateIntervalInMs: 20 };
const RG = "rg-cmd";
const V = "api-version=2025-10-01";

describe("run command (frozen clock)", () => {
  let server: Aksemu;
  let client: ContainerServiceClient;
  const cluster = (rest = ""): string =>
    `/subscriptions/${server.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/cmd${rest}`;

  before(async () => {
    server = await startAksemu({ args: ["--clock", "frozen", "--now", "2026-11-27T08:00:00Z"] });
    client = clusterClient(server);
    await server.resources().resourceGroups.createOrUpdate(RG, { location: "eastus" });
    const created = await server.fetch(`${cluster()}?${V}`, {
      method: "PUT",
      body: {
        location: "eastus",
        identity: { type: "SystemAssigned" },
        properties: { dnsPrefix: "cmd", agentPoolProfiles: [{ name: "system", count: 1, mode: "System" }] },
      },
    });
    assert.equal(created.status, 201, created.text);
    await server.advance("PT5M");
  });
  after(async () => {
    await server.dispose();
  });

  it("runs a command through the SDK's poller and gives its result", async () => {
    const poller = await client.managedClusters.beginRunCommand(RG, "cmd", { command: "kubectl get pods -A", context: "" }, POLL); // prettier-ignore
    await server.advance("PT5S");
    const result = await poller.pollUntilDone();
    assert.equal(result.provisioningState, "Succeeded");
    assert.equal(result.exitCode, 0);
    assert.match(result.id ?? "", /^[0-9a-f]{32}$/);
    assert.match(result.logs ?? "", /kubectl get pods -A/);
    assert.match(result.logs ?? "", /not executed/);
    assert.ok(result.startedAt instanceof Date && result.finishedAt instanceof Date);
    assert.ok(result.finishedAt.getTime() >= result.startedAt.getTime());

    // The same result, read again by its id.
    const again = await client.managedClusters.getCommandResult(RG, "cmd", result.id!);
    assert.equal((again as { exitCode?: number } | undefined)?.exitCode, 0);
  });

  it("answers 202 with the Location while the command runs, then 200, as the spec says", async () => {
    const context = Buffer.from("PK\u0003\u0004 files").toString("base64");
    const started = await server.fetch(`${cluster("/runCommand")}?${V}`, {
      method: "POST",
      body: { command: "kubectl apply -f ns.yaml", context, clusterToken: "" },
    });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.text, "");
    const location = started.headers.get("location") ?? "";
    assert.match(location, /\/managedClusters\/cmd\/commandResults\/[0-9a-f]{32}\?api-version=2025-10-01$/);
    const path = new URL(location).pathname + new URL(location).search;

    const running = await server.fetch(path);
    assert.equal(running.status, 202);
    assert.equal(running.headers.get("location"), location);
    // The spec declares no body for the 202; real AKS sends the running result (test_aks_run_command.yaml), a
    // RunCommandResult as in the 200.
    assertMatchesSpec(SPEC, "ManagedClusters_GetCommandResult", 200, running.body);
    assert.equal((running.body as { properties: { provisioningState: string } }).properties.provisioningState, "Running"); // prettier-ignore

    await server.advance("PT1S");
    const done = await server.fetch(path);
    assert.equal(done.status, 200);
    assertMatchesSpec(SPEC, "ManagedClusters_GetCommandResult", 200, done.body);
    const props = (done.body as { properties: { provisioningState: string; exitCode: number; logs: string } }).properties; // prettier-ignore
    assert.equal(props.provisioningState, "Succeeded");
    assert.equal(props.exitCode, 0);
    assert.match(props.logs, /kubectl apply -f ns\.yaml/);
    assert.match(props.logs, /context: 10 bytes/);
  });

  it("refuses a missing command, a context that is not base64, an unknown result and a stopped cluster", async () => {
    const post = (body: unknown) => server.fetch(`${cluster("/runCommand")}?${V}`, { method: "POST", body });
    const noCommand = await post({ command: "" });
    assert.equal(noCommand.status, 400);
    assert.equal((noCommand.body as { error: { code: string } }).error.code, "InvalidParameter");
    const badContext = await post({ command: "ls", context: "not base64!" });
    assert.equal(badContext.status, 400);
    const unknown = await server.fetch(`${cluster("/commandResults/0123456789abcdef0123456789abcdef")}?${V}`);
    assert.equal(unknown.status, 404);
    const noCluster = await server.fetch(`${cluster("x/runCommand")}?${V}`, { method: "POST", body: { command: "ls" } }); // prettier-ignore
    assert.equal(noCluster.status, 404);

    const stop = await server.fetch(`${cluster("/stop")}?${V}`, { method: "POST" });
    assert.equal(stop.status, 202);
    await server.advance("PT5M");
    await assert.rejects(
      client.managedClusters.beginRunCommandAndWait(RG, "cmd", { command: "kubectl get nodes" }, POLL),
      (e: { statusCode?: number; code?: string; message?: string }) =>
        e.statusCode === 409 && e.code === "OperationNotAllowed" && /Stopped/.test(e.message ?? ""),
    );
  });
});
