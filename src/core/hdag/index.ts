// Public API of the HDAG module: parse, validate, translate, hash, and the bridge to INVALID_ARGUMENT.
export type * from "./model.js";
export { parseDescriptor, type DescriptorFormat, type ParseOptions, type ParseResult, type SourcePosition } from "./parse.js";
export { validateDescriptor, translateDescriptor, type ValidationResult } from "./validate.js";
export { loadDescriptor, type LoadOptions, type LoadResult } from "./load.js";
export { unwrapDocument } from "./rules/graph.js";
export { toFieldViolations, toInvalidArgument } from "./violations.js";
export { canonicalDescriptorHash, canonicalJson } from "./hash.js";
export { formatIssue, errorsOf, warningsOf, type Severity, type ValidationIssue } from "./issues.js";
export { DEFAULT_SCALING, resolveOptions, type HdagOptions } from "./options.js";
export { CPU_CORES, RAM_BYTES, STORAGE_BYTES, resourcesOf, scalingOf } from "./translate.js";
export {
  DEFAULT_PLACEMENT_STRATEGIES,
  DEFAULT_SCALING_STRATEGIES,
  DEFAULT_SCALING_STRATEGY,
  IM_VERSION,
  KNOWN_FIELDS,
} from "./schema.js";
export { isRfc1123Label, isSemVer, parsePrometheusDuration } from "./formats.js";
export { inProcessLoader, loadAndHash, type DescriptorLoader, type DescriptorLoadResult, type LoadedDescriptor } from "./loader.js";
