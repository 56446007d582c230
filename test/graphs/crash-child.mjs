// Child process of the crash-safety test: runs one lifecycle mutation against the compiled smo (dist/) and
// SIGKILLs itself at the point named by its argument, through the lifecycle's test hooks (no global).
//   node crash-child.mjs '{"db":"…","kubeconfig":"…","op":"deploy","project":"p","descriptor":"…","kill":{"afterActions":3}}'
// kill: "after-commit" (right after the transaction committed, before any Karmada call) or {afterActions: n}.
import pino from "pino";
import { createKarmadaClient, createManifestDeployer, createPrometheusRuleSink } from "../../dist/src/adapters/karmada/index.js";
import { openStore } from "../../dist/src/adapters/store/index.js";
import { GraphLifecycle } from "../../dist/src/core/graphs/index.js";
import { createSolver } from "../../dist/src/solver/index.js";

const args = JSON.parse(process.argv[2]);
const logger = pino({ level: "silent" });
const die = () => process.kill(process.pid, "SIGKILL");

const store = await openStore(args.db, { logger });
const client = createKarmadaClient({ kubeconfig: args.kubeconfig, logger, timeoutMs: 3000, retry: { attempts: 3, baseMs: 10, maxMs: 50 } });
const lifecycle = new GraphLifecycle({
  store,
  karmada: client,
  deployer: createManifestDeployer(client),
  solver: createSolver({ workers: 0 }),
  rules: createPrometheusRuleSink(client),
  logger,
  hooks: {
    afterCommit: () => {
      if (args.kill === "after-commit") die();
    },
    afterAction: (_graph, _kind, applied) => {
      if (typeof args.kill === "object" && applied >= args.kill.afterActions) die();
    },
  },
});

process.stdout.write("ready\n");
if (args.op === "deploy") await lifecycle.deploy({ project: args.project, descriptor: args.descriptor });
else if (args.op === "remove") await lifecycle.remove(args.graph);
else if (args.op === "stop") await lifecycle.stop(args.graph);
// Reaching this line means the kill point was never hit: the parent reports it.
process.stdout.write("finished without being killed\n");
process.exit(3);
