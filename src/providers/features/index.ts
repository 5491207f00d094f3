/** Microsoft.Features: subscription feature flags. */
export { Features, FEATURE_TYPE, type FeatureBody, type FeatureState } from "./features.js";
export { KNOWN_FEATURES } from "./catalog.js";
