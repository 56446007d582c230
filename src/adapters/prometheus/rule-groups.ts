// One rule group per graph. Prometheus evaluates a group's rules in sequence and a group whose rule fails to
// evaluate, or runs past the interval, delays every rule after it; with all graphs in one group, one graph's
// costly promQuery held up the others' alerts. Each graph now has its own group, `<base>/<graph>`, so a
// graph's expressions only ever share evaluation with that graph's. Rules without a graph label, and rules a
// previous version wrote to the shared `<base>` group, are still found (and moved on their next upsert).

export interface GroupLike<R> {
  name: string;
  rules?: R[];
}

/** The group a rule belongs in, from its `graph` label. */
export function groupNameFor(base: string, labels: Record<string, string> | undefined): string {
  const graph = labels?.graph;
  return graph ? `${base}/${graph}` : base;
}

export function isOwnGroup(base: string, name: string): boolean {
  return name === base || name.startsWith(`${base}/`);
}

/**
 * The groups after removing `alert` from every group smo owns and, when `rule` is given, putting it in the
 * group `target` (created after the others when missing, with `extra` fields such as an interval). Groups left
 * without rules are dropped. Undefined when nothing would change.
 */
export function placeRule<R extends { alert?: unknown }, G extends GroupLike<R>>(
  groups: readonly G[],
  base: string,
  alert: string,
  rule?: { target: string; entry: R; same: (a: R, b: R) => boolean; extra?: Record<string, unknown> },
): G[] | undefined {
  if (rule) {
    const current = groups.find((g) => g.name === rule.target)?.rules?.find((r) => r.alert === alert);
    const elsewhere = groups.some((g) => isOwnGroup(base, g.name) && g.name !== rule.target && g.rules?.some((r) => r.alert === alert));
    if (current && rule.same(current, rule.entry) && !elsewhere) return undefined;
  } else if (!groups.some((g) => isOwnGroup(base, g.name) && g.rules?.some((r) => r.alert === alert))) {
    return undefined;
  }
  const next: G[] = [];
  let placed = false;
  for (const g of groups) {
    if (!isOwnGroup(base, g.name)) {
      next.push(g);
      continue;
    }
    let rules = (g.rules ?? []).filter((r) => r.alert !== alert);
    if (rule && g.name === rule.target) {
      const i = (g.rules ?? []).findIndex((r) => r.alert === alert);
      rules = [...rules];
      rules.splice(i >= 0 ? i : rules.length, 0, rule.entry);
      placed = true;
    }
    if (rules.length > 0) next.push({ ...g, rules });
  }
  if (rule && !placed) next.push({ name: rule.target, ...rule.extra, rules: [rule.entry] } as unknown as G);
  return next;
}

/** Every rule in the groups smo owns. */
export function ownRules<R>(groups: readonly GroupLike<R>[], base: string): R[] {
  return groups.filter((g) => isOwnGroup(base, g.name)).flatMap((g) => g.rules ?? []);
}
