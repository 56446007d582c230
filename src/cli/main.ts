// `smo` entry point: dispatches to one module per command so that each command stays small and
// loading `smo version` does not pull in the server or the solver.
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Every command module exports `run(args, io)` and resolves to the process exit code. */
export type CommandModule = { run(args: string[], io: CommandIO): Promise<number> };

const commands: Record<string, { module: string; summary: string }> = {
  serve: { module: "./commands/serve.js", summary: "run the sidecar (gRPC, Connect, metrics)" },
  graph: { module: "./commands/graph.js", summary: "deploy, list, get, start, stop, remove, replace, watch graphs" },
  cluster: { module: "./commands/cluster.js", summary: "list and sync member clusters, set profiles" },
  hdag: { module: "./commands/hdag.js", summary: "validate or translate HDAG descriptors offline" },
  place: { module: "./commands/place.js", summary: "solve a placement problem from a JSON file" },
  scale: { module: "./commands/scale.js", summary: "solve a replica problem from a JSON file" },
  sim: { module: "./commands/sim.js", summary: "run the simulated Karmada federation" },
  artifact: { module: "./commands/artifact.js", summary: "push or pull HDAG artifacts (OCI)" },
  version: { module: "./commands/version.js", summary: "print the version" },
};

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: smo <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(usage());
    return name ? 0 : 1;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.stderr.write(`smo: unknown command "${name}"\n${usage()}`);
    return 1;
  }
  const mod = (await import(entry.module)) as CommandModule;
  return mod.run(rest, io);
}
