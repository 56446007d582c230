// Type guards and the "found …" half of every message. Descriptors come from YAML/JSON or from callers, so
// nothing here trusts a value's type or its prototype: fields are read as own properties only.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own property, never one inherited from Object.prototype (`constructor`, `__proto__`, …). */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

const MAX_SHOWN = 60;

/** How a found value is named in messages: `string "huge"`, `number 3`, `a list`, `nothing`. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value === "") return "an empty string";
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return Number.isFinite(value) ? `number ${value}` : `non-finite number ${value}`;
  if (typeof value === "boolean") return `boolean ${value}`;
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (isObject(value)) return "an object";
  return `a ${typeof value}`;
}

/** `one of "a", "b", "c"` for enum messages. */
export function oneOf(values: readonly string[]): string {
  return values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
}
