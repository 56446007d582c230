// Checks the HTTP port makes before routing, against requests a browser can be made to send. Without a token
// (the default on loopback) a page on a DNS-rebinding domain could call every Connect RPC, and a cross-origin
// "simple" POST (text/plain, no preflight) reached /v1/alerts. smo has no browser clients, so:
//   - Host must be a loopback name, an IP literal, or a name listed in --allowed-hosts. Rebinding needs a DNS
//     name the attacker controls; IP literals (the kubelet's probes and Prometheus send the pod IP) cannot be
//     rebound, and .localhost names resolve to loopback by specification (RFC 6761).
//   - A request carrying Origin came from a browser page: refused.
import { isIP } from "node:net";

/** Hostname of a Host header value (port and IPv6 brackets removed, lowercased), or undefined when malformed. */
export function hostnameOf(host: string): string | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+))(?::\d{1,5})?$/.exec(host.trim());
  if (!match) return undefined;
  return (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, "");
}

/** Whether a request with this Host header may be served. An absent header (HTTP/1.0) is not a browser's. */
export function isHostAllowed(host: string | undefined, allowedHosts: readonly string[]): boolean {
  if (host === undefined) return true;
  const name = hostnameOf(host);
  if (name === undefined) return false;
  if (isIP(name) !== 0) return true;
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  return allowedHosts.some((allowed) => allowed.toLowerCase().replace(/\.$/, "") === name);
}

export const HOST_REFUSED_MESSAGE =
  "Host header not allowed: use a loopback name or an IP address, or list the name with --allowed-hosts (protection against DNS rebinding)";
export const ORIGIN_REFUSED_MESSAGE = "requests from browser pages (with an Origin header) are not served";
