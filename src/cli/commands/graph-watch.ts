// `smo graph watch NAME`: one line per event of the graph (or JSON lines with -o json), from the first event
// or after --after ID, until the graph is removed, --timeout passes, or Ctrl-C (all exit 0).
import { toJsonString } from "@bufbuild/protobuf";
import { parseOutputFormat } from "../output.js";
import { GraphService } from "../../gen/smo/v1/graph_pb.js";
import { GraphEventSchema } from "../../gen/smo/v1/types_pb.js";
import { CLIENT_FLAGS_USAGE, UsageError, withClient, type Subcommand } from "./client-command.js";
import { eventLine } from "./graph-format.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `5m`, `1h`, or a plain number of seconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag}: expected a duration such as 30s, 5m or 500ms, got "${text}"`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? "s"]!);
}

function parseAfter(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  if (!/^\d+$/.test(text)) throw new UsageError(`--after: expected an event id (a non-negative integer), got "${text}"`);
  return BigInt(text);
}

export const watch: Subcommand = {
  summary: "stream the events of a graph (resumable with --after ID)",
  usage: `usage: smo graph watch NAME [--after ID] [--timeout 30s|5m|…] ${CLIENT_FLAGS_USAGE}\n`,
  run: (args, io) => {
    let after = 0n;
    let timeoutMs: number | undefined;
    return withClient(
      "graph",
      args,
      io,
      watch,
      {
        options: { after: { type: "string" }, timeout: { type: "string" } },
        positionals: 1,
        check: ({ values }) => {
          after = parseAfter(values.after as string | undefined);
          if (values.timeout !== undefined) timeoutMs = parseDuration("timeout", values.timeout as string);
        },
      },
      async (client, { values, positionals }) => {
        const json = parseOutputFormat(values.output as string | undefined) === "json";
        const stop = new AbortController();
        const interrupt = () => stop.abort();
        const timer = timeoutMs === undefined ? undefined : setTimeout(interrupt, timeoutMs);
        // Ctrl-C (or a TERM) ends the watch like the end of the stream: exit 0, nothing on stderr.
        process.once("SIGINT", interrupt);
        process.once("SIGTERM", interrupt);
        try {
          for await (const { event } of client.serverStream(GraphService.method.watchGraph, { name: positionals[0]!, afterEventId: after }, stop.signal)) {
            if (!event) continue;
            io.stdout.write(json ? `${toJsonString(GraphEventSchema, event)}\n` : eventLine(event));
          }
        } catch (err) {
          if (!stop.signal.aborted) throw err;
        } finally {
          clearTimeout(timer);
          process.off("SIGINT", interrupt);
          process.off("SIGTERM", interrupt);
        }
      },
    );
  },
};
