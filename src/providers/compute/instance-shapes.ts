/**
 * The wire shapes of a scale set's instances (the nodes) and extensions, as Microsoft.Compute answers them.
 */
import type { JsonObject } from "../../arm/body.js";
import type { NodeState } from "../../nodes/model.js";
import type { NodeResource } from "../../nodes/nodes.js";
import type { ExtensionBody, VmssBody } from "./scale-sets.js";

export const VM_WIRE_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines";
export const EXTENSION_WIRE_TYPE = "Microsoft.Compute/virtualMachineScaleSets/extensions";

function powerStatus(state: NodeState): { code: string; displayStatus: string } {
  if (state.power === "running") return { code: "PowerState/running", displayStatus: "VM running" };
  if (state.power === "stopped") return { code: "PowerState/stopped", displayStatus: "VM stopped" };
  return { code: "PowerState/deallocated", displayStatus: "VM deallocated" };
}

/** `virtualMachines/{id}/instanceView` of a scale-set instance. */
export function vmInstanceView(node: NodeResource, vmss: VmssBody): JsonObject {
  const s = node.internal;
  const linux = s.osType === "Linux";
  const osDisk = `${vmss.name}_${s.instanceId}_OsDisk_1_${s.vmId.replace(/-/g, "")}`;
  const time = s.powerChange?.at ?? s.createdAt;
  const agentHealthy = s.power === "running" && !s.faults.some((f) => f.kind !== "KubeletStopped");
  return {
    platformUpdateDomain: Number(s.instanceId) % 5,
    platformFaultDomain: 0,
    computerName: s.name,
    osName: linux ? "ubuntu" : "Windows Server 2022 Datacenter",
    osVersion: linux ? "22.04" : "10.0.20348",
    ...(s.power === "running"
      ? {
          vmAgent: {
            vmAgentVersion: linux ? "2.13.1.1" : "2.7.41491.1130",
            statuses: [
              agentHealthy
                ? {
                    code: "ProvisioningState/succeeded",
                    level: "Info",
                    displayStatus: "Ready",
                    message: "Guest Agent is running",
                    time,
                  }
                : {
                    code: "ProvisioningState/Unavailable",
                    level: "Warning",
                    displayStatus: "Not Ready",
                    message: "VM status blob is found but not yet populated.",
                    time,
                  },
            ],
          },
        }
      : {}),
    disks: [
      {
        name: osDisk,
        statuses: [
          {
            code: "ProvisioningState/succeeded",
            level: "Info",
            displayStatus: "Provisioning succeeded",
            time: s.createdAt,
          },
        ],
      },
    ],
    statuses: [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time },
      { ...powerStatus(s), level: "Info" },
    ],
  };
}

/** A scale-set instance as `virtualMachineScaleSets/{name}/virtualMachines/{id}` answers. */
export function vmBody(node: NodeResource, vmss: VmssBody, expandInstanceView: boolean): JsonObject {
  const s = node.internal;
  const vp = vmss.properties.virtualMachineProfile;
  const osDiskName = `${vmss.name}_${s.instanceId}_OsDisk_1_${s.vmId.replace(/-/g, "")}`;
  const osDisk = (vp.storageProfile.osDisk ?? {}) as JsonObject;
  const rgId = vmss.id.slice(0, vmss.id.toLowerCase().indexOf("/providers/"));
  const body: JsonObject = {
    name: `${vmss.name}_${s.instanceId}`,
    id: node.id,
    type: VM_WIRE_TYPE,
    location: vmss.location,
    tags: vmss.tags,
    instanceId: s.instanceId,
    sku: { name: vmss.sku.name, tier: vmss.sku.tier },
    ...(s.zone === undefined ? {} : { zones: [s.zone] }),
    properties: {
      latestModelApplied: true,
      modelDefinitionApplied: "VirtualMachineScaleSet",
      vmId: s.vmId,
      hardwareProfile: {},
      storageProfile: {
        imageReference: vp.storageProfile.imageReference,
        osDisk: {
          osType: s.osType,
          name: osDiskName,
          createOption: "FromImage",
          caching: osDisk.caching ?? "ReadOnly",
          managedDisk: {
            ...((osDisk.managedDisk ?? {}) as JsonObject),
            id: `${rgId}/providers/Microsoft.Compute/disks/${osDiskName}`,
          },
          diskSizeGB: osDisk.diskSizeGB,
        },
        dataDisks: [],
      },
      osProfile: {
        ...((vp.osProfile ?? {}) as JsonObject),
        computerNamePrefix: undefined,
        computerName: s.name,
      },
      networkProfile: {
        networkInterfaces: [{ id: `${node.id}/networkInterfaces/${vmss.name}` }],
      },
      provisioningState: "Succeeded",
      ...(expandInstanceView ? { instanceView: vmInstanceView(node, vmss) } : {}),
    },
    resources: vp.extensionProfile.extensions.map((e) => ({
      name: e.name,
      id: `${node.id}/extensions/${e.name}`,
      type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions",
      properties: {
        publisher: e.properties.publisher,
        type: e.properties.type,
        typeHandlerVersion: e.properties.typeHandlerVersion,
        autoUpgradeMinorVersion: e.properties.autoUpgradeMinorVersion,
        settings: e.properties.settings,
        provisioningState: "Succeeded",
      },
    })),
  };
  // Drop the scale set's name prefix from the instance's OS profile (JSON omits undefined).
  return JSON.parse(JSON.stringify(body)) as JsonObject;
}

/** A scale-set extension as `virtualMachineScaleSets/{name}/extensions/{ext}` answers. */
export function extensionBody(vmss: VmssBody, ext: ExtensionBody): JsonObject {
  return {
    id: `${vmss.id}/extensions/${ext.name}`,
    name: ext.name,
    type: EXTENSION_WIRE_TYPE,
    properties: { provisioningState: "Succeeded", ...ext.properties },
  };
}
