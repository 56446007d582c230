// `smo` entry point: dispatches to one module per command so that each command stays small and
// loading `smo version` does not pull in the server or the solver.
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Every command module exports `run(args, io)` and resolves to the process exit code. */
export type CommandModule = { run(args: string[], io: CommandIO): Promise<number> };

export const commands: Readonly<Record<string, { module: string; summary: string }>> = {
  serve: { module: "./commands/serve.js", summary: "run the sidecar (gRPC, Connect, metrics)" },
  graph: { module: "./commands/graph.js", summary: "deploy, list, get, start, stop, remove, replace, watch graphs" },
  cluster: { module: "./commands/cluster.js", summary: "list and sync member clusters, set profiles" },
  hdag: { module: "./commands/hdag.js", summary: "validate or translate HDAG descriptors offline" },
  place: { module: "./commands/place.js", summary: "solve a placement problem from a JSON file" },
  scale: { module: "./commands/scale.js", summary: "solve a replica problem from a JSON file" },
  sim: { module: "./commands/sim.js", summary: "run the simulated Karmada federation" },
  artifact: { module: "./commands/artifact.js", summary: "push or pull HDAG artifacts (OCI)" },
  completion: { module: "./commands/completion.js", summary: "print a shell completion script (bash)" },
  version: { module: "./commands/version.js", summary: "print the version" },
};

/** Flags that may come before the command (`smo --address H:P graph list`); the value is the next word. */
export const GLOBAL_FLAGS: readonly string[] = ["--address", "--token", "-o", "--output"];

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: smo [--address HOST:PORT|unix:///PATH] [--token TOKEN] [-o json|table] <command> [options]

commands:
${lines.join("\n")}
  help       smo help COMMAND [SUBCOMMAND] shows its usage

Global flags may come before or after the command. The address comes from --address, else SMO_ADDRESS,
else 127.0.0.1:50051; the token from --token, else SMO_TOKEN (prefer the variable: argv is visible to ps).
`;
}

/**
 * Splits the global flags written before the command from the rest. They are handed to the command after its
 * own words, so `smo --address A graph list` means exactly `smo graph list --address A`.
 */
export function splitGlobalFlags(argv: string[]): { globals: string[]; rest: string[] } | { error: string } {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith("-") || word === "-" || word === "-h" || word === "--help") break;
    const name = word.startsWith("--") ? word.split("=", 1)[0]! : word.slice(0, 2);
    if (!GLOBAL_FLAGS.includes(name)) return { error: `unknown global flag "${word}" (global flags: ${GLOBAL_FLAGS.join(", ")})` };
    const inline = word.startsWith("--") ? word.includes("=") : word.length > 2; // --address=H:P, -ojson
    if (inline) {
      globals.push(word);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) return { error: `${word} needs a value` };
    globals.push(word, value);
    i++;
  }
  return { globals, rest: argv.slice(i) };
}

/** The command's words followed by the global flags (before a `--` that ends the options, if any). */
function withGlobals(args: string[], globals: string[]): string[] {
  const end = args.indexOf("--");
  return end < 0 ? [...args, ...globals] : [...args.slice(0, end), ...globals, ...args.slice(end)];
}

function lookup(name: string) {
  return Object.hasOwn(commands, name) ? commands[name] : undefined;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const split = splitGlobalFlags(argv);
  if ("error" in split) {
    io.stderr.write(`smo: ${split.error}\n${usage()}`);
    return 1;
  }
  const [name, ...rest] = split.rest;
  if (!name || name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    io.stdout.write(usage());
    return name ? 0 : 1;
  }
  // `smo help graph list` is `smo graph list --help`.
  const [commandName, args] = name === "help" ? [rest[0]!, [...rest.slice(1), "--help"]] : [name, rest];
  const entry = lookup(commandName);
  if (!entry) {
    io.stderr.write(`smo: unknown command "${commandName}"\n${usage()}`);
    return 1;
  }
  const mod = (await import(entry.module)) as CommandModule;
  return mod.run(withGlobals(args, split.globals), io);
}
