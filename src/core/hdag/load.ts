// The one call most callers need: text in, model (or every finding) out.
import { errorsOf, warningsOf, type ValidationIssue } from "./issues.js";
import type { GraphModel } from "./model.js";
import type { HdagOptions } from "./options.js";
import { parseDescriptor, type ParseOptions, type SourcePosition } from "./parse.js";
import { unwrapDocument } from "./rules/graph.js";
import { translateDraft } from "./translate.js";
import { resolveOptions } from "./options.js";
import { runValidation } from "./validate.js";

export type LoadOptions = HdagOptions & ParseOptions;

export type LoadResult =
  | {
      ok: true;
      model: GraphModel;
      /** The descriptor as parsed, unknown fields kept (without the 2024 `hdag` wrapper): what to store. */
      document: unknown;
      warnings: ValidationIssue[];
    }
  | { ok: false; errors: ValidationIssue[]; warnings: ValidationIssue[] };

export function loadDescriptor(text: string, opts: LoadOptions = {}): LoadResult {
  const parsed = parseDescriptor(text, opts);
  if (!parsed.ok) return parsed;
  const { issues, draft } = runValidation(parsed.document, opts);
  const located = issues.map((i) => withPosition(i, parsed.locate(i.path)));
  const warnings = [...parsed.warnings, ...warningsOf(located)];
  if (!draft) return { ok: false, errors: errorsOf(located), warnings };
  const model = translateDraft(draft, resolveOptions(opts).scalingDefaults);
  return { ok: true, model, document: unwrapDocument(parsed.document).document, warnings };
}

function withPosition(issue: ValidationIssue, pos: SourcePosition | undefined): ValidationIssue {
  return pos ? { ...issue, line: pos.line, column: pos.column } : issue;
}
