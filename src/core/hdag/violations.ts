// The bridge to the API: DeployGraph answers INVALID_ARGUMENT with google.rpc.BadRequest field violations
// built from the same findings the CLI prints.
import { InvalidArgumentError, type FieldViolation } from "../errors.js";
import { errorsOf, formatIssue, type ValidationIssue } from "./issues.js";

/**
 * One violation per error (warnings are not violations). A syntax error concerns the whole text and has no
 * path; it is reported on `rootField`, the request field that carried the text.
 */
export function toFieldViolations(issues: readonly ValidationIssue[], rootField = "descriptor"): FieldViolation[] {
  return errorsOf(issues).map((i) => ({ field: i.path === "" ? rootField : i.path, description: i.message }));
}

export function toInvalidArgument(issues: readonly ValidationIssue[], rootField = "descriptor"): InvalidArgumentError {
  const errors = errorsOf(issues);
  const first = errors[0];
  const summary = first
    ? `invalid HDAG descriptor: ${errors.length} error${errors.length === 1 ? "" : "s"}, first ${formatIssue(first)}`
    : "invalid HDAG descriptor";
  return new InvalidArgumentError(summary, toFieldViolations(errors, rootField));
}
