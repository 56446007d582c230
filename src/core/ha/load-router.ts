// Load samples reach any process; the project's owner decides (docs/ha.md). Samples for projects this process
// owns go to the local loop; the others are forwarded to their owner's address, one call per owner, batched by
// the forwarder. A forwarded call is never forwarded again: if ownership moved meanwhile, the receiver keeps
// the samples (its loop decides only for what it owns), so two processes with different views cannot loop.
import { InvalidArgumentError, NotFoundError, UnavailableError, type FieldViolation } from "../errors.js";
import { sampleViolations } from "../elasticity/samples.js";
import type { LoadSampleInput, LoadTrigger } from "../elasticity/types.js";
import type { GraphRepository } from "../ports/store.js";

export interface LoadSink {
  /** Returns the number of samples accepted. */
  report(samples: LoadSampleInput[], trigger?: LoadTrigger, options?: { forwarded?: boolean }): Promise<number>;
}

/** Sends samples to another member's gRPC address (ReportLoad marked as forwarded). */
export interface LoadForwarder {
  forward(address: string, samples: LoadSampleInput[]): Promise<number>;
}

export interface LoadRouterDeps {
  local: {
    report(samples: LoadSampleInput[], trigger?: LoadTrigger): Promise<number>;
    /** The project of a graph the local loop has loaded (every running graph): no query on the sample's path. */
    projectOf(graph: string): string | undefined;
  };
  ownership: { owns(project: string): boolean; ownerOf(project: string): { holder: string; address: string } | undefined; poke(): void };
  graphs: Pick<GraphRepository, "get">;
  forwarder: LoadForwarder;
}

export class LoadRouter implements LoadSink {
  /** Graph → project; a graph's project never changes while it exists (forget() on removal). */
  readonly #projects = new Map<string, string>();

  constructor(private readonly deps: LoadRouterDeps) {}

  forget(graph: string): void {
    this.#projects.delete(graph);
  }

  async report(samples: LoadSampleInput[], trigger: LoadTrigger = "push", options: { forwarded?: boolean } = {}): Promise<number> {
    if (options.forwarded || trigger !== "push") return this.deps.local.report(samples, trigger);
    // Validated here first, so one caller's bad sample never fails a batch shared with others downstream.
    const violations: FieldViolation[] = [];
    samples.forEach((s, i) => violations.push(...sampleViolations(s, i)));
    if (violations.length) throw new InvalidArgumentError("invalid load samples", violations);
    // Hop3's hottest call: when this process owns every sample's (known) project, straight to the loop, without
    // a wait, a grouping or a Promise.all per call.
    if (samples.every((s) => this.#ownedHere(s.graph))) return this.deps.local.report(samples, trigger);
    const byProject = new Map<string, LoadSampleInput[]>();
    for (const s of samples) {
      const project = await this.#projectOf(s.graph);
      byProject.set(project, [...(byProject.get(project) ?? []), s]);
    }
    const counts = await Promise.all(
      [...byProject].map(([project, batch]) => {
        if (this.deps.ownership.owns(project)) return this.deps.local.report(batch, trigger);
        const owner = this.deps.ownership.ownerOf(project);
        if (!owner) {
          this.deps.ownership.poke();
          throw new UnavailableError(`no process holds project ${project} right now (a takeover is under way); retry`);
        }
        return this.deps.forwarder.forward(owner.address, batch);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** The project of a graph this process already knows, without a query. */
  #knownProject(graph: string): string | undefined {
    return this.#projects.get(graph) ?? this.deps.local.projectOf(graph);
  }

  #ownedHere(graph: string): boolean {
    const project = this.#knownProject(graph);
    return project !== undefined && this.deps.ownership.owns(project);
  }

  async #projectOf(graph: string): Promise<string> {
    const known = this.#knownProject(graph);
    if (known !== undefined) return known;
    const record = await this.deps.graphs.get(graph);
    if (!record) throw new NotFoundError(`graph "${graph}" not found`);
    this.#projects.set(graph, record.project);
    return record.project;
  }
}
