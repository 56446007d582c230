// What the benches drive: "smo" with a way to put graphs under management, push load, and read the decision
// stream. Implemented in-process (controller + real adapters) and over gRPC against a `smo serve` child.
import type { SeedGraph } from "./seed.js";

export interface DecisionView {
  id: number;
  graph: string;
  service: string;
  previousReplicas: number;
  replicas: number;
  trigger: string;
  status: string;
  observedAt: number;
  receivedAt: number;
  decidedAt: number;
  actuatedAt: number | null;
  readyAt: number | null;
}

/** Pulled load as the bench configures it; unset fields take smo's defaults (they follow the scrape interval). */
export interface PulledOptions {
  url: string;
  scrapeIntervalMs: number;
  job?: string;
  template?: string;
  window?: string;
  /** Poll period; unset = one poll per scrape, aligned to it. */
  intervalMs?: number;
}

export interface Sample {
  graph: string;
  service: string;
  rps: number;
  observedAt: Date;
}

export interface SmoTarget {
  /** How smo runs, for the report. */
  readonly description: string;
  /** The process to measure (CPU, RSS). */
  readonly pid: number;
  /** waitReady false: return once the objects are applied and the loop manages the graph (pods start later). */
  deployGraph(graph: SeedGraph, options?: { waitReady?: boolean }): Promise<void>;
  report(samples: Sample[]): Promise<void>;
  /** Every decision (and its second delivery once ready) as it is streamed. */
  onDecision(listener: (d: DecisionView) => void): void;
  close(): Promise<void>;
}
