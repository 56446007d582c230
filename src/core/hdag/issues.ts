// Validation findings. Every finding carries the full field path and a sentence saying what was expected
// and what was found, so a person can fix the descriptor without reading smo's code.
import { formatPath, type Path } from "./paths.js";

export type Severity = "error" | "warning";

export interface ValidationIssue {
  /** e.g. hdaGraph.services[1].deployment.intent.compute.cpu ("" for a syntax error of the whole text). */
  path: string;
  message: string;
  severity: Severity;
  /** 1-based position in the source text, when the descriptor was parsed from YAML. */
  line?: number;
  column?: number;
}

/** Collects findings during one validation run; rules never throw for bad input, they report here. */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];
  private errorCount = 0;

  error(path: Path, message: string): void {
    this.errorCount++;
    this.issues.push({ path: formatPath(path), message, severity: "error" });
  }

  warning(path: Path, message: string): void {
    this.issues.push({ path: formatPath(path), message, severity: "warning" });
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  /** Number of errors so far: lets a rule tell whether its own sub-checks failed. */
  get errors(): number {
    return this.errorCount;
  }
}

export function errorsOf(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => i.severity === "error");
}

export function warningsOf(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => i.severity === "warning");
}

/** One line per finding: `PATH: message` (warnings prefixed), used by the CLI and error messages. */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  return `${issue.severity === "warning" ? "warning: " : ""}${where}${issue.message}`;
}
