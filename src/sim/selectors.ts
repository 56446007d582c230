// Label and field selectors: the `labelSelector` / `fieldSelector` query strings of list and watch, and the
// structured `LabelSelector` (matchLabels / matchExpressions) that PropagationPolicies and cluster affinities use.
import { badRequest } from "./api-error.js";

export type Labels = Record<string, string>;
export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!" };

export type Matcher = (labels: Labels) => boolean;

export function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "=":
      return has && v === r.value;
    case "!=":
      return !has || v !== r.value;
    case "in":
      return has && r.values.includes(v!);
    case "notin":
      return !has || !r.values.includes(v!);
    case "exists":
      return has;
    case "!":
      return !has;
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const KEY = /^([a-zA-Z0-9]([-a-zA-Z0-9_./]*[a-zA-Z0-9])?)$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  if (!text) return [];
  return splitTopLevel(text).map((part) => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!.split(",").map((s) => s.trim()).filter((s) => s !== "");
      return checkKey({ key: m[1]!, op: m[2] as "in" | "notin", values }, text);
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) return checkKey({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", value: m[3]! }, text);
    m = /^!\s*(\S+)$/.exec(part);
    if (m) return checkKey({ key: m[1]!, op: "!" }, text);
    if (KEY.test(part)) return { key: part, op: "exists" };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

function checkKey(r: Requirement, text: string): Requirement {
  if (!KEY.test(r.key)) throw badRequest(`invalid label selector "${text}": invalid key "${r.key}"`);
  const values = "value" in r ? [r.value] : "values" in r ? r.values : [];
  for (const v of values) {
    if (v.length > 63 || !VALUE.test(v)) throw badRequest(`invalid label selector "${text}": invalid label value "${v}"`);
  }
  return r;
}

export function labelMatcher(text: string | null | undefined): Matcher {
  const reqs = parseLabelSelector(text);
  return (labels) => reqs.every((r) => matchRequirement(r, labels));
}

export interface LabelSelectorSpec {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A structured LabelSelector; an empty selector matches everything, as in Kubernetes. */
export function structuredMatcher(sel: LabelSelectorSpec | undefined | null): Matcher {
  if (!sel) return () => true;
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, value]) => ({ key, op: "=", value }));
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator;
    if (op === "In") reqs.push({ key: e.key, op: "in", values: e.values ?? [] });
    else if (op === "NotIn") reqs.push({ key: e.key, op: "notin", values: e.values ?? [] });
    else if (op === "Exists") reqs.push({ key: e.key, op: "exists" });
    else if (op === "DoesNotExist") reqs.push({ key: e.key, op: "!" });
    else return () => false;
  }
  return (labels) => reqs.every((r) => matchRequirement(r, labels));
}

export interface FieldTarget {
  name: string;
  namespace: string;
}

/** Only metadata.name and metadata.namespace are supported, like most resources of a real server. */
export function fieldMatcher(text: string | null | undefined): (f: FieldTarget) => boolean {
  if (!text) return () => true;
  const tests = splitTopLevel(text).map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid field selector: "${part}"`);
    const field = m[1]!.trim();
    const value = m[3]!.trim();
    const neg = m[2] === "!=";
    if (field !== "metadata.name" && field !== "metadata.namespace") {
      throw badRequest(`field label not supported: ${field}`);
    }
    return (f: FieldTarget) => ((field === "metadata.name" ? f.name : f.namespace) === value) !== neg;
  });
  return (f) => tests.every((t) => t(f));
}
