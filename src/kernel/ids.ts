// Identifiers that end up as Kubernetes names (projects are namespaces, graph and service ids name releases and
// Services). One definition of what is acceptable, for every layer.

/** RFC 1123 label: what Kubernetes accepts for namespace, release and most object names. */
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const RFC1123_MAX = 63;

export function isRfc1123Label(value: string): boolean {
  return value.length <= RFC1123_MAX && RFC1123_LABEL.test(value);
}

/** RFC 1035 label: an RFC 1123 label that starts with a letter (Kubernetes Service names). */
export function isRfc1035Label(value: string): boolean {
  return isRfc1123Label(value) && /^[a-z]/.test(value);
}
