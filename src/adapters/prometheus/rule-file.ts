// AlertRuleSink for a plain Prometheus ("file mode"): smo owns one group in a rule file listed in Prometheus'
// rule_files, rewrites it atomically (temp file + rename) and asks Prometheus to reload (POST /-/reload, needs
// --web.enable-lifecycle). Writes are serialised per instance; unchanged content is not rewritten; a file that
// Prometheus refuses is rolled back so the file on disk stays loadable.
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Logger } from "pino";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, type FieldViolation } from "../../core/errors.js";
import type { AlertRule, AlertRuleSink } from "../../core/ports/observability.js";
import { apiUrl, promFetch } from "./http.js";
import { isPromDuration } from "./promql.js";
import { groupNameFor, ownRules, placeRule } from "./rule-groups.js";

export interface RuleFileSinkOptions {
  /** The rule file (must be matched by Prometheus' rule_files). */
  path: string;
  /** smo's group in the file. Default "smo-alerts". */
  group?: string;
  /** Prometheus base URL for POST /-/reload; without it the file is only written. */
  prometheusUrl?: string;
  /** Group evaluation interval; default Prometheus' global evaluation_interval. */
  evaluationInterval?: string;
  timeoutMs?: number;
  logger?: Logger;
}

interface RuleEntry {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleGroup {
  name: string;
  interval?: string;
  rules: RuleEntry[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function validateRule(rule: AlertRule, field = "rule"): void {
  const v: FieldViolation[] = [];
  if (typeof rule.alert !== "string" || rule.alert.length === 0 || rule.alert.length > 200 || /[\x00-\x1f]/.test(rule.alert)) {
    v.push({ field: `${field}.alert`, description: "a non-empty name of at most 200 printable characters" });
  }
  if (typeof rule.expr !== "string" || rule.expr.trim().length === 0) v.push({ field: `${field}.expr`, description: "required" });
  if (typeof rule.for !== "string" || !(rule.for === "0s" || isPromDuration(rule.for))) {
    v.push({ field: `${field}.for`, description: "a Prometheus duration such as 30s or 1m" });
  }
  for (const [kind, map] of [["labels", rule.labels], ["annotations", rule.annotations]] as const) {
    for (const [name, value] of Object.entries(map ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) v.push({ field: `${field}.${kind}.${name}`, description: "invalid name" });
      if (typeof value !== "string") v.push({ field: `${field}.${kind}.${name}`, description: "value must be a string" });
    }
  }
  if (v.length > 0) throw new InvalidArgumentError(`invalid alert rule: ${v.map((x) => x.field).join(", ")}`, v);
}

function toEntry(rule: AlertRule): RuleEntry {
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    ...(Object.keys(rule.labels ?? {}).length > 0 && { labels: { ...rule.labels } }),
    ...(Object.keys(rule.annotations ?? {}).length > 0 && { annotations: { ...rule.annotations } }),
  };
}

function fromEntry(e: RuleEntry): AlertRule {
  return { alert: e.alert ?? "", expr: String(e.expr ?? ""), for: e.for ?? "0s", labels: { ...e.labels }, annotations: { ...e.annotations } };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function createRuleFileSink(options: RuleFileSinkOptions): AlertRuleSink {
  const group = options.group ?? "smo-alerts";
  const timeoutMs = options.timeoutMs ?? 10_000;
  let tail: Promise<void> = Promise.resolve();
  // True at start: an earlier process may have written the file and failed to reload, so reload once anyway.
  let reloadPending = true;

  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn);
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async function readGroups(): Promise<{ text: string | undefined; groups: RuleGroup[] }> {
    let text: string | undefined;
    try {
      text = await readFile(options.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { text: undefined, groups: [] };
      throw new FailedPreconditionError(`cannot read rule file ${options.path}: ${(err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new FailedPreconditionError(`rule file ${options.path} is not valid YAML: ${(err as Error).message}`);
    }
    if (doc === null || doc === undefined) return { text, groups: [] };
    const groups = (doc as { groups?: unknown }).groups;
    if (!Array.isArray(groups)) throw new FailedPreconditionError(`rule file ${options.path} has no "groups" list`);
    return { text, groups: groups as RuleGroup[] };
  }

  async function reload(): Promise<void> {
    if (!options.prometheusUrl) return;
    const res = await promFetch(apiUrl(options.prometheusUrl, "/-/reload"), { method: "POST" }, timeoutMs, "Prometheus reload");
    const body = await res.text().catch(() => "");
    if (res.ok) return;
    if (res.status >= 500 && /failed to reload config/i.test(body)) {
      throw new InvalidArgumentError(`Prometheus refused the rule file: ${body.trim().slice(0, 500)}`, [
        { field: "rule.expr", description: body.trim().slice(0, 500) },
      ]);
    }
    throw new UnavailableError(`Prometheus reload answered HTTP ${res.status}: ${body.trim().slice(0, 200)}`);
  }

  /** Applies `change` to the file's groups and writes + reloads when the file changes. */
  async function update(change: (groups: RuleGroup[]) => RuleGroup[] | undefined): Promise<void> {
    const { text, groups } = await readGroups();
    const next = change(groups) ?? groups;
    const rules = ownRules(next, group).length;
    const nextText = stringifyYaml({ groups: next });
    if (nextText === text && !reloadPending) return;
    if (nextText !== text) await writeAtomically(options.path, nextText);
    try {
      await reload();
      reloadPending = false;
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        // Prometheus kept its previous rules; put the previous file back so disk and memory agree.
        if (text === undefined) await rm(options.path, { force: true });
        else await writeAtomically(options.path, text);
      } else {
        reloadPending = true;
      }
      throw err;
    }
    options.logger?.info({ path: options.path, group, rules }, "rule file written");
  }

  const extra = options.evaluationInterval ? { interval: options.evaluationInterval } : undefined;
  const same = (a: RuleEntry, b: RuleEntry): boolean => isDeepStrictEqual(a, b);
  return {
    async upsertRule(rule) {
      validateRule(rule);
      const target = groupNameFor(group, rule.labels);
      return serial(() => update((groups) => placeRule(groups, group, rule.alert, { target, entry: toEntry(rule), same, extra })));
    },
    async removeRule(alert) {
      return serial(() => update((groups) => placeRule(groups, group, alert)));
    },
    async listRules() {
      return serial(async () => {
        const { groups } = await readGroups();
        return ownRules(groups, group).filter((r) => r.alert !== undefined).map(fromEntry);
      });
    },
  };
}
