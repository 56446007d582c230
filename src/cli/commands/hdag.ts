// `smo hdag validate FILE... [-o text|json]` and `smo hdag translate FILE`: offline checks of HDAG
// descriptors with the same rules DeployGraph applies. This module does the file I/O; core/hdag does none.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatIssue, loadDescriptor, type LoadOptions, type LoadResult, type ValidationIssue } from "../../core/hdag/index.js";
import type { CommandIO } from "../main.js";

const USAGE = `usage: smo hdag validate FILE... [-o text|json] [--placement-strategies a,b,...]
       smo hdag translate FILE [--placement-strategies a,b,...]

validate  prints "FILE: PATH: message" for each error and "FILE: warning: PATH: message" for each
          warning, then one summary line per file; exits 0 when every file is valid, 1 otherwise.
translate prints the translated model as JSON (warnings and errors on stderr).
`;

const OPTIONS = {
  output: { type: "string", short: "o", default: "text" },
  "placement-strategies": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function run(args: string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "help" || sub === "--help" || sub === "-h") {
    io.stdout.write(USAGE);
    return 0;
  }
  if (sub !== "validate" && sub !== "translate") {
    io.stderr.write(sub ? `smo hdag: unknown subcommand "${sub}"\n${USAGE}` : USAGE);
    return 1;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`smo hdag ${sub}: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const output = values.output;
  if (output !== "text" && output !== "json") {
    io.stderr.write(`smo hdag ${sub}: -o must be text or json, found "${output}"\n`);
    return 1;
  }
  const opts: LoadOptions = {};
  const strategies = values["placement-strategies"];
  if (strategies !== undefined) opts.placementStrategies = strategies.split(",").map((s) => s.trim()).filter(Boolean);

  const wanted = sub === "validate" ? positionals.length > 0 : positionals.length === 1;
  if (!wanted) {
    io.stderr.write(`smo hdag ${sub}: expected ${sub === "validate" ? "at least one FILE" : "exactly one FILE"}\n${USAGE}`);
    return 1;
  }
  return sub === "validate" ? validateFiles(positionals, output, opts, io) : translateFile(positionals[0]!, opts, io);
}

interface FileReport {
  file: string;
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

async function loadFile(file: string, opts: LoadOptions): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    return { ok: false, errors: [{ path: "", message: `cannot read the file (${reason})`, severity: "error" }], warnings: [] };
  }
  return loadDescriptor(text, opts);
}

async function validateFiles(files: string[], output: "text" | "json", opts: LoadOptions, io: CommandIO): Promise<number> {
  const reports: FileReport[] = [];
  for (const file of files) {
    const result = await loadFile(file, opts);
    reports.push({ file, valid: result.ok, errors: result.ok ? [] : result.errors, warnings: result.warnings });
  }
  const allValid = reports.every((r) => r.valid);
  if (output === "json") {
    io.stdout.write(`${JSON.stringify({ valid: allValid, files: reports }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      for (const issue of [...r.errors, ...r.warnings]) io.stdout.write(`${r.file}: ${formatIssue(issue)}\n`);
      io.stdout.write(`${r.file}: ${r.valid ? "valid" : "invalid"} (${counts(r)})\n`);
    }
  }
  return allValid ? 0 : 1;
}

async function translateFile(file: string, opts: LoadOptions, io: CommandIO): Promise<number> {
  const result = await loadFile(file, opts);
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  for (const issue of issues) io.stderr.write(`${file}: ${formatIssue(issue)}\n`);
  if (!result.ok) return 1;
  io.stdout.write(`${JSON.stringify(result.model, null, 2)}\n`);
  return 0;
}

function counts(r: FileReport): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return r.valid ? plural(r.warnings.length, "warning") : `${plural(r.errors.length, "error")}, ${plural(r.warnings.length, "warning")}`;
}
