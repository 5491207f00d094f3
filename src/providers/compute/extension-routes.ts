/**
 * The routes of a scale set's extensions: list, GET, and PUT, PATCH and DELETE by a customer (each recorded as
 * tampering; AKS's next operation on the pool removes what it did not install).
 */
import { ArmError } from "../../arm/errors.js";
import { asObject, optionalObject, type JsonObject } from "../../arm/body.js";
import { ok, type ArmResponse, type OperationRoute, type RequestContext } from "../../arm/handler.js";
import { pagedList } from "../../arm/paging.js";
import { apiVersions } from "./api-versions.js";
import { asyncHeaders, changeScaleSet } from "./long-running.js";
import { notFound, paths, scaleSetReadRoute, type ComputeDeps } from "./requests.js";
import type { VmssResource } from "./scale-set-records.js";
import { extensionBody } from "./instance-shapes.js";
import type { ExtensionBody } from "./scale-sets.js";
import { extensionKind } from "./tampering.js";

function extensionsOf(vmss: VmssResource): ExtensionBody[] {
  return vmss.body.properties.virtualMachineProfile.extensionProfile.extensions;
}

function findExtension(vmss: VmssResource, name: string): ExtensionBody | undefined {
  return extensionsOf(vmss).find((e) => e.name.toLowerCase() === name.toLowerCase());
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name)) {
    throw new ArmError(
      400,
      "InvalidParameter",
      `The extension name '${name}' is invalid. Use up to 80 letters, digits, '.', '_' or '-'.`,
      { target: "vmssExtensionName" },
    );
  }
}

function checkRequiredProperties(props: JsonObject): void {
  for (const key of ["publisher", "type", "typeHandlerVersion"]) {
    if (typeof props[key] !== "string" || props[key] === "") {
      throw new ArmError(400, "InvalidParameter", `Required parameter 'properties.${key}' is missing (null).`, {
        target: `properties.${key}`,
      });
    }
  }
}

/** PUT (or PATCH, `patch`) of an extension: added to or changed on the scale set's model. */
async function writeExtension(deps: ComputeDeps, ctx: RequestContext, patch: boolean): Promise<ArmResponse> {
  const body = asObject(ctx.body);
  const props = optionalObject(body, "properties") ?? {};
  const name = ctx.params.vmssExtensionName!;
  checkName(name);
  return changeScaleSet(deps, ctx, (vmss) => {
    const profile = vmss.body.properties.virtualMachineProfile.extensionProfile;
    const existing = findExtension(vmss, name);
    if (patch && existing === undefined)
      throw notFound(`virtualMachineScaleSets/${vmss.body.name}/extensions`, name, ctx.params.resourceGroupName!);
    if (!patch) checkRequiredProperties(props);
    const { provisioningState: _ignored, ...given } = props;
    const ext: ExtensionBody = {
      name: existing?.name ?? name,
      properties: {
        ...(patch ? existing!.properties : {}),
        ...given,
        provisioningState: existing === undefined ? "Creating" : "Updating",
      },
    };
    profile.extensions = [...profile.extensions.filter((e) => e !== existing), ext];
    return {
      description: `Extension '${ext.name}' (${extensionKind(ext)}) ${existing === undefined ? "added to" : "changed on"} scale set '${vmss.body.name}'`,
      operationName: "Microsoft.Compute/virtualMachineScaleSets/extensions/write",
      payload: { vmssId: vmss.id, action: "extensionWrite", extension: ext.name },
      action: "Updating",
      saveScaleSet: true,
      answer: (op) =>
        ok(
          extensionBody(vmss.body, ext),
          existing === undefined ? 201 : 200,
          asyncHeaders(ctx, vmss.body.location, op, false),
        ),
    };
  });
}

async function deleteExtension(deps: ComputeDeps, ctx: RequestContext): Promise<ArmResponse> {
  const name = ctx.params.vmssExtensionName!;
  return changeScaleSet(deps, ctx, (vmss) => {
    const ext = findExtension(vmss, name);
    if (ext === undefined) return { status: 204 };
    ext.properties.provisioningState = "Deleting";
    return {
      description: `Extension '${ext.name}' removed from scale set '${vmss.body.name}'`,
      operationName: "Microsoft.Compute/virtualMachineScaleSets/extensions/delete",
      payload: { vmssId: vmss.id, action: "extensionDelete", extension: ext.name },
      action: "Deleting",
      saveScaleSet: true,
      answer: (op) => ({ status: 202, headers: asyncHeaders(ctx, vmss.body.location, op) }),
    };
  });
}

export function extensionRoutes(deps: ComputeDeps): OperationRoute[] {
  const E = apiVersions.scaleSetExtensions;
  return [
    scaleSetReadRoute(deps, paths.extensions, E, (found, ctx) =>
      pagedList(
        extensionsOf(found).map((e) => extensionBody(found.body, e)),
        ctx.url,
        deps.platform.pageSize,
      ),
    ),
    scaleSetReadRoute(deps, paths.extension, E, (found, ctx) => {
      const e = findExtension(found, ctx.params.vmssExtensionName!);
      if (e === undefined) {
        throw notFound(
          `virtualMachineScaleSets/${found.body.name}/extensions`,
          ctx.params.vmssExtensionName!,
          ctx.params.resourceGroupName!,
        );
      }
      return ok(extensionBody(found.body, e));
    }),
    { method: "PUT", path: paths.extension, apiVersions: E, handler: (ctx) => writeExtension(deps, ctx, false) },
    { method: "PATCH", path: paths.extension, apiVersions: E, handler: (ctx) => writeExtension(deps, ctx, true) },
    { method: "DELETE", path: paths.extension, apiVersions: E, handler: (ctx) => deleteExtension(deps, ctx) },
  ];
}
