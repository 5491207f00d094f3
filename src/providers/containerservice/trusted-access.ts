/**
 * Trusted access (`az aks trustedaccess`): the roles other Azure services may be granted on a cluster
 * (`GET locations/{l}/trustedAccessRoles`) and the cluster's role bindings (`managedClusters/{c}/trustedAccessRoleBindings`:
 * PUT, GET, list, DELETE). Shapes and behaviour from recordings test_list_trustedaccess_roles.yaml and
 * test_aks_create_with_trustedaccess_rolebinding.yaml (api-version 2024-09-01) and the 2025-10-01 spec:
 * - a binding PUT answers 201 (also when it updates) with `provisioningState: Updating` and an Azure-AsyncOperation;
 *   the binding is `Succeeded` when the operation ends;
 * - DELETE answers 202 with Azure-AsyncOperation and Location, the binding goes when the operation ends (204 when
 *   there is none);
 * - a missing binding is AKS's `NotFound` (subcode `GetTrustedAccessRoleBinding_NotFound`).
 * The source resource is not looked up (AKS accepts a workspace it cannot see, as the recording shows); each role must
 * be one of the catalog's, named `{sourceResourceType}/{role}`, and of the source resource's type.
 *
 * The role catalog is the one real AKS listed in westus2 on 2023-11-29 (test_list_trustedaccess_roles.yaml), served
 * for every region.
 */
import { ArmError } from "../../arm/errors.js";
import { asObject, optionalArray, optionalObject, optionalString, type JsonObject } from "../../arm/body.js";
import { ApiVersionSet } from "../../arm/api-versions.js";
import { normalizeLocation } from "../../arm/locations.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedBodies, pagedList } from "../../arm/paging.js";
import { newEtag } from "../../arm/etag.js";
import { parseResourceId } from "../../arm/resource-id.js";
import type { OperationRecord } from "../../operations/operations.js";
import type { Store } from "../../store/store.js";
import type { Platform } from "../platform.js";
import { AKS_VERSIONS } from "./api-versions.js";
import { aksErrors } from "./errors.js";
import type { ClusterRecord } from "./lifecycle.js";
import { NAMESPACE } from "./model.js";
import { asyncOperationHeaders } from "./operation-status.js";

export const BINDING_TYPE = "microsoft.containerservice/managedclusters/trustedaccessrolebindings";
const BINDING_WIRE_TYPE = "Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings";
const PUT_KIND = "containerservice.trustedAccessRoleBinding.put";
const DELETE_KIND = "containerservice.trustedAccessRoleBinding.delete";
const NAME = /^[A-Za-z0-9-]{1,24}$/;

/** Trusted access came with api-version 2022-04-02-preview / GA 2023-09-01; every version served here has it. */
export const trustedAccessApiVersions = {
  roles: new ApiVersionSet("Microsoft.ContainerService/locations/trustedAccessRoles", AKS_VERSIONS),
  bindings: new ApiVersionSet("Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings", AKS_VERSIONS),
};

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

export const TRUSTED_ACCESS_ROLES: readonly { sourceResourceType: string; name: string; rules: Rule[] }[] = [
  {
    sourceResourceType: "Microsoft.Compute/virtualMachineScaleSets",
    name: "test-node-reader",
    rules: [{ verbs: ["list", "get", "watch"], apiGroups: [""], resources: ["nodes"] }],
  },
  {
    sourceResourceType: "Microsoft.Compute/virtualMachineScaleSets",
    name: "test-pod-reader",
    rules: [{ verbs: ["list", "watch"], apiGroups: [""], resources: ["pods"] }],
  },
  {
    sourceResourceType: "Microsoft.Compute/virtualMachineScaleSets",
    name: "test-admin",
    rules: [{ verbs: ["*"], apiGroups: [""], resources: ["*"] }],
  },
  {
    sourceResourceType: "Microsoft.DataProtection/BackupVaults",
    name: "pvbackup",
    rules: [
      { verbs: ["list"], apiGroups: [""], resources: ["events"] },
      { verbs: ["get", "list"], apiGroups: [""], resources: ["namespaces"] },
      {
        verbs: ["get", "list"],
        apiGroups: ["apps"],
        resources: ["deployments", "statefulsets", "replicasets", "daemonsets"],
      },
      {
        verbs: ["create", "get", "list", "patch", "update", "delete"],
        apiGroups: [""],
        resources: ["persistentvolumes", "persistentvolumeclaims"],
      },
      { verbs: ["get", "list"], apiGroups: ["storage.k8s.io"], resources: ["csidrivers"] },
      {
        verbs: ["create", "get", "list", "patch", "update"],
        apiGroups: ["storage.k8s.io"],
        resources: ["storageclasses", "volumeattachments"],
      },
      {
        verbs: ["create", "get", "list", "patch", "update", "delete"],
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: ["volumesnapshots", "volumesnapshotcontents", "volumesnapshotclasses"],
      },
    ],
  },
  {
    sourceResourceType: "Microsoft.DataProtection/backupVaults",
    name: "backup-operator",
    rules: [
      {
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        apiGroups: ["clusterbackup.dataprotection.microsoft.com"],
        resources: ["backups", "validateforbackups", "restores", "validateforrestores", "deletebackups"],
      },
      { verbs: ["create", "get", "list", "patch", "update", "delete"], apiGroups: [""], resources: ["configmaps"] },
    ],
  },
  {
    sourceResourceType: "Microsoft.MachineLearningServices/workspaces",
    name: "mlworkload",
    rules: [
      {
        verbs: ["create", "get", "list", "patch", "update", "delete"],
        apiGroups: [""],
        resources: ["services", "services/proxy"],
      },
    ],
  },
  {
    sourceResourceType: "Microsoft.MachineLearningServices/workspaces",
    name: "inference-v1",
    rules: [
      {
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        apiGroups: [""],
        resources: ["persistentvolumes", "persistentvolumeclaims"],
      },
      { verbs: ["update", "patch"], apiGroups: [""], resources: ["persistentvolumeclaims/status"] },
      { verbs: ["get", "list", "watch", "create", "update", "patch"], apiGroups: [""], resources: ["events"] },
      { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes", "endpoints"] },
      { verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["storageclasses"] },
      { verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csinodes"] },
      {
        verbs: ["create", "get", "list", "patch", "update", "delete"],
        apiGroups: ["storage.k8s.io"],
        resources: ["csidrivers"],
      },
      {
        verbs: ["get", "list", "watch", "create", "update", "patch"],
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
      },
      {
        verbs: ["create", "get", "list", "patch", "update", "delete"],
        apiGroups: [""],
        resources: [
          "namespaces",
          "pods",
          "pods/log",
          "configmaps",
          "secrets",
          "services",
          "services/proxy",
          "serviceaccounts",
        ],
      },
      {
        verbs: ["create", "get", "list", "patch", "update", "delete"],
        apiGroups: ["apps"],
        resources: ["deployments", "replicasets", "daemonsets", "deployments/scale", "deployments/status"],
      },
      { verbs: ["create", "get", "list"], apiGroups: ["batch"], resources: ["jobs"] },
      {
        verbs: ["create", "get", "list", "update", "patch"],
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles", "clusterrolebindings"],
      },
      { verbs: ["watch"], apiGroups: [""], resources: ["pods", "configmaps", "services"] },
      { verbs: ["watch"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"] },
      {
        verbs: ["get", "list", "patch", "update", "watch"],
        apiGroups: [""],
        resources: ["deployments", "deployments/scale"],
      },
      {
        verbs: ["get", "list", "watch"],
        apiGroups: ["apps"],
        resources: ["pods", "configmaps", "endpoints", "nodes", "services"],
      },
    ],
  },
  {
    sourceResourceType: "Microsoft.Security/pricings",
    name: "microsoft-defender-operator",
    rules: [
      {
        verbs: ["get", "list"],
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterrolebindings", "clusterroles", "rolebindings", "roles"],
      },
      { verbs: ["get", "list"], apiGroups: ["batch"], resources: ["cronjobs", "jobs"] },
      { verbs: ["get", "list"], apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"] },
      {
        verbs: ["get", "list"],
        apiGroups: ["apps"],
        resources: ["replicasets", "statefulsets", "daemonsets", "deployments"],
      },
      {
        verbs: ["get", "list"],
        apiGroups: [""],
        resources: ["namespaces", "nodes", "pods", "services", "serviceaccounts"],
      },
    ],
  },
];

interface BindingBody extends JsonObject {
  id: string;
  name: string;
  type: string;
  properties: { provisioningState: string; sourceResourceId: string; roles: string[] };
}

function notFound(name: string, subscriptionId: string, resourceGroup: string, cluster: string): ArmError {
  return new ArmError(
    404,
    "NotFound",
    `Could not find the trusted access role binding ${name} in subscription: ${subscriptionId}, resourceGroup: ${resourceGroup}, clusterName: ${cluster}. List the cluster's trustedAccessRoleBindings to see their names.`,
    { details: [{ code: "Unspecified", message: "rpc error: code = NotFound desc = TrustedAccessRoleBinding not found" }] }, // prettier-ignore
  );
}

function validate(body: JsonObject): { sourceResourceId: string; roles: string[] } {
  const props = optionalObject(body, "properties", "properties");
  if (props === undefined) throw aksErrors.invalidParameter("A trusted access role binding needs properties.sourceResourceId and properties.roles.", "properties"); // prettier-ignore
  const source = optionalString(props, "sourceResourceId", "properties.sourceResourceId");
  const parsed = source === undefined ? undefined : parseResourceId(source);
  if (source === undefined || parsed?.resourceType === undefined || parsed.namespace === undefined) {
    throw aksErrors.invalidParameter("properties.sourceResourceId must be the ARM id of the Azure resource to trust, e.g. a Machine Learning workspace.", "properties.sourceResourceId"); // prettier-ignore
  }
  const sourceType = `${parsed.namespace}/${parsed.resourceType}`.toLowerCase();
  const rolesIn = optionalArray(props, "roles", "properties.roles") ?? [];
  if (rolesIn.length === 0) throw aksErrors.invalidParameter("properties.roles needs at least one role, e.g. 'Microsoft.MachineLearningServices/workspaces/mlworkload'.", "properties.roles"); // prettier-ignore
  const roles: string[] = [];
  for (const [i, role] of rolesIn.entries()) {
    const target = `properties.roles[${i}]`;
    if (typeof role !== "string") throw aksErrors.invalidParameter(`${target} must be a string.`, target);
    const slash = role.lastIndexOf("/");
    const type = role.slice(0, Math.max(slash, 0)).toLowerCase();
    const known = TRUSTED_ACCESS_ROLES.find((r) => r.sourceResourceType.toLowerCase() === type && r.name.toLowerCase() === role.slice(slash + 1).toLowerCase()); // prettier-ignore
    if (known === undefined) {
      throw aksErrors.invalidParameter(`Role '${role}' is not a trusted access role. List them with GET .../locations/{location}/trustedAccessRoles (az aks trustedaccess role list) and use '{sourceResourceType}/{name}'.`, target); // prettier-ignore
    }
    if (type !== sourceType) {
      throw aksErrors.invalidParameter(`Role '${role}' is for ${known.sourceResourceType} resources; the source resource is a ${parsed.namespace}/${parsed.resourceType}.`, target); // prettier-ignore
    }
    roles.push(role);
  }
  return { sourceResourceId: source, roles };
}

export class TrustedAccess {
  constructor(
    private readonly platform: Platform,
    private readonly requireCluster: (store: Store, ctx: RequestContext) => Promise<ClusterRecord>,
  ) {
    platform.operations.onComplete(PUT_KIND, async (op, { store }) => {
      const found = await store.getResource<BindingBody>(op.resourceId);
      if (found === undefined || found.body.properties.provisioningState !== "Updating") return;
      const body = { ...found.body, properties: { ...found.body.properties, provisioningState: "Succeeded" } };
      await store.putResource({ ...found, body, etag: newEtag(), at: this.platform.clock.now().toISOString() });
    });
    platform.operations.onComplete(DELETE_KIND, async (op, { store }) => {
      await store.deleteResource(op.resourceId);
    });
  }

  private async begin(
    store: Store,
    ctx: RequestContext,
    record: ClusterRecord,
    id: string,
    kind: string,
    action: string,
  ): Promise<OperationRecord> {
    // prettier-ignore
    return this.platform.operations.begin(store, {
      subscriptionId: record.cluster.subscriptionId,
      namespace: NAMESPACE,
      location: record.cluster.body.location,
      resourceId: id,
      action,
      caller: ctx.caller.objectId,
      kind,
      operationName: `${NAMESPACE}/managedClusters/trustedAccessRoleBindings/${kind === PUT_KIND ? "write" : "delete"}`,
    });
  }

  private async put(ctx: RequestContext): Promise<ArmResponse> {
    const name = ctx.params.trustedAccessRoleBindingName!;
    if (!NAME.test(name)) {
      throw aksErrors.invalidParameter(`The trusted access role binding name '${name}' is invalid: use 1-24 letters, digits or '-'.`, "trustedAccessRoleBindingName"); // prettier-ignore
    }
    const { sourceResourceId, roles } = validate(asObject(ctx.body));
    return this.platform.store.transaction(async (store) => {
      const record = await this.requireCluster(store, ctx);
      const id = `${record.cluster.id}/trustedAccessRoleBindings/${name}`;
      const existing = await store.getResource<BindingBody>(id);
      if (existing?.body.properties.provisioningState === "Deleting") {
        throw new ArmError(409, "OperationNotAllowed", `Trusted access role binding '${existing.body.name}' is being deleted. Wait for the delete to finish, then create it again.`); // prettier-ignore
      }
      const body: BindingBody = {
        id: existing?.body.id ?? id,
        name: existing?.body.name ?? name,
        type: BINDING_WIRE_TYPE,
        properties: { provisioningState: "Updating", sourceResourceId, roles },
      };
      await store.putResource({ id, type: BINDING_TYPE, parentId: record.cluster.id, subscriptionId: record.cluster.subscriptionId, body, etag: newEtag(), at: this.platform.clock.now().toISOString() }); // prettier-ignore
      const op = await this.begin(store, ctx, record, id, PUT_KIND, "Updating");
      // Real AKS answers 201 to an update too (the recording's second PUT).
      return ok(body, 201, asyncOperationHeaders(ctx, op, false));
    });
  }

  private async remove(ctx: RequestContext): Promise<ArmResponse> {
    return this.platform.store.transaction(async (store) => {
      const record = await this.requireCluster(store, ctx);
      const found = await store.getResource<BindingBody>(`${record.cluster.id}/trustedAccessRoleBindings/${ctx.params.trustedAccessRoleBindingName!}`); // prettier-ignore
      if (found === undefined) return { status: 204 };
      const body = { ...found.body, properties: { ...found.body.properties, provisioningState: "Deleting" } };
      await store.putResource({ ...found, body, etag: newEtag(), at: this.platform.clock.now().toISOString() });
      const op = await this.begin(store, ctx, record, found.id, DELETE_KIND, "Deleting");
      return { status: 202, headers: asyncOperationHeaders(ctx, op, true) };
    });
  }

  routes(): OperationRoute[] {
    const store = this.platform.store;
    const one = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ContainerService/managedClusters/:resourceName/trustedAccessRoleBindings"; // prettier-ignore
    const v = trustedAccessApiVersions.bindings;
    return [
      {
        method: "GET",
        path: "/subscriptions/:subscriptionId/providers/Microsoft.ContainerService/locations/:location/trustedAccessRoles",
        apiVersions: trustedAccessApiVersions.roles,
        handler: async (ctx) => {
          if (normalizeLocation(ctx.params.location!) === undefined) {
            throw new ArmError(404, "LocationNotAvailableForResourceType", `The provided location '${ctx.params.location!}' is not available for resource type 'Microsoft.ContainerService/locations/trustedAccessRoles'. Use a region name such as 'eastus'.`); // prettier-ignore
          }
          return pagedList(TRUSTED_ACCESS_ROLES, ctx.url, this.platform.pageSize);
        },
      },
      {
        method: "GET",
        path: one,
        apiVersions: v,
        handler: async (ctx) => {
          const record = await this.requireCluster(store, ctx);
          const all = await store.listChildren<BindingBody>(record.cluster.id, BINDING_TYPE);
          return pagedBodies(all, ctx.url, this.platform.pageSize);
        },
      },
      {
        method: "GET",
        path: `${one}/:trustedAccessRoleBindingName`,
        apiVersions: v,
        handler: async (ctx) => {
          const record = await this.requireCluster(store, ctx);
          const name = ctx.params.trustedAccessRoleBindingName!;
          const found = await store.getResource<BindingBody>(`${record.cluster.id}/trustedAccessRoleBindings/${name}`);
          if (found === undefined || found.type !== BINDING_TYPE) {
            throw notFound(name, record.cluster.subscriptionId, record.cluster.internal.resourceGroup, record.cluster.body.name); // prettier-ignore
          }
          return ok(found.body);
        },
      },
      { method: "PUT", path: `${one}/:trustedAccessRoleBindingName`, apiVersions: v, handler: (ctx) => this.put(ctx) },
      { method: "DELETE", path: `${one}/:trustedAccessRoleBindingName`, apiVersions: v, handler: (ctx) => this.remove(ctx) }, // prettier-ignore
    ];
  }
}
