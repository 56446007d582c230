// DeployGraph: validate → cluster inventory → placement → one transaction (graph, services, placement, event,
// outbox) → apply the outbox. Idempotent by descriptor hash.
import { ClusterInventory } from "../clusters/inventory.js";
import { isRfc1123Label } from "../../kernel/ids.js";
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError } from "../errors.js";
import { formatIssue, toInvalidArgument } from "../hdag/index.js";
import type { GraphModel } from "../hdag/model.js";
import type { EventRecord, GraphRecord, PlacementRecord, ServiceRecord } from "../ports/store.js";
import type { PlacementResult } from "../../solver/types.js";
import { toStored } from "./actions.js";
import type { LifecycleCore } from "./core.js";
import { isEventTriggered, planDeploy } from "./plan.js";
import { requireFeasible, solvePlacement, STATIC_STRATEGY, staticPlacement, strategyOf } from "./placement.js";
import type { DeployRequest, DeployResult, GraphView } from "./types.js";
import { graphView } from "./views.js";

/**
 * `allowedPrefixes` (serve's --project-prefix): when non-empty, a project must start with one of them, so Hop3
 * can only use namespaces set aside for it. System namespaces stay refused whatever the list says.
 */
export function validateProject(project: string | undefined, allowedPrefixes: readonly string[] = []): string {
  const p = project ?? "";
  if (!isRfc1123Label(p)) {
    const description =
      "project must be an RFC 1123 label (1-63 lower-case letters, digits or '-', starting and ending with a letter or digit): it is the Kubernetes namespace";
    throw new InvalidArgumentError(`invalid project ${JSON.stringify(p)}`, [{ field: "project", description }]);
  }
  if (RESERVED_NAMESPACE_PREFIXES.some((prefix) => p.startsWith(prefix))) {
    const description = `namespaces starting with ${RESERVED_NAMESPACE_PREFIXES.join(" or ")} belong to Kubernetes and Karmada; smo would create, patch and on removal delete objects there`;
    throw new InvalidArgumentError(`invalid project ${JSON.stringify(p)}: reserved namespace`, [{ field: "project", description }]);
  }
  if (allowedPrefixes.length > 0 && !allowedPrefixes.some((prefix) => p.startsWith(prefix))) {
    const description = `projects must start with ${allowedPrefixes.map((x) => JSON.stringify(x)).join(" or ")} (--project-prefix)`;
    throw new InvalidArgumentError(`invalid project ${JSON.stringify(p)}: outside the allowed namespaces`, [{ field: "project", description }]);
  }
  return p;
}

/** Namespaces of the control planes (kube-system, kube-public, karmada-system, karmada-es-*, …). */
const RESERVED_NAMESPACE_PREFIXES = ["kube-", "karmada-"];

interface Loaded {
  model: GraphModel;
  document: unknown;
  hash: string;
  warnings: string[];
}

async function load(core: LifecycleCore, req: DeployRequest, artifacts: DeployDeps["artifacts"]): Promise<Loaded> {
  const hasText = typeof req.descriptor === "string" && req.descriptor.length > 0;
  const hasRef = typeof req.artifact === "string" && req.artifact.length > 0;
  if (hasText === hasRef) {
    const description = "give exactly one of descriptor (YAML or JSON text) and artifact (oci:// reference)";
    throw new InvalidArgumentError(description, [{ field: hasText ? "artifact" : "descriptor", description }]);
  }
  let text = req.descriptor ?? "";
  if (hasRef) {
    if (!artifacts) throw new FailedPreconditionError("no OCI artifact source is configured: pass the descriptor text instead");
    text = (await artifacts.fetchDescriptor(req.artifact!)).text;
  }
  const loaded = await core.descriptors.load(text, core.hdagOptions ?? {});
  if (!loaded.ok) throw toInvalidArgument(loaded.errors);
  return {
    model: loaded.model,
    document: loaded.document,
    hash: loaded.hash,
    warnings: loaded.warnings.map((w) => formatIssue(w)),
  };
}


export interface DeployDeps {
  artifacts?: { fetchDescriptor(reference: string): Promise<{ text: string }> };
}

export async function deployGraph(core: LifecycleCore, deps: DeployDeps, req: DeployRequest): Promise<DeployResult> {
  const project = validateProject(req.project, core.hdagOptions?.projectPrefixes);
  const loaded = await load(core, req, deps.artifacts);
  // Deploys into one project are serialised (then the graph itself), so two graphs cannot both claim a service
  // name of the namespace at once. The key cannot clash with a graph id (an RFC 1123 label has no '/').
  return core.mutex.run(`project/${project}`, () =>
    core.mutex.run(loaded.model.id, () => deployLocked(core, project, loaded, req.dryRun === true)),
  );
}

/**
 * Workloads, policies and exports are named after the service in the project's namespace, so a service id
 * another graph of the project already uses would overwrite (and on removal delete) that graph's objects.
 */
async function requireServiceNamesFree(core: LifecycleCore, project: string, model: GraphModel): Promise<void> {
  const index = new Map(model.services.map((s, i) => [s.id, i]));
  for (const other of await core.store.graphs.list({ project })) {
    if (other.name === model.id) continue;
    // The stored graph's model is cached by descriptor hash: no query per graph of the project.
    const names = core.modelOf(other).services.map((s) => s.id);
    for (const name of names) {
      const i = index.get(name);
      if (i === undefined) continue;
      throw new AlreadyExistsError(
        `hdaGraph.services[${i}].id: service ${name} already exists in project ${project} (graph ${other.name}); ` +
          "service ids name Kubernetes objects, so they must be unique within a project: rename it or use another project",
      );
    }
  }
}

async function deployLocked(core: LifecycleCore, project: string, loaded: Loaded, dryRun: boolean): Promise<DeployResult> {
  const { model } = loaded;
  const existing = await core.store.graphs.get(model.id);
  if (existing) return existingResult(core, existing, project, loaded, dryRun);
  await requireServiceNamesFree(core, project, model);

  const strategy = strategyOf(model);
  const snapshot = await core.inventory.snapshot({ persist: !dryRun });
  const replicas = Object.fromEntries(model.services.map((s) => [s.id, s.scaling.minReplicas]));
  const input = {
    services: model.services,
    connections: model.connections,
    coLocationGroups: model.coLocationGroups,
    clusters: ClusterInventory.solverView(snapshot.clusters),
    replicas,
    strategy,
  };
  const decision =
    strategy === STATIC_STRATEGY
      ? await staticPlacement(core.solver, input, model.id)
      : await solvePlacement(core.solver, input, "hdaGraph.hdaGraphIntent.placementStrategy");
  requireFeasible(decision, model.id);

  const warnings = [...loaded.warnings];
  const eventServices = model.services.filter(isEventTriggered).map((s) => s.id);
  if (eventServices.length > 0 && !core.rules) {
    warnings.push(`no alert rule sink configured: ${eventServices.join(", ")} wait(s) for an alert posted to /v1/alerts`);
  }
  const graphRecord = newGraphRecord(core, model, project, loaded, strategy, warnings);
  const services = model.services.map((s) => newServiceRecord(model, s.id, decision.placement[s.id] ?? null, replicas[s.id]));

  if (dryRun) {
    const view = graphView(graphRecord, services, placementRecord(core, model.id, decision, 0), 0, undefined, JSON.stringify(graphRecord.descriptor));
    return { graph: view, decision: view.lastDecision, warnings, created: false, dryRun: true };
  }

  const actions = planDeploy(core.planContext(graphRecord, model, services), { type: "deployed", message: `graph deployed in ${project}` });
  let committed: { placement: PlacementRecord; events: EventRecord[] } | "exists";
  try {
    committed = await core.store.transaction(async (tx) => {
      if (await tx.graphs.lock(model.id)) return "exists" as const;
      await tx.graphs.create(graphRecord);
      for (const s of services) await tx.services.upsert(s);
      const placement = await tx.placements.add(placementFields(model.id, decision, snapshot.live ? "deploy" : "deploy (stored inventory)"));
      const placed = await tx.events.append({
        graph: model.id,
        type: "placed",
        service: null,
        message: `${decision.strategy}: ${decision.reason}`,
        details: { placement: decision.placement, objective: decision.objective, strategy: decision.strategy, status: decision.status },
      });
      await tx.outbox.enqueue(model.id, toStored(actions));
      return { placement, events: [placed] };
    });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    committed = "exists"; // another process created it between our read and our insert
  }
  if (committed === "exists") {
    const now = await core.store.graphs.get(model.id);
    if (now) return existingResult(core, now, project, loaded, false);
    throw new AlreadyExistsError(`graph ${model.id} is being created concurrently`);
  }
  await core.afterCommit(model.id, "deploy", committed.events);
  return { graph: await core.view(model.id), decision: committed.placement, warnings, created: true, dryRun: false };
}

async function existingResult(
  core: LifecycleCore,
  existing: GraphRecord,
  project: string,
  loaded: Loaded,
  dryRun: boolean,
): Promise<DeployResult> {
  if (existing.descriptorHash !== loaded.hash) {
    throw new AlreadyExistsError(
      `graph ${existing.name} already exists with a different descriptor: remove it first, or deploy under another hdaGraph.id`,
    );
  }
  if (existing.project !== project) {
    throw new AlreadyExistsError(`graph ${existing.name} already exists in project ${existing.project}`);
  }
  if (existing.status === "removing") {
    throw new FailedPreconditionError(`graph ${existing.name} is being removed; deploy it again once removal completes`);
  }
  const graph: GraphView = await core.view(existing.name);
  return { graph, decision: graph.lastDecision, warnings: existing.warnings, created: false, dryRun };
}

function newGraphRecord(
  core: LifecycleCore,
  model: GraphModel,
  project: string,
  loaded: Loaded,
  strategy: string,
  warnings: string[],
): GraphRecord {
  const now = core.now();
  return {
    name: model.id,
    project,
    status: "deploying",
    version: model.version,
    descriptor: loaded.document,
    descriptorHash: loaded.hash,
    strategy,
    dashboardUrl: null,
    message: null,
    warnings,
    createdAt: now,
    updatedAt: now,
  };
}

function newServiceRecord(model: GraphModel, id: string, cluster: string | null, replicas: number): ServiceRecord {
  const s = model.services.find((x) => x.id === id)!;
  return {
    graph: model.id,
    name: s.id,
    status: isEventTriggered(s) ? "pending" : "not-deployed",
    cluster,
    desiredReplicas: replicas,
    cpu: s.resources.cpu,
    memoryBytes: s.resources.memoryBytes,
    storageBytes: s.resources.storageBytes,
    gpu: s.resources.gpu,
    artifact: s.artifact.container?.image ?? s.artifact.ociImage,
    eventTriggered: isEventTriggered(s),
    minReplicas: s.scaling.minReplicas,
    maxReplicas: s.scaling.maxReplicas,
    dashboardUrl: null,
    spec: s,
  };
}

export function placementFields(graph: string, decision: PlacementResult, trigger: string): Omit<PlacementRecord, "id" | "createdAt"> {
  return {
    graph,
    strategy: decision.strategy,
    status: decision.status,
    placement: decision.placement,
    objective: decision.objective,
    reason: decision.reason,
    solveMs: decision.solveMs,
    details: {
      backend: decision.backend,
      gap: decision.gap,
      cost: decision.cost,
      moved: decision.moved,
      weights: decision.weights,
      trigger,
    },
  };
}

function placementRecord(core: LifecycleCore, graph: string, decision: PlacementResult, id: number): PlacementRecord {
  return { ...placementFields(graph, decision, "dry-run"), id, createdAt: core.now() };
}
