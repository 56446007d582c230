// Child-process entry: smo's elasticity core (startInProcessSmo) in its own process, driven over Node IPC by
// the benches, so the CPU and memory measured are smo's alone (not the load generator's).
import type { SeedGraph } from "./seed.js";
import { startInProcessSmo, type InProcessOptions } from "./smo-inprocess.js";
import type { DecisionView, Sample } from "./target.js";

type Request =
  | { id: number; op: "deploy"; graphs: SeedGraph[]; concurrency: number; waitReady?: boolean }
  | { id: number; op: "report"; samples: (Omit<Sample, "observedAt"> & { observedAt: number })[] }
  | { id: number; op: "usage" }
  | { id: number; op: "close" };

const send = (msg: unknown) => process.send!(msg);

async function main(): Promise<void> {
  // Exit (not die) on SIGTERM, so a --cpu-prof profile is still written when the parent stops a slow close.
  process.once("SIGTERM", () => process.exit(143));
  const opts = JSON.parse(process.env.SMO_CHILD_OPTIONS ?? "{}") as InProcessOptions;
  const smo = await startInProcessSmo(opts);
  smo.onDecision((d: DecisionView) => send({ event: "decision", d }));
  process.on("message", (raw) => {
    const req = raw as Request;
    void handle(req).then(
      (result) => send({ id: req.id, ok: true, result }),
      (err: unknown) => send({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  async function handle(req: Request): Promise<unknown> {
    switch (req.op) {
      case "deploy": {
        // An index, not shift(): shifting a 10,000-graph queue copies it once per graph.
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.max(1, req.concurrency) }, async () => {
            for (let g = req.graphs[next++]; g; g = req.graphs[next++]) await smo.deployGraph(g, { waitReady: req.waitReady });
          }),
        );
        return req.graphs.length;
      }
      case "report":
        await smo.report(req.samples.map((s) => ({ ...s, observedAt: new Date(s.observedAt) })));
        return req.samples.length;
      case "usage": {
        const cpu = process.cpuUsage();
        return { userMicros: cpu.user, systemMicros: cpu.system, rss: process.memoryUsage().rss, at: Date.now() };
      }
      case "close":
        await smo.close();
        setImmediate(() => process.exit(0));
        return true;
    }
  }
  send({ event: "ready", description: smo.description.replace("in-process", "child process") });
}

main().catch((err: unknown) => {
  process.stderr.write(`smo child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
