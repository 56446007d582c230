// What the in-memory read model costs in memory: N graphs of two services (a real descriptor, its translated
// service specs, a placement and the events a deploy and a few scale decisions leave) are written to a throw-away
// PostgreSQL schema; a child process (--expose-gc, so every figure is taken after a full collection) measures RSS
// and heap before the read model loads, after it loaded, and after every graph was answered once over the gRPC
// path (GetGraph bytes of each, ListGraphs bytes in pages of 100) and once more, so the answer caches are full.
// Goal (docs/lifecycle.md#read-model): 10,000 graphs add at most 200 MiB RSS.
//   npm run bench:read-model -- --graphs 1000,10000
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { openStore } from "../../src/adapters/store/index.js";
import { GraphReadModel } from "../../src/core/graphs/read-model.js";
import { loadDescriptor, canonicalDescriptorHash } from "../../src/core/hdag/index.js";
import type { Store } from "../../src/core/ports/store.js";
import { getGraphAnswer, listGraphsAnswer } from "../../src/api/graph-answers.js";
import { encodeMessage } from "../../src/api/wire-cache.js";
import { GetGraphResponseSchema, ListGraphsResponseSchema } from "../../src/gen/smo/v1/graph_pb.js";
import { benchSchema } from "../elasticity/postgres.js";
import { table } from "../elasticity/stats.js";

const { values: args } = parseArgs({
  options: {
    graphs: { type: "string", default: "1000,10000" },
    child: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

const logger = pino({ level: "warn" });

const DESCRIPTOR = `hdaGraph:
  imVersion: 0.4.0
  id: GRAPH
  version: "1.4.0"
  designer: smo bench
  description: Shopping cart kept next to its session cache.
  hdaGraphIntent:
    useStaticPlacement: false
    placementStrategy: optimal
    security: { enabled: false }
    highAvailability: { enabled: false }
    highPerformance: { enabled: true }
    energyEfficiency: { enabled: false }
  services:
    - id: cart
      deployment:
        trigger: { auto: { dependencies: ["session-cache"] } }
        intent:
          network:
            deviceProximity: { enabled: false }
            latencies: [{ connectionPoint: "session-cache", qos: "ultralow" }]
          compute: { cpu: "small", ram: "small", storage: "small", gpu: { enabled: false } }
          scaling: { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 12 }
          coLocation: [{ id: session-cache }]
          connectionPoints: ["session-cache"]
          metrics: []
      artifact:
        ociImage: "oci://registry.example.org/shop/cart"
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
    - id: session-cache
      deployment:
        trigger: { auto: { dependencies: [] } }
        intent:
          network:
            deviceProximity: { enabled: false }
            latencies: []
          compute: { cpu: "light", ram: "medium", storage: "small", gpu: { enabled: false } }
          connectionPoints: []
          metrics: []
      artifact:
        ociImage: "oci://registry.example.org/shop/session-cache"
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
`;

const CLUSTERS = ["member1", "member2", "member3", "member4"];

async function seedOne(store: Store, i: number): Promise<void> {
  const name = `shop-${String(i).padStart(6, "0")}`;
  const loaded = loadDescriptor(DESCRIPTOR.replace("GRAPH", name));
  if (!loaded.ok) throw new Error(`bench descriptor invalid: ${JSON.stringify(loaded.errors)}`);
  const project = `p-${name}`;
  await store.graphs.create({
    name,
    project,
    status: "running",
    version: "1.4.0",
    descriptor: loaded.document,
    descriptorHash: canonicalDescriptorHash(loaded.document),
    strategy: "optimal",
    dashboardUrl: `http://grafana.example.org/d/${name}`,
    message: null,
    warnings: [],
  });
  const cluster = CLUSTERS[i % CLUSTERS.length]!;
  for (const s of loaded.model.services) {
    await store.services.upsert({
      graph: name,
      name: s.id,
      status: "deployed",
      cluster,
      desiredReplicas: 1 + (i % 5),
      cpu: s.resources.cpu,
      memoryBytes: s.resources.memoryBytes,
      storageBytes: s.resources.storageBytes,
      gpu: s.resources.gpu,
      artifact: s.artifact.ociImage,
      eventTriggered: false,
      minReplicas: s.scaling.minReplicas,
      maxReplicas: s.scaling.maxReplicas,
      dashboardUrl: null,
      spec: s,
    });
  }
  const placement = Object.fromEntries(loaded.model.services.map((s) => [s.id, cluster]));
  await store.placements.add({
    graph: name,
    strategy: "optimal",
    status: "optimal",
    placement,
    objective: 1.25,
    reason: "optimal",
    solveMs: 3,
    details: { moved: [], backend: "glpk", gap: 0, costs: { migration: 0, energy: 0.5, resource: 0.75 } },
  });
  // What a deploy and a few scale decisions leave: more than the read model's tail of 16 per graph.
  const events = [
    { type: "deployed" as const, service: null, message: "graph stored", details: { version: "1.4.0" } },
    { type: "placed" as const, service: null, message: "placed by optimal", details: { placement } },
    ...Array.from({ length: 18 }, (_, k) => ({
      type: "scaled" as const,
      service: "cart",
      message: `cart scaled ${k + 1} → ${k + 2} replicas`,
      details: { decision: k + 1, previous: k + 1, replicas: k + 2, rate: 10 * (k + 1) },
    })),
  ];
  await store.events.appendMany(events.map((e) => ({ graph: name, ...e })));
}

export async function seed(store: Store, graphs: number): Promise<void> {
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    for (let i = next++; i < graphs; i = next++) {
      await seedOne(store, i);
      if ((i + 1) % 1000 === 0) process.stderr.write(`  seeded ${i + 1}/${graphs} graphs (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

interface Usage {
  rssMiB: number;
  heapMiB: number;
  externalMiB: number;
}

async function usage(): Promise<Usage> {
  // Two collections and a pause, so what the process keeps is measured, not what it has yet to return.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 500));
  gc?.();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20, externalMiB: m.external / 2 ** 20 };
}

export interface MemoryFigures {
  graphs: number;
  loadMs: number;
  before: Usage;
  loaded: Usage;
  answered: Usage;
  getGraphBytes: number;
}

/** In the child: open the store, load the read model and answer every graph, measuring after each step. */
async function measure(url: string): Promise<MemoryFigures> {
  const store = await openStore(url, { logger });
  const model = new GraphReadModel({
    store,
    serviceOrder: (g) => ((g.descriptor as { hdaGraph?: { services?: { id: string }[] } }).hdaGraph?.services ?? []).map((s) => s.id),
    logger,
  });
  const before = await usage();
  const t0 = performance.now();
  await model.load();
  const loadMs = performance.now() - t0;
  const loaded = await usage();
  let getGraphBytes = 0;
  for (let round = 0; round < 2; round++) {
    for (const name of model.names()) getGraphBytes = encodeMessage(GetGraphResponseSchema, getGraphAnswer(model.get(name)!)).length;
    const all = model.list();
    for (let i = 0; i < all.length; i += 100) encodeMessage(ListGraphsResponseSchema, listGraphsAnswer(all.slice(i, i + 100)));
  }
  const answered = await usage();
  await store.close();
  return { graphs: model.size, loadMs, before, loaded, answered, getGraphBytes };
}

function runChild(url: string): Promise<MemoryFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", url], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as MemoryFigures) : reject(new Error(`measuring child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  if (args.child) {
    process.stdout.write(JSON.stringify(await measure(args.child)));
    return;
  }
  const sizes = args.graphs.split(",").map(Number);
  const rows: MemoryFigures[] = [];
  for (const graphs of sizes) {
    const schema = await benchSchema();
    if (!schema) throw new Error("PostgreSQL does not answer (SMO_BENCH_PG_URL)");
    try {
      const store = await openStore(schema.url, { logger });
      try {
        process.stderr.write(`seeding ${graphs} graphs of 2 services\n`);
        await seed(store, graphs);
      } finally {
        await store.close();
      }
      rows.push(await runChild(schema.url));
    } finally {
      await schema.drop();
    }
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const mib = (n: number) => n.toFixed(1);
  process.stdout.write(
    table(
      ["graphs", "load ms", "RSS MiB before", "+ loaded", "+ answered (caches full)", "heap + buffers, answered", "GetGraph bytes"],
      rows.map((r) => [
        String(r.graphs),
        r.loadMs.toFixed(0),
        mib(r.before.rssMiB),
        `+${mib(r.loaded.rssMiB - r.before.rssMiB)}`,
        `+${mib(r.answered.rssMiB - r.before.rssMiB)}`,
        `+${mib(r.answered.heapMiB + r.answered.externalMiB - r.before.heapMiB - r.before.externalMiB)}`,
        String(r.getGraphBytes),
      ]),
    ) + "\n",
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
