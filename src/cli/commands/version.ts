import type { CommandIO } from "../main.js";
import { packageInfo } from "../package-info.js";

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { version } = packageInfo();
  if (args.includes("-o") && args[args.indexOf("-o") + 1] === "json") {
    io.stdout.write(`${JSON.stringify({ smo: version, node: process.versions.node })}\n`);
  } else {
    io.stdout.write(`smo ${version} (node ${process.versions.node})\n`);
  }
  return 0;
}
