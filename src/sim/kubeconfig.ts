// The kubeconfig a client needs for the simulator. client-node 1.x only speaks http:// when the cluster entry
// says insecure-skip-tls-verify, so it always does.
import { stringify } from "yaml";

export function kubeconfigYaml(url: string, token?: string, name = "smo-sim"): string {
  const user: Record<string, string> = token ? { token } : {};
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: "default" } }],
    "current-context": name,
    preferences: {},
  });
}
