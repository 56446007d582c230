// Collects field violations with their paths (services[2].cpu) so one bad request reports every problem at once.
import { InvalidArgumentError, type FieldViolation } from "../../kernel/errors.js";

export interface NumberRule {
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  integer?: boolean;
}

export class Violations {
  readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  /** A required finite number within the rule; undefined (and a violation) otherwise. */
  number(field: string, value: unknown, rule: NumberRule = {}): number | undefined {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.add(field, value === undefined ? "is required" : "must be a finite number");
      return undefined;
    }
    if (rule.integer && !Number.isInteger(value)) return this.fail(field, "must be an integer");
    if (rule.min !== undefined && value < rule.min) return this.fail(field, `must be ≥ ${rule.min}`);
    if (rule.above !== undefined && value <= rule.above) return this.fail(field, `must be > ${rule.above}`);
    if (rule.max !== undefined && value > rule.max) return this.fail(field, `must be ≤ ${rule.max}`);
    return value;
  }

  /** Like number() but absent (undefined or null) gives the fallback. */
  optionalNumber(field: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
    if (value === undefined || value === null) return fallback;
    return this.number(field, value, rule) ?? fallback;
  }

  /** A required non-empty string. */
  name(field: string, value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "") {
      this.add(field, value === undefined ? "is required" : "must be a non-empty string");
      return undefined;
    }
    return value;
  }

  array(field: string, value: unknown, required: boolean): unknown[] {
    if (value === undefined || value === null) {
      if (required) this.add(field, "is required");
      return [];
    }
    if (!Array.isArray(value)) {
      this.add(field, "must be an array");
      return [];
    }
    return value;
  }

  object(field: string, value: unknown): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) {
      this.add(field, "must be an object");
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  /** A required object; undefined (and one violation) otherwise. */
  requiredObject(field: string, value: unknown): Record<string, unknown> | undefined {
    if (value === undefined || value === null) {
      this.add(field, "is required");
      return undefined;
    }
    return this.object(field, value);
  }

  throwIfAny(what: string): void {
    if (this.list.length === 0) return;
    throw InvalidArgumentError.fromViolations(what, this.list);
  }

  private fail(field: string, description: string): undefined {
    this.add(field, description);
    return undefined;
  }
}
