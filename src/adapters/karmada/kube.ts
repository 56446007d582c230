// The client-node objects one Karmada connection needs, built once from a kubeconfig (a file path or the
// YAML text itself), plus the call policy every request of this connection goes through.
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import {
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  KubeConfig,
  ServerConfiguration,
  Watch,
  type RequestContext,
  type SecurityAuthentication,
} from "@kubernetes/client-node";
import { FailedPreconditionError } from "../../core/errors.js";
import type { CallPolicy } from "./call.js";

export interface KubeAccess {
  config: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
  policy: CallPolicy;
}

/** Kubeconfig text has several lines (or is one-line JSON / starts with apiVersion); anything else is a path. */
function looksLikeYaml(kubeconfig: string): boolean {
  return kubeconfig.includes("\n") || /^\s*(\{|apiVersion\s*:)/.test(kubeconfig);
}

export function loadKubeConfig(kubeconfig: string): KubeConfig {
  const config = new KubeConfig();
  try {
    if (looksLikeYaml(kubeconfig)) {
      config.loadFromString(kubeconfig);
    } else {
      if (!existsSync(kubeconfig)) throw new Error(`no such file`);
      config.loadFromFile(kubeconfig);
    }
  } catch (err) {
    const source = looksLikeYaml(kubeconfig) ? "kubeconfig text" : `kubeconfig ${kubeconfig}`;
    throw new FailedPreconditionError(`cannot load ${source}: ${(err as Error).message}`, { cause: err });
  }
  if (!config.getCurrentCluster()) throw new FailedPreconditionError("kubeconfig has no current cluster");
  return config;
}

export function createKubeAccess(kubeconfig: string, policy: CallPolicy): KubeAccess {
  const config = loadKubeConfig(kubeconfig);
  // makeApiClient's configuration, with one authentication (and so one connection pool) shared by the three.
  const auth = keptAliveAuthentication(config);
  const make = <T>(Api: new (c: ReturnType<typeof createConfiguration>) => T): T =>
    new Api(createConfiguration({ baseServer: new ServerConfiguration(config.getCurrentCluster()!.server, {}), authMethods: { default: auth } }));
  return {
    config,
    apps: make(AppsV1Api),
    core: make(CoreV1Api),
    custom: make(CustomObjectsApi),
    watch: new Watch(config),
    policy,
  };
}

type AgentWithOptions = http.Agent & { options?: Record<string, unknown> };

/** The options that make two agents' connections interchangeable: the TLS material and checks. */
const TLS_OPTIONS = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"];

function sameOption(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameOption(v, b[i]));
  return a === b;
}

/**
 * The kubeconfig's authentication, with requests sent through one kept-alive agent. client-node builds a new
 * agent for every request, so every call opened a new TCP (and TLS) connection: at 200 scale calls a second that
 * was ~5 % of smo's CPU, and a TLS handshake per call against a real API server. Headers (tokens, exec
 * credentials) are still applied per request; the agent is replaced when the TLS material it was built from
 * changes (rotated client certificates). Proxy agents are left as client-node makes them.
 */
export function keptAliveAuthentication(config: KubeConfig): SecurityAuthentication {
  let shared: { agent: http.Agent; kind: unknown; options: Record<string, unknown> } | undefined;
  return {
    getName: () => "kubeconfig authentication, kept-alive connections",
    async applySecurityAuthentication(context: RequestContext) {
      await config.applySecurityAuthentication(context);
      const fresh = context.getAgent() as AgentWithOptions | undefined;
      const kind: unknown = fresh?.constructor;
      if (!fresh || (kind !== http.Agent && kind !== https.Agent)) return;
      const options = fresh.options ?? {};
      if (!shared || shared.kind !== kind || !TLS_OPTIONS.every((k) => sameOption(shared!.options[k], options[k]))) {
        shared?.agent.destroy();
        const kept = { ...options, keepAlive: true };
        shared = { agent: kind === https.Agent ? new https.Agent(kept) : new http.Agent(kept), kind, options };
      }
      context.setAgent(shared.agent);
    },
  };
}
