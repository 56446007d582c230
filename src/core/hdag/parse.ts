// Text to document. YAML 1.2 (a superset of JSON) through the `yaml` package by default; syntax errors
// carry line and column. No I/O: callers hand in the text (the CLI reads files, the API gets it in a request).
import { LineCounter, isCollection, isNode, isScalar, parseDocument, visit, type Document } from "yaml";
import { IssueCollector, type ValidationIssue } from "./issues.js";
import { parsePath } from "./paths.js";
import { checkPlainData } from "./rules/plain-data.js";
import { depthProblem } from "./depth.js";
import { expansionProblem } from "./budget.js";

export type DescriptorFormat = "auto" | "yaml" | "json";

export interface ParseOptions {
  /** "auto" (default) and "yaml" parse YAML 1.2, which includes JSON; "json" uses strict JSON.parse. */
  format?: DescriptorFormat;
}

export interface SourcePosition {
  line: number;
  column: number;
}

export type ParseResult =
  | {
      ok: true;
      document: unknown;
      warnings: ValidationIssue[];
      /** Where a field path (as in ValidationIssue.path) starts in the text, or its nearest existing parent. */
      locate(path: string): SourcePosition | undefined;
    }
  | { ok: false; errors: ValidationIssue[]; warnings: ValidationIssue[] };

// Same bound as the yaml package's default; stated so that a "billion laughs" document is always refused.
const MAX_ALIAS_COUNT = 100;

export function parseDescriptor(text: string, opts: ParseOptions = {}): ParseResult {
  // Before any parser: both parsers recurse on nesting, and the yaml package overflows the stack on it.
  const deep = depthProblem(text);
  if (deep) return { ok: false, errors: [syntaxIssue(deep.message, { line: deep.line, column: deep.column })], warnings: [] };
  const result = opts.format === "json" ? parseJson(text) : parseYaml(text);
  if (!result.ok) return result;
  // A cyclic alias (`&a [*a]`) or `.inf` parses fine but cannot be stored as JSON: refuse it here so that no
  // caller ever holds such a document.
  const issues = new IssueCollector();
  checkPlainData({ issues }, result.document);
  if (!issues.hasErrors) return result;
  const errors = issues.issues.map((i) => ({ ...i, ...result.locate(i.path) }));
  return { ok: false, errors, warnings: result.warnings };
}

function syntaxIssue(message: string, pos: SourcePosition | undefined, severity: "error" | "warning" = "error"): ValidationIssue {
  const where = pos ? ` at line ${pos.line}, column ${pos.column}` : "";
  // One line per finding: JSON.parse quotes the offending text, newlines included.
  const text = message.replace(/\s*\n\s*/g, " ");
  return { path: "", message: `${severity === "error" ? "syntax error" : "YAML warning"}${where}: ${text}`, severity, ...pos };
}

function parseYaml(text: string): ParseResult {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // merge: PyYAML (what NEPHELE's SMO used) honours `<<` merge keys, so descriptors may contain them.
    // logLevel error: the yaml package would otherwise print warnings itself; core does no I/O.
    // uniqueKeys false: the package compares each key with every earlier one (a 14,000-key map took 6 s);
    // duplicates are found below with one set per mapping instead.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: false, logLevel: "error" });
  } catch (err) {
    return { ok: false, errors: [syntaxIssue(errorText(err), undefined)], warnings: [] };
  }
  const at = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const warnings = doc.warnings.map((w) => syntaxIssue(firstLine(w.message), at(w.pos[0]), "warning"));
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => syntaxIssue(yamlMessage(e.code, e.message), at(e.pos[0]))), warnings };
  }
  const keyErrors: ValidationIssue[] = [];
  visit(doc, {
    Map(_, map) {
      // Same equality as the package's uniqueKeys (equal scalar values; merge keys, a symbol, may repeat), in
      // linear time.
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || typeof pair.key.value === "symbol") continue;
        if (seen.has(pair.key.value)) keyErrors.push(syntaxIssue(yamlMessage("DUPLICATE_KEY", ""), pair.key.range ? at(pair.key.range[0]) : undefined));
        seen.add(pair.key.value);
      }
    },
    Pair(_, pair) {
      // `? [a, b] : x` is valid YAML but has no JSON form (JavaScript would stringify the key).
      if (isCollection(pair.key)) keyErrors.push(syntaxIssue("a mapping key must be a scalar, found a collection", pair.key.range ? at(pair.key.range[0]) : undefined));
    },
  });
  if (keyErrors.length > 0) return { ok: false, errors: keyErrors, warnings };
  // Before toJS expands the aliases: what the document would become, measured on the tree as composed.
  const expansion = expansionProblem(doc);
  if (expansion) return { ok: false, errors: [{ path: "", message: `refused: ${expansion}`, severity: "error" }], warnings };
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // Excessive aliases (resource exhaustion) and similar construction failures.
    return { ok: false, errors: [{ path: "", message: `refused: ${errorText(err)}`, severity: "error" }], warnings };
  }
  const locate = (path: string): SourcePosition | undefined => {
    const segments = parsePath(path);
    if (!segments) return undefined;
    for (let n = segments.length; n > 0; n--) {
      const node: unknown = doc.getIn(segments.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return undefined;
  };
  return { ok: true, document, warnings, locate };
}

function parseJson(text: string): ParseResult {
  try {
    return { ok: true, document: JSON.parse(text) as unknown, warnings: [], locate: () => undefined };
  } catch (err) {
    const message = errorText(err);
    // Node 20's JSON.parse often gives no position; YAML (a superset of JSON) locates the same mistake.
    const offset = /position (\d+)/.exec(message);
    let pos: SourcePosition | undefined;
    if (offset) {
      const lines = text.slice(0, Number(offset[1])).split("\n");
      pos = { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
    } else {
      const yaml = parseYaml(text);
      if (!yaml.ok && yaml.errors[0]?.line !== undefined) pos = { line: yaml.errors[0].line, column: yaml.errors[0].column! };
    }
    return { ok: false, errors: [syntaxIssue(message, pos)], warnings: [] };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The yaml package appends " at line L, column C" (already in our prefix); keep the message itself. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function yamlMessage(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "expected a single YAML document, found several (separated by ---)";
  if (code === "DUPLICATE_KEY") return "a key appears twice in the same mapping";
  return firstLine(message);
}
