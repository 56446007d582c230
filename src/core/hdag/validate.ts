// validateDescriptor and translateDescriptor: one walk of the document collects every finding and, when
// there is no error, the draft that translation turns into the GraphModel.
import { InvalidArgumentError } from "../errors.js";
import type { GraphDraft } from "./draft.js";
import { IssueCollector, errorsOf, warningsOf, type ValidationIssue } from "./issues.js";
import type { GraphModel } from "./model.js";
import { resolveOptions, type HdagOptions } from "./options.js";
import { checkDocument } from "./rules/graph.js";
import { translateDraft } from "./translate.js";
import { toInvalidArgument } from "./violations.js";

export interface ValidationResult {
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  /** Errors and warnings together, in document order. */
  issues: ValidationIssue[];
}

export function runValidation(doc: unknown, opts?: HdagOptions): { issues: ValidationIssue[]; draft?: GraphDraft } {
  const resolved = resolveOptions(opts);
  const ctx = { issues: new IssueCollector(), maxReplicas: resolved.maxReplicas };
  const draft = checkDocument(ctx, doc, resolved);
  const issues = ctx.issues.issues;
  return ctx.issues.hasErrors || !draft ? { issues } : { issues, draft };
}

/** Every error and warning of a parsed descriptor (never throws for bad input). */
export function validateDescriptor(doc: unknown, opts?: HdagOptions): ValidationResult {
  const { issues } = runValidation(doc, opts);
  const errors = errorsOf(issues);
  return { ok: errors.length === 0, errors, warnings: warningsOf(issues), issues };
}

/** The translated model; throws InvalidArgumentError (with field violations) when the descriptor is invalid. */
export function translateDescriptor(doc: unknown, opts?: HdagOptions): GraphModel {
  const { issues, draft } = runValidation(doc, opts);
  if (!draft) {
    if (errorsOf(issues).length === 0) throw new InvalidArgumentError("invalid HDAG descriptor");
    throw toInvalidArgument(issues);
  }
  return translateDraft(draft, resolveOptions(opts).scalingDefaults);
}
