// Validation of pushed load samples, with the field paths of the contract (smo.v1.LoadSample).
import type { FieldViolation } from "../errors.js";
import type { LoadSampleInput } from "./types.js";

export function sampleViolations(s: LoadSampleInput, i: number): FieldViolation[] {
  const out: FieldViolation[] = [];
  const at = (field: string, description: string) => out.push({ field: `samples[${i}].${field}`, description });
  if (typeof s.graph !== "string" || s.graph.length === 0) at("graph", "required: the graph's name");
  if (typeof s.service !== "string" || s.service.length === 0) at("service", "required: the service's name");
  if (typeof s.requestsPerSecond !== "number" || !Number.isFinite(s.requestsPerSecond) || s.requestsPerSecond < 0) {
    at("requests_per_second", `must be a finite rate ≥ 0, got ${s.requestsPerSecond}`);
  }
  if (s.observedAt !== undefined && !(s.observedAt instanceof Date && Number.isFinite(s.observedAt.getTime()))) {
    at("observed_at", "must be a valid timestamp");
  }
  if (s.source !== undefined && (typeof s.source !== "string" || s.source.length > 128 || /[\u0000-\u001f\u007f]/.test(s.source))) {
    at("source", "must be at most 128 characters without control characters");
  }
  return out;
}
