/**
 * The subscription features (preview flags) aksemu knows, per resource-provider namespace.
 *
 * Microsoft.ContainerService: the AKS preview flags named in the current AKS docs and in the preview-flag table
 * (shared/aks-data/aks-policy-facts.md §7, shared/aks-data/preview-flags.json), including flags of features that went
 * GA but that ARM still lists. Flags ARM has retired (`StartStopPreview`, `TrustedAccessPreview`) are deliberately
 * absent: registering them fails with "The feature '<name>' could not be found.", as it does against Azure.
 */
export const KNOWN_FEATURES: Readonly<Record<string, readonly string[]>> = {
  "Microsoft.ContainerService": [
    "AKS-AddonAutoscalingPreview",
    "AKS-AzureKeyVaultSecretsProvider",
    "AKS-KedaPreview",
    "AKSFlatcarPreview",
    "AKSInfinibandSupport",
    "AKSWindowsAnnualPreview",
    "AdvancedNetworkingDynamicMetricsPreview",
    "AdvancedNetworkingmTLSPreview",
    "AllowClusterAutoscalerAndNAP",
    "ArtifactStreamingPreview",
    "AutoUpgradePreview",
    "AzureLinuxOSGuardPreview",
    "ControlPlaneScalingProfilePreview",
    "CustomNodeConfigPreview",
    "DisableSSHPreview",
    "EnableAPIServerVnetIntegrationPreview",
    "EnableFIPSPreview",
    "EnableImageIntegrityPreview",
    "EnablePodIdentityPreview",
    "EnableSLBSharedHealthProbePreview",
    "EnableServiceTagAuthorizedIPPreview",
    "EnableWorkloadIdentityPreview",
    "EntraIdSSHPreview",
    "FullCachePreview",
    "IMDSRestrictionPreview",
    "IPBasedLoadBalancerPreview",
    "IdentityBindingPreview",
    "JWTAuthenticatorPreview",
    "KMSPMKPreview",
    "KataCcIsolationPreview",
    "KubeProxyConfigurationPreview",
    "KubeletDefaultSeccompProfilePreview",
    "ManagedGPUExperiencePreview",
    "ManagedNATGatewayV2Preview",
    "MultipleStandardLoadBalancersPreview",
    "NodeDisruptionProfile",
    "NodeInitializationTaintsPreview",
    "NodeOsUpgradeChannelPreview",
    "NodePublicIPv6PrefixPreview",
    "PodHostPortAutoAssignPreview",
    "PodSecurityPolicyPreview",
    "SafeguardsPreview",
    "Ubuntu2404Preview",
    "UserDefinedSchedulerConfigurationPreview",
    "WindowsGPUPreview",
    "WindowsNetworkPolicyPreview",
  ],
  "Microsoft.Compute": ["InGuestPatchVMPreview", "VmssAutomaticZonePlacement"],
};
