// What every client command (`smo graph …`, `smo cluster …`) shares: a table of subcommands, the common flags,
// and the run-one-call-and-report skeleton (exit 0, or 1 with `gRPC status NAME: message` on stderr).
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CommandIO } from "../main.js";
import { SmoClient, clientOptionsFrom, describeError } from "../client.js";
import { parseOutputFormat } from "../output.js";

export interface Subcommand {
  summary: string;
  usage: string;
  run(args: string[], io: CommandIO): Promise<number>;
}

/** Flags every client subcommand accepts (also before the command: see GLOBAL_FLAGS in main.ts). */
export const CLIENT_FLAGS = {
  address: { type: "string" },
  token: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** How usages show the client flags. */
export const CLIENT_FLAGS_USAGE = "[-o json|table] [--address HOST:PORT|unix:///PATH] [--token TOKEN]";

export interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
}

/** A usage error found after parsing (bad flag value): reported like a parse error, before connecting. */
export class UsageError extends Error {}

/**
 * Parses `args`, connects, runs `body`, and turns any failure into exit code 1 with the status on stderr.
 * `check` validates the parsed flags before a connection is made (throw UsageError or Error).
 */
export async function withClient(
  command: string,
  args: string[],
  io: CommandIO,
  sub: Pick<Subcommand, "usage">,
  config: { options?: ParseArgsConfig["options"]; positionals?: number; check?(parsed: Parsed): void },
  body: (client: SmoClient, parsed: Parsed) => Promise<void>,
): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options: { ...CLIENT_FLAGS, ...config.options }, allowPositionals: true, strict: true }) as Parsed;
    if (parsed.values.help) {
      io.stdout.write(sub.usage);
      return 0;
    }
    if (parsed.positionals.length !== (config.positionals ?? 0)) throw new Error(`wrong number of arguments\n${sub.usage}`);
    parseOutputFormat(parsed.values.output as string | undefined);
    config.check?.(parsed);
  } catch (err) {
    io.stderr.write(`smo ${command}: ${(err as Error).message}\n`);
    return 1;
  }
  const client = new SmoClient(clientOptionsFrom({ address: parsed.values.address as string | undefined, token: parsed.values.token as string | undefined }, io.env));
  try {
    await body(client, parsed);
    return 0;
  } catch (err) {
    io.stderr.write(`${describeError(err)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

export function usageOf(command: string, subcommands: Record<string, Subcommand>): string {
  const lines = Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`);
  return `usage: smo ${command} <subcommand> [options]\n\nsubcommands:\n${lines.join("\n")}\n\nGlobal flags (--address, --token, -o) may also come before the command. The server address comes from\n--address, else SMO_ADDRESS, else 127.0.0.1:50051; the token from --token, else SMO_TOKEN.\n`;
}

/** `smo <command> <subcommand> …`: help without a subcommand (exit 1), usage error for an unknown one. */
export function dispatch(command: string, subcommands: Record<string, Subcommand>, args: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(usageOf(command, subcommands));
    return Promise.resolve(name ? 0 : 1);
  }
  const sub = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!sub) {
    io.stderr.write(`smo ${command}: unknown subcommand "${name}"\n${usageOf(command, subcommands)}`);
    return Promise.resolve(1);
  }
  return sub.run(rest, io);
}

/** A number flag: finite, and ≥ 0 unless `negative`. */
export function numberFlag(name: string, value: unknown, options: { integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (String(value).trim() === "" || !Number.isFinite(n) || n < 0 || (options.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name}: expected a ${options.integer ? "non-negative integer" : "number ≥ 0"}, got "${String(value)}"`);
  }
  return n;
}
