// The client-node objects one Karmada connection needs, built once from a kubeconfig (a file path or the
// YAML text itself), plus the call policy every request of this connection goes through.
import { existsSync } from "node:fs";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from "@kubernetes/client-node";
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
  return {
    config,
    apps: config.makeApiClient(AppsV1Api),
    core: config.makeApiClient(CoreV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    watch: new Watch(config),
    policy,
  };
}
