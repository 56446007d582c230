import { parseArgs } from "node:util";
import type { CommandIO } from "../main.js";
import { packageInfo } from "../package-info.js";

const USAGE = "usage: smo version [-o json|text]\n";

export async function run(args: string[], io: CommandIO): Promise<number> {
  let values;
  try {
    // --address and --token are accepted (and unused) so that global flags never break `smo version`.
    ({ values } = parseArgs({
      args,
      options: { output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" }, address: { type: "string" }, token: { type: "string" } },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`smo version: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const { version } = packageInfo();
  if (values.output === "json") {
    io.stdout.write(`${JSON.stringify({ smo: version, node: process.versions.node })}\n`);
  } else {
    io.stdout.write(`smo ${version} (node ${process.versions.node})\n`);
  }
  return 0;
}
