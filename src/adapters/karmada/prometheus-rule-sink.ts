// AlertRuleSink on a prometheus-operator `monitoring.coreos.com/v1` PrometheusRule: one rule group per graph,
// `smo-alerts/<graph>`, inside a PrometheusRule object (NEPHELE's defaults: monitoring/kube-prometheus-stack-0,
// base group smo-alerts; see prometheus/rule-groups.ts).
// Every change is a read-modify-write carrying the resourceVersion; a 409 re-reads and tries again, so
// concurrent writers (other smo replicas, an operator) never lose each other's rules.
import { isDeepStrictEqual } from "node:util";
import { AlreadyExistsError, ConflictError } from "../../core/errors.js";
import type { AlertRule, AlertRuleSink } from "../../core/ports/observability.js";
import { apiVersionOf, MANAGED_BY, NamespacedResource, type KubeObject, type ResourceType } from "./custom-objects.js";
import type { KubeAccess } from "./kube.js";
import { checkLabelName, checkSubdomainName } from "./names.js";
import { groupNameFor, ownRules, placeRule } from "../prometheus/rule-groups.js";

export const PROMETHEUS_RULE: ResourceType = {
  group: "monitoring.coreos.com",
  version: "v1",
  plural: "prometheusrules",
  kind: "PrometheusRule",
};

export interface PrometheusRuleSinkOptions {
  namespace?: string;
  name?: string;
  group?: string;
  /** Labels of a PrometheusRule smo creates: kube-prometheus-stack selects rules by `release`. */
  labels?: Record<string, string>;
  /** Read-modify-write rounds before a ConflictError surfaces. */
  conflictRetries?: number;
}

interface RuleGroup {
  name: string;
  rules?: Record<string, unknown>[];
  [key: string]: unknown;
}

function toRule(raw: Record<string, unknown>): AlertRule {
  return {
    alert: String(raw.alert ?? ""),
    expr: String(raw.expr ?? ""),
    for: String(raw.for ?? "0s"),
    labels: { ...((raw.labels as Record<string, string>) ?? {}) },
    annotations: { ...((raw.annotations as Record<string, string>) ?? {}) },
  };
}

function fromRule(rule: AlertRule): Record<string, unknown> {
  return { alert: rule.alert, expr: rule.expr, for: rule.for, labels: { ...rule.labels }, annotations: { ...rule.annotations } };
}

export function createPrometheusRuleSink(client: { kube: KubeAccess }, options: PrometheusRuleSinkOptions = {}): AlertRuleSink {
  const namespace = checkLabelName("namespace", options.namespace ?? "monitoring");
  const name = checkSubdomainName("name", options.name ?? "kube-prometheus-stack-0");
  const groupName = options.group ?? "smo-alerts";
  const labels = options.labels ?? { release: "kube-prometheus-stack", ...MANAGED_BY };
  const rounds = options.conflictRetries ?? 5;
  const rules = new NamespacedResource(client.kube, PROMETHEUS_RULE);
  const logger = client.kube.policy.logger;

  /** The object's groups after `change`, or undefined to leave the object as it is. */
  type Change = (groups: RuleGroup[]) => RuleGroup[] | undefined;

  async function modify(what: string, change: Change): Promise<void> {
    for (let round = 1; ; round++) {
      const object = await rules.get(namespace, name);
      try {
        if (!object) {
          const next = change([]);
          if (!next || next.length === 0) return;
          await rules.create(namespace, {
            apiVersion: apiVersionOf(PROMETHEUS_RULE),
            kind: PROMETHEUS_RULE.kind,
            metadata: { name, namespace, labels: { ...labels } },
            spec: { groups: next },
          });
          return;
        }
        const next = change([...((object.spec?.groups as RuleGroup[]) ?? [])]);
        if (!next) return;
        const body: KubeObject = { ...object, spec: { ...object.spec, groups: next } };
        await rules.replace(namespace, name, body);
        return;
      } catch (err) {
        const lost = err instanceof ConflictError || err instanceof AlreadyExistsError;
        if (!lost || round >= rounds) throw err;
        logger.info({ op: what, round }, "PrometheusRule changed concurrently; re-reading");
      }
    }
  }

  const same = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => isDeepStrictEqual(toRule(a), toRule(b));

  return {
    async upsertRule(rule: AlertRule): Promise<void> {
      const entry = fromRule(rule);
      const target = groupNameFor(groupName, rule.labels);
      await modify(`upsert alert ${rule.alert}`, (groups) => placeRule(groups, groupName, rule.alert, { target, entry, same }));
    },

    async removeRule(alert: string): Promise<void> {
      await modify(`remove alert ${alert}`, (groups) => placeRule(groups, groupName, alert));
    },

    async listRules(): Promise<AlertRule[]> {
      const object = await rules.get(namespace, name);
      return ownRules((object?.spec?.groups as RuleGroup[]) ?? [], groupName)
        .filter((r) => typeof r.alert === "string")
        .map(toRule);
    },
  };
}
