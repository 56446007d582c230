export { createHelmDeployer, resolveHelm, type HelmDeployerOptions } from "./helm.js";
export { helmValues } from "./helm-values.js";
export { createManifestDeployer, type ManifestDeployerOptions } from "./manifest.js";
export { chartName, placeholderImage, renderWorkload, PLACEHOLDER_REGISTRY } from "./manifest-render.js";
