// Property-based tests: the project's fixture descriptors (and the real corpus when present) mutated by
// dropping, retyping, renaming and duplicating fields, then round-tripped through YAML, plus arbitrary and
// damaged text. Validation must always return findings (never throw, never hang), and a descriptor that
// validates must always translate into a consistent model. Case counts are sized for a loaded 2-core machine
// (a few seconds each there), and every property has its own explicit time budget.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  KNOWN_FIELDS,
  canonicalDescriptorHash,
  isRfc1123Label,
  loadDescriptor,
  translateDescriptor,
  validateDescriptor,
  type GraphModel,
  type ValidationIssue,
} from "../../src/core/hdag/index.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { fixtureFiles, loadCorpus } from "../fixtures/index.js";
import { validDoc } from "./fixture.js";

const corpus = loadCorpus();
const seeds: { name: string; text: string; doc: unknown }[] = [
  { name: "fixture", text: stringify(validDoc()), doc: validDoc() },
  ...[...fixtureFiles(), ...corpus.files].map((f) => ({ name: f.name, text: f.text, doc: parse(f.text) as unknown })),
];
/** Per property: generous against vitest's default, as a loaded 2-core machine can be several times slower. */
const BUDGET_MS = 120_000;

type Segment = string | number;
type Container = Record<string, unknown> | unknown[];

/** Every location in the document: the container holding it and its key or index. */
function locations(doc: unknown): { parent: Container; key: Segment }[] {
  const out: { parent: Container; key: Segment }[] = [];
  const stack: unknown[] = [doc];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    const container = node as Container;
    const keys: Segment[] = Array.isArray(container) ? container.map((_, i) => i) : Object.keys(container);
    for (const key of keys) {
      out.push({ parent: container, key });
      stack.push((container as Record<Segment, unknown>)[key]);
    }
  }
  return out;
}

/** Sets an own data property even for keys such as "__proto__" (plain assignment would change the prototype). */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const fieldNames = [...new Set(Object.values(KNOWN_FIELDS).flat())];
const keyArb = fc.oneof(fc.constantFrom(...fieldNames, "__proto__", "constructor", "toString", "hdag"), fc.string({ maxLength: 8 }));
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -1, 1.5, NaN, Infinity, "", [], {}),
  fc.constantFrom("True", "False", "yes", "small", "huge", "ANY", "ALL", "0.3.0", "0.4.0", "1.0.0", "v1.0.0"),
  fc.constantFrom("oci://127.0.0.1:5000/a/b", "2m", "1h30m", "noise-reduction", "image-detection", "web-frontend", "frontend", "backend", "cache"),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(keyArb, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

type Mutation =
  | { kind: "drop"; at: number }
  | { kind: "retype"; at: number; value: unknown }
  | { kind: "rename"; at: number; name: string }
  | { kind: "duplicate"; at: number; name: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("retype" as const), at: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant("rename" as const), at: fc.nat(), name: keyArb }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), name: keyArb }),
);

function mutate(seed: unknown, mutations: Mutation[]): unknown {
  const doc = structuredClone(seed);
  for (const m of mutations) {
    const locs = locations(doc);
    if (locs.length === 0) break;
    const { parent, key } = locs[m.at % locs.length]!;
    const current = (parent as Record<Segment, unknown>)[key];
    if (Array.isArray(parent)) {
      const i = key as number;
      if (m.kind === "drop") parent.splice(i, 1);
      else if (m.kind === "retype") parent[i] = m.value;
      else if (m.kind === "duplicate") parent.splice(i, 0, structuredClone(current)); // e.g. a second service with the same id
      else parent[i] = { [m.name]: current };
    } else {
      const k = key as string;
      if (m.kind === "drop") delete parent[k];
      else if (m.kind === "retype") put(parent, k, m.value);
      else if (m.kind === "duplicate") put(parent, m.name, structuredClone(current));
      else {
        delete parent[k];
        put(parent, m.name, current);
      }
    }
  }
  return doc;
}

// Plain checks instead of expect() inside properties: expect's per-call cost dominates 10,000 cases.
function check(condition: boolean, what: string, detail?: unknown): void {
  if (!condition) throw new Error(`${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
}

function expectWellFormed(issues: readonly ValidationIssue[]): void {
  for (const i of issues) {
    check(typeof i.path === "string" && typeof i.message === "string" && i.message.length > 0, "malformed issue", i);
    check(i.severity === "error" || i.severity === "warning", "bad severity", i);
  }
}

/** What every translated model must satisfy, whatever the descriptor looked like. */
function expectConsistent(m: GraphModel): void {
  const ids = m.services.map((s) => s.id);
  check(new Set(ids).size === ids.length, "duplicate service ids", ids);
  check(ids.every(isRfc1123Label) && isRfc1123Label(m.id), "ids are not RFC 1123 labels", ids);
  for (const c of m.connections) check(ids.includes(c.from) && ids.includes(c.to) && c.from !== c.to, "bad connection", c);
  const grouped = m.coLocationGroups.flat();
  check(new Set(grouped).size === grouped.length && grouped.every((id) => ids.includes(id)), "bad co-location groups", m.coLocationGroups);
  for (const s of m.services) {
    check([0.5, 1, 4, 8].includes(s.resources.cpu) && [0, 1].includes(s.resources.gpu), "bad resources", s.resources);
    const sc = s.scaling;
    check(sc.alpha > 0 && sc.minReplicas >= 1 && sc.maxReplicas >= sc.minReplicas, "bad scaling", sc);
    if (s.trigger.kind === "auto") check(s.trigger.dependencies.every((d) => ids.includes(d)), "bad dependencies", s.trigger);
    else check(s.trigger.events.length > 0, "event trigger without events");
  }
  check(JSON.stringify(JSON.parse(JSON.stringify(m))) === JSON.stringify(m), "model is not plain JSON data"); // storable as JSONB
}

const seedArb = fc.constantFrom(...seeds);
const mutatedArb = fc.record({ seed: seedArb, mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) });

describe(`hdag fuzz (${seeds.length} seed descriptors)${corpus.reason}`, () => {
  it("mutated documents: validation returns findings, a valid one translates consistently (1,500 cases)", () => {
    let valid = 0;
    fc.assert(
      fc.property(mutatedArb, ({ seed, mutations }) => {
        const doc = mutate(seed.doc, mutations);
        const result = validateDescriptor(doc);
        expectWellFormed(result.issues);
        check(result.ok === (result.errors.length === 0), "ok disagrees with errors");
        if (result.ok) {
          valid++;
          expectConsistent(translateDescriptor(doc));
          check(/^[0-9a-f]{64}$/.test(canonicalDescriptorHash(doc)), "bad hash");
        } else {
          let threw = false;
          try {
            translateDescriptor(doc);
          } catch (err) {
            threw = err instanceof InvalidArgumentError && err.violations.length === result.errors.length;
          }
          check(threw, "translate of an invalid descriptor must throw InvalidArgumentError with its violations");
        }
      }),
      { numRuns: 1500 },
    );
    // Both outcomes must be exercised, or the property says little.
    expect(valid).toBeGreaterThan(25);
    expect(valid).toBeLessThan(1475);
  }, BUDGET_MS);

  it("mutated documents through YAML text: load agrees with validate (400 cases)", () => {
    fc.assert(
      fc.property(mutatedArb, ({ seed, mutations }) => {
        const doc = mutate(seed.doc, mutations);
        const text = stringify(doc);
        const loaded = loadDescriptor(text);
        expectWellFormed(loaded.ok ? loaded.warnings : [...loaded.errors, ...loaded.warnings]);
        const reparsed = parse(text) as unknown;
        check(loaded.ok === validateDescriptor(reparsed).ok, "load and validate disagree");
        if (loaded.ok) expectConsistent(loaded.model);
      }),
      { numRuns: 400 },
    );
  }, BUDGET_MS);

  it("arbitrary and damaged text never throws (500 cases)", () => {
    const damaged = fc.record({ seed: seedArb, at: fc.nat(), cut: fc.nat({ max: 40 }), insert: fc.string({ maxLength: 6 }) }).map(({ seed, at, cut, insert }) => {
      const i = at % (seed.text.length + 1);
      return seed.text.slice(0, i) + insert + seed.text.slice(i + cut);
    });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.string({ unit: "binary", maxLength: 200 })), (text) => {
        const loaded = loadDescriptor(text);
        expectWellFormed(loaded.ok ? loaded.warnings : loaded.errors);
        if (loaded.ok) expectConsistent(loaded.model);
        else check(loaded.errors.length > 0, "failed load without errors");
      }),
      { numRuns: 500 },
    );
  }, BUDGET_MS);
});
