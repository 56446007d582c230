// OCI artifacts (NEPHELE's hdarctl reimplemented): pull HDAG descriptors, push them as hdarctl does.
export { createOciArtifactSource, type OciArtifactSource, type PulledArtifact } from "./source.js";
export { pushDescriptor, pushDescriptorText, readArtifactIdentity, type PushOptions, type PushedArtifact } from "./push.js";
export {
  parseOciReference,
  parsePushTarget,
  formatReference,
  insecureRegistriesFromEnv,
  isInsecureRegistry,
  type OciReference,
} from "./reference.js";
export { UnsafeArchiveError, extractSafely, findDescriptor, packDescriptor } from "./archive.js";
export { DigestMismatchError, ContentTooLargeError, digestOf } from "./digest.js";
export { MEDIA } from "./manifests.js";
export type { OciClientOptions, RegistryCredentials } from "./options.js";
