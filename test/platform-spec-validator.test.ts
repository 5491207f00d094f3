// Self-test of the OpenAPI response validator (test/support/spec.ts) that every suite relies on: the specs' own
// example responses and real AKS responses pass, and mutated bodies fail (a validator that cannot fail is a defect).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  SPECS_ROOT,
  assertMatchesSpec,
  findOperation,
  specFile,
  specForApiVersion,
  validateResponse,
} from "./support/spec.js";

type Example = { responses: Record<string, { body?: unknown }> };

function examplesOf(relative: string): { operationId: string; status: number; body: unknown; example: string }[] {
  const file = specFile(relative);
  const doc = JSON.parse(readFileSync(file, "utf8")) as {
    paths: Record<string, Record<string, { operationId?: string; "x-ms-examples"?: Record<string, { $ref: string }> }>>;
  };
  const out: { operationId: string; status: number; body: unknown; example: string }[] = [];
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (typeof op !== "object" || op.operationId === undefined) continue;
      for (const ref of Object.values(op["x-ms-examples"] ?? {})) {
        const path = join(dirname(file), ref.$ref);
        if (!existsSync(path)) continue;
        const example = JSON.parse(readFileSync(path, "utf8")) as Example;
        for (const [status, response] of Object.entries(example.responses)) {
          out.push({ operationId: op.operationId, status: Number(status), body: response.body, example: ref.$ref });
        }
      }
    }
  }
  return out;
}

const clone = <T>(x: T): T => structuredClone(x);
const AKS = "containerservice/2025-10-01/managedClusters.json";
const AKS_OLD = "containerservice/2022-11-01/managedClusters.json";

function realSample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SPECS_ROOT, "..", "aks-data", "real-samples", name), "utf8")) as Record<
    string,
    unknown
  >;
}

describe("OpenAPI response validator", () => {
  for (const spec of [
    AKS,
    AKS_OLD,
    "features/2021-07-01/features.json",
    "compute/2022-11-01/virtualMachineScaleSet.json",
    "insights/2015-04-01/activityLogs_API.json",
    "support/2024-04-01/support.json",
  ]) {
    it(`accepts every example response of ${spec}`, () => {
      const examples = examplesOf(spec);
      assert.ok(examples.length > 0, "the spec has examples");
      const failures = examples.flatMap((e) =>
        validateResponse(specFile(spec), e.operationId, e.status, e.body).map((m) => `${e.example} ${e.status}: ${m}`),
      );
      assert.deepEqual(failures, []);
    });
  }

  it("accepts real AKS responses at their api-version and flags fields an older api-version does not have", () => {
    const cluster = realSample("managedcluster-get-running-westus2-2023-12-08.json");
    assert.deepEqual(validateResponse(specFile(AKS), "ManagedClusters_Get", 200, cluster), []);
    assert.deepEqual(
      validateResponse(
        specFile(AKS),
        "AgentPools_Get",
        200,
        realSample("agentpool-get-stopped-westcentralus-2025-07-08.json"),
      ),
      [],
    );
    assert.deepEqual(
      validateResponse(
        specFile(AKS),
        "AgentPools_List",
        200,
        realSample("agentpools-list-system-running-user-stopped-westcentralus-2025-07-08.json"),
      ),
      [],
    );
    const old = validateResponse(specFile(AKS_OLD), "ManagedClusters_Get", 200, cluster);
    assert.ok(
      old.some((m) => m.includes('"supportPlan" is not in the spec')),
      old.join("\n"),
    );
  });

  it("rejects mutated bodies", () => {
    const spec = specFile(AKS);
    const cluster = realSample("managedcluster-get-running-westus2-2023-12-08.json");
    const props = (b: Record<string, unknown>): Record<string, unknown> => b.properties as Record<string, unknown>;
    const check = (mutate: (b: Record<string, unknown>) => void, expected: RegExp): void => {
      const body = clone(cluster);
      mutate(body);
      const errors = validateResponse(spec, "ManagedClusters_Get", 200, body);
      assert.ok(
        errors.some((e) => expected.test(e)),
        `expected an error matching ${expected}, got ${JSON.stringify(errors)}`,
      );
    };
    check((b) => (b.location = 5), /^\/location: must be string/);
    check((b) => (b.tags = { team: 1 }), /^\/tags\/team: must be string/);
    check((b) => delete b.location, /missing required property "location"/);
    check((b) => (props(b).provisioningstate = "Succeeded"), /"provisioningstate" is not in the spec/);
    check((b) => (props(b).agentPoolProfiles = {}), /agentPoolProfiles: must be array/);
    check(
      (b) => ((props(b).agentPoolProfiles as Record<string, unknown>[])[0]!.count = "3"),
      /agentPoolProfiles\/0\/count: must be integer/,
    );
    check(
      (b) => ((props(b).agentPoolProfiles as Record<string, unknown>[])[0]!.count = 2 ** 40),
      /agentPoolProfiles\/0\/count/,
    );
    check((b) => (props(b).networkProfile = "kubenet"), /networkProfile: must be object/);
    check(
      (b) =>
        ((props(b).identityProfile as Record<string, Record<string, unknown>>).kubeletidentity!.resourceId =
          "cliakstest000002-agentpool"),
      /kubeletidentity\/resourceId: must match format "arm-id"/,
    );
    check(
      (b) => (((b.systemData ??= {}) as Record<string, unknown>).createdAt = "yesterday"),
      /systemData\/createdAt.*format/,
    );
    // x-ms-enum modelAsString: an unknown value is fine (real clients accept it), a non-string is not.
    {
      const body = clone(cluster);
      props(body).provisioningState = "SomethingNew";
      (props(body).powerState as Record<string, unknown>).code = "Hibernating";
      assert.deepEqual(validateResponse(spec, "ManagedClusters_Get", 200, body), []);
    }
    check((b) => ((props(b).powerState as Record<string, unknown>).code = 1), /powerState\/code: must be string/);
    assert.throws(() => assertMatchesSpec(spec, "ManagedClusters_Get", 200, { ...clone(cluster), location: 5 }), {
      name: "AssertionError",
      message:
        /ManagedClusters_Get 200 does not match containerservice\/2025-10-01\/managedClusters.json:\n {2}\/location: must be string/,
    });
    assert.doesNotThrow(() => assertMatchesSpec(spec, "ManagedClusters_Get", 200, cluster));
  });

  it("validates Microsoft.Resources shapes; closed enums stay closed", () => {
    const spec = specFile("resources/2021-04-01/resources.json");
    const group = {
      id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg",
      name: "rg",
      type: "Microsoft.Resources/resourceGroups",
      location: "westeurope",
      properties: { provisioningState: "Succeeded" },
    };
    assert.deepEqual(validateResponse(spec, "ResourceGroups_Get", 200, group), []);
    const provider = {
      id: "/subscriptions/x/providers/Microsoft.ContainerService",
      namespace: "Microsoft.ContainerService",
      registrationState: "Registered",
      resourceTypes: [{ resourceType: "managedClusters", locations: ["West Europe"], apiVersions: ["2025-10-01"] }],
    };
    assert.deepEqual(validateResponse(spec, "Providers_Get", 200, provider), []);
    const bad = clone(provider);
    bad.resourceTypes[0]!.locations = [5 as unknown as string];
    assert.deepEqual(validateResponse(spec, "Providers_Get", 200, bad), [
      "/resourceTypes/0/locations/0: must be string, got 5",
    ]);
    const sub = specFile("subscriptions/2019-11-01/subscriptions.json");
    const subscription = {
      id: "/subscriptions/s",
      subscriptionId: "s",
      displayName: "d",
      state: "Enabled",
      tenantId: "t",
      subscriptionPolicies: { spendingLimit: "Off", quotaId: "q", locationPlacementId: "Public_2014-09-01" },
      authorizationSource: "RoleBased",
    };
    assert.deepEqual(validateResponse(sub, "Subscriptions_Get", 200, subscription), []);
    // subscription state is a closed enum in 2019-11-01 (modelAsString: false)
    const states = validateResponse(sub, "Subscriptions_Get", 200, { ...subscription, state: "Hibernating" });
    assert.ok(
      states.some((s) => s.startsWith("/state: must be one of")),
      states.join("\n"),
    );
  });

  it("dispatches polymorphic schemas on their discriminator", () => {
    const dir = mkdtempSync(join(tmpdir(), "spec-validator-"));
    const file = join(dir, "pets.json");
    const spec = {
      swagger: "2.0",
      info: { title: "t", version: "2020-01-01" },
      paths: {
        "/pets/{name}": {
          get: { operationId: "Pets_Get", responses: { "200": { schema: { $ref: "#/definitions/Pet" } } } },
        },
      },
      definitions: {
        Pet: {
          type: "object",
          discriminator: "kind",
          required: ["kind"],
          properties: { kind: { type: "string" }, name: { type: "string" } },
        },
        Cat: {
          "x-ms-discriminator-value": "cat",
          allOf: [{ $ref: "#/definitions/Pet" }],
          properties: { lives: { type: "integer", format: "int32" } },
        },
        Dog: {
          allOf: [{ $ref: "#/definitions/Pet" }],
          properties: { bark: { type: "string", enum: ["loud", "soft"] } },
        },
      },
    };
    writeFileSync(file, JSON.stringify(spec));
    try {
      assert.deepEqual(validateResponse(file, "Pets_Get", 200, { kind: "cat", name: "Tom", lives: 9 }), []);
      assert.deepEqual(validateResponse(file, "Pets_Get", 200, { kind: "Dog", bark: "loud" }), []);
      assert.deepEqual(validateResponse(file, "Pets_Get", 200, { kind: "cat", lives: "nine" }), [
        '/lives: must be integer, got "nine"',
      ]);
      assert.deepEqual(validateResponse(file, "Pets_Get", 200, { kind: "Dog", bark: "howl" }), [
        '/bark: must be one of ["loud","soft"], got "howl"',
      ]);
      assert.deepEqual(validateResponse(file, "Pets_Get", 200, { kind: "cat", bark: "loud" }), [
        '(body): property "bark" is not in the spec',
      ]);
      assert.deepEqual(validateResponse(file, "Pets_Get", 200, { name: "x" }), [
        '(body): missing required property "kind"',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checks empty bodies, error bodies and undocumented statuses", () => {
    const spec = specFile(AKS);
    assert.deepEqual(validateResponse(spec, "ManagedClusters_Delete", 202, undefined), []);
    assert.deepEqual(validateResponse(spec, "ManagedClusters_Delete", 202, ""), []);
    assert.match(validateResponse(spec, "ManagedClusters_Delete", 202, {})[0]!, /has no body/);
    assert.match(validateResponse(spec, "ManagedClusters_Delete", 201, undefined)[0]!, /not a documented response/);
    assert.match(validateResponse(spec, "ManagedClusters_Get", 200, undefined)[0]!, /must have a body/);
    // default: ErrorResponse (common-types v6) / CloudError (resources)
    assert.deepEqual(
      validateResponse(spec, "ManagedClusters_Get", 404, {
        error: { code: "ResourceNotFound", message: "The Resource was not found." },
      }),
      [],
    );
    assert.ok(validateResponse(spec, "ManagedClusters_Get", 404, { error: { code: 404 } }).length > 0);
    assert.ok(validateResponse(spec, "ManagedClusters_Get", 404, { code: "NotFound", message: "flat" }).length > 0);
    const rg = specFile("resources/2025-04-01/resources.json");
    assert.deepEqual(
      validateResponse(rg, "ResourceGroups_Get", 404, {
        error: { code: "ResourceGroupNotFound", message: "Resource group 'x' could not be found." },
      }),
      [],
    );
    assert.ok(
      validateResponse(rg, "ResourceGroups_Get", 404, {
        error: { code: "ResourceGroupNotFound", message: "m", details: {} },
      }).length > 0,
    );
    assert.throws(() => validateResponse(spec, "ManagedClusters_Nope", 200, {}), /not in/);
    // The same spec named three ways is one spec.
    const body = { error: { code: "X", message: "m" } };
    assert.deepEqual(validateResponse(AKS, "ManagedClusters_Get", 404, body), []);
    assert.deepEqual(
      validateResponse(`${SPECS_ROOT}/containerservice/../${AKS}`, "ManagedClusters_Get", 404, body),
      [],
    );
  });

  it("finds operations by method and path, and the spec for an api-version", () => {
    const spec = specFile(AKS);
    const clusterPath =
      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}";
    assert.equal(findOperation(spec, "GET", clusterPath), "ManagedClusters_Get");
    assert.equal(
      findOperation(spec, "put", clusterPath.toLowerCase().replace("{resourcename}", "{name}")),
      "ManagedClusters_CreateOrUpdate",
    );
    assert.equal(
      findOperation(
        spec,
        "GET",
        "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedClusters/c1?api-version=2025-10-01",
      ),
      "ManagedClusters_Get",
    );
    assert.equal(
      findOperation(
        spec,
        "GET",
        "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedClusters/c1/agentPools",
      ),
      "AgentPools_List",
    );
    assert.equal(findOperation(spec, "GET", "/subscriptions/s/providers/Microsoft.Nope/things"), undefined);
    const res = specFile("resources/2021-04-01/resources.json");
    assert.equal(findOperation(res, "HEAD", "/subscriptions/s/resourcegroups/rg"), "ResourceGroups_CheckExistence");
    assert.equal(
      findOperation(res, "POST", "/subscriptions/s/providers/Microsoft.ContainerService/register"),
      "Providers_Register",
    );

    const served: [Parameters<typeof specForApiVersion>[0], string, string][] = [
      ["containerservice", "2026-06-01", "containerservice/2025-10-01/managedClusters.json"],
      ["containerservice", "2025-10-01", "containerservice/2025-10-01/managedClusters.json"],
      ["containerservice", "2024-05-01", "containerservice/2022-11-01/managedClusters.json"],
      ["containerservice", "2024-06-02-preview", "containerservice/2024-04-02-preview/managedClusters.json"],
      ["resources", "2021-04-01", "resources/2021-04-01/resources.json"],
      ["resources", "2025-04-01", "resources/2025-04-01/resources.json"],
      ["subscriptions", "2022-12-01", "subscriptions/2022-12-01/subscriptions.json"],
      ["subscriptions", "2021-12-01", "subscriptions/2019-11-01/subscriptions.json"],
      ["compute", "2026-04-01", "compute/2022-11-01/virtualMachineScaleSet.json"],
    ]; // prettier-ignore
    for (const [provider, apiVersion, file] of served) {
      assert.equal(specForApiVersion(provider, apiVersion), specFile(file), `${provider} ${apiVersion}`);
    }
    assert.throws(() => specForApiVersion("resources", "2015-01-01"), /No resources spec/);
  });
});
