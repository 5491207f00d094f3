/**
 * Tamper detection: what a customer changed on one of AKS's scale sets, in words, and the record of it that makes the
 * cluster unsupported until AKS resets the scale set to its model (fact sheet §1.14).
 */
import { ArmError } from "../../arm/errors.js";
import { isObject, type JsonObject } from "../../arm/body.js";
import type { RequestContext } from "../../arm/handler.js";
import type { Store } from "../../store/store.js";
import { loadClusterNodesState, saveClusterNodesState, type TamperRecord } from "../../nodes/cluster-state.js";
import type { VmssResource } from "./scale-set-records.js";
import type { ExtensionBody } from "./scale-sets.js";

/** Deep equality of two JSON values, ignoring key order, null/undefined members and the `ignore`d keys. */
function sameJson(a: unknown, b: unknown, ignore: string[]): boolean {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (isObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        if (ignore.includes(k) || v[k] === null || v[k] === undefined) continue;
        out[k] = norm(v[k]);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(a) ?? null) === JSON.stringify(norm(b) ?? null);
}

/** `publisher.type` of an extension, as the tamper records name it. */
export function extensionKind(ext: ExtensionBody): string {
  return `${String(ext.properties.publisher ?? "?")}.${String(ext.properties.type ?? "?")}`;
}

/** The change from the scale set's tags to `tags`, in words (system tags named first), or undefined if none. */
export function describeTagChange(before: Record<string, string>, tags: Record<string, string>): string | undefined {
  const touched = [...new Set([...Object.keys(before), ...Object.keys(tags)])].filter((k) => before[k] !== tags[k]);
  const system = touched.filter((k) => k.startsWith("aks-managed-"));
  if (touched.length === 0) return undefined;
  return system.length > 0
    ? `system tag${system.length === 1 ? "" : "s"} ${system.map((k) => `'${k}'`).join(", ")} changed`
    : `tags changed (${touched.map((k) => `'${k}'`).join(", ")})`;
}

/**
 * Applies the `properties` of a customer's PUT or PATCH of a scale set (az vmss update / extension set send the
 * whole model back): extensions added, removed or changed, and any other property whose value differs. Returns the
 * changes, in words; properties Compute computes itself are ignored.
 */
export function applyModelProperties(vmss: VmssResource, properties: JsonObject): string[] {
  const changes: string[] = [];
  const current = vmss.body.properties;
  const vmp = isObject(properties.virtualMachineProfile) ? properties.virtualMachineProfile : undefined;
  const extProfile = vmp !== undefined && isObject(vmp.extensionProfile) ? vmp.extensionProfile : undefined;
  const given = extProfile !== undefined && Array.isArray(extProfile.extensions) ? extProfile.extensions : undefined;
  if (given !== undefined) {
    const next: ExtensionBody[] = [];
    for (const [i, e] of given.entries()) {
      if (!isObject(e) || typeof e.name !== "string" || e.name === "") {
        throw new ArmError(
          400,
          "InvalidParameter",
          `Extension ${i} of the scale set model has no name. Give each extension a name.`,
          {
            target: `properties.virtualMachineProfile.extensionProfile.extensions[${i}].name`,
          },
        );
      }
      const props = isObject(e.properties) ? e.properties : {};
      next.push({ name: e.name, properties: { ...props, provisioningState: "Succeeded" } });
    }
    const before = current.virtualMachineProfile.extensionProfile.extensions;
    const key = (x: ExtensionBody): string => x.name.toLowerCase();
    for (const e of next) {
      const old = before.find((b) => key(b) === key(e));
      if (old === undefined) changes.push(`extension '${e.name}' (${extensionKind(e)}) added`);
      else if (!sameJson(old.properties, e.properties, ["provisioningState"])) {
        changes.push(`extension '${e.name}' changed`);
      }
    }
    for (const b of before) {
      if (!next.some((e) => key(e) === key(b))) changes.push(`extension '${b.name}' removed`);
    }
    current.virtualMachineProfile.extensionProfile.extensions = next;
  }
  const computed = ["provisioningState", "timeCreated", "uniqueId", "virtualMachineProfile"];
  const changedKeys = Object.keys(properties).filter(
    (k) => !computed.includes(k) && !sameJson(properties[k], current[k], []),
  );
  const changedProfileKeys =
    vmp === undefined
      ? []
      : Object.keys(vmp).filter(
          (k) => k !== "extensionProfile" && !sameJson(vmp[k], current.virtualMachineProfile[k], []),
        );
  for (const k of changedKeys) current[k] = properties[k];
  for (const k of changedProfileKeys) current.virtualMachineProfile[k] = vmp![k];
  const all = [...changedKeys, ...changedProfileKeys.map((k) => `virtualMachineProfile.${k}`)];
  if (all.length > 0) changes.push(`${all.map((k) => `'${k}'`).join(", ")} changed`);
  return changes;
}

/** Records a customer's change to a scale set of a cluster (fact sheet §1.14). */
export async function recordTampering(
  store: Store,
  vmss: VmssResource,
  change: string,
  operation: string,
  ctx: RequestContext,
  now: Date,
): Promise<void> {
  const clusterId = vmss.internal.clusterId;
  if (clusterId === undefined) return;
  const facts = await loadClusterNodesState(store, clusterId);
  const record: TamperRecord = {
    scaleSet: vmss.body.name,
    pool: vmss.internal.pool,
    change,
    operation,
    caller: ctx.caller.objectId,
    at: now.toISOString(),
  };
  facts.tampering.push(record);
  await saveClusterNodesState(store, facts, now);
}
