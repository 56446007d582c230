// The stored descriptor is JSON (JSONB, canonical hash), so the whole document, including free-form parts
// such as valuesOverwrite, must be finite, acyclic, plain JSON data. YAML can produce a cycle with an alias
// (`&a [*a]`) and `.inf`/`.nan`; programmatic callers can pass anything.
import type { Ctx } from "../fields.js";
import type { Path } from "../paths.js";

export const MAX_DEPTH = 100;

export function checkPlainData(ctx: Ctx, root: unknown, rootPath: Path = []): void {
  if (root === undefined) return; // no document at all: reported as an empty document
  const onPath = new Set<object>();
  const done = new Set<object>();
  type Frame = { value: unknown; path: Path; exit?: object };
  const stack: Frame[] = [{ value: root, path: rootPath }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.exit) {
      onPath.delete(frame.exit);
      done.add(frame.exit);
      continue;
    }
    const { value, path } = frame;
    const problem = scalarProblem(value);
    if (problem !== undefined) {
      if (problem) ctx.issues.error(path, `expected JSON data, found ${problem}`);
      continue;
    }
    const obj = value as object;
    if (done.has(obj)) continue; // shared by a YAML alias: already checked
    if (onPath.has(obj)) {
      ctx.issues.error(path, "expected JSON data, found a reference to one of its own ancestors (a cyclic YAML alias)");
      continue;
    }
    if (path.length - rootPath.length >= MAX_DEPTH) {
      ctx.issues.error(path, `expected at most ${MAX_DEPTH} levels of nesting, found deeper data`);
      continue;
    }
    onPath.add(obj);
    stack.push({ value: undefined, path, exit: obj });
    const entries: [string | number, unknown][] = Array.isArray(obj) ? obj.map((v, i) => [i, v]) : Object.entries(obj);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      // An undefined property is simply absent in JSON; an undefined list entry is not representable.
      if (child === undefined && typeof key === "string") continue;
      stack.push({ value: child, path: [...path, key] });
    }
  }
}

/** "" for fine scalars, a description for unusable values, undefined for containers to descend into. */
function scalarProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return "";
    case "number":
      return Number.isFinite(value) ? "" : `the non-finite number ${value}`;
    case "object": {
      if (value === null || Array.isArray(value)) return value === null ? "" : undefined;
      const proto = Object.getPrototypeOf(value);
      return proto === Object.prototype || proto === null ? undefined : `a ${value.constructor?.name ?? "non-plain"} object`;
    }
    default:
      return `a value of type ${typeof value}`;
  }
}
