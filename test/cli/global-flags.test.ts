// The CLI like its neighbours (kubectl, helm, grpcurl): global flags before or after the command, `smo help
// COMMAND`, `smo completion bash`, SMO_ADDRESS/SMO_TOKEN still honoured. Against a live server with a token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PassThrough } from "node:stream";
import { main, splitGlobalFlags, type CommandIO } from "../../src/cli/main.js";
import { bashCompletion } from "../../src/cli/commands/completion.js";
import type { Store } from "../../src/core/ports/store.js";
import { openMemoryStore, seedGraph, startTestServer, type TestServer } from "../api/helpers.js";

const execFileAsync = promisify(execFile);
const TOKEN = "global-flags-token";

let store: Store;
let t: TestServer;
let address: string;

beforeAll(async () => {
  store = await openMemoryStore();
  await seedGraph(store, "shop", "retail");
  t = await startTestServer({ store, token: TOKEN });
  address = t.server.grpcAddress!;
});

afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function smo(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const io: CommandIO = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}

const names = (json: string) => (JSON.parse(json) as { graphs: { name: string }[] }).graphs.map((g) => g.name);

describe("global flags", () => {
  it("are accepted before the command, in both spellings", async () => {
    const r = await smo(["--address", address, "--token", TOKEN, "-o", "json", "graph", "list"]);
    expect(r.stderr).toBe("");
    expect(names(r.stdout)).toEqual(["shop"]);
    const inline = await smo([`--address=${address}`, `--token=${TOKEN}`, "-ojson", "graph", "list"]);
    expect(names(inline.stdout)).toEqual(["shop"]);
  });

  it("are still accepted after the subcommand, and may be mixed", async () => {
    const after = await smo(["graph", "list", "--address", address, "--token", TOKEN, "--output", "json"]);
    expect(names(after.stdout)).toEqual(["shop"]);
    const mixed = await smo(["--address", address, "graph", "get", "shop", "-o", "json", "--token", TOKEN]);
    expect(mixed.code).toBe(0);
    expect(JSON.parse(mixed.stdout).graph.name).toBe("shop");
  });

  it("fall back to SMO_ADDRESS and SMO_TOKEN; the flags win over them", async () => {
    const env = await smo(["cluster", "list", "-o", "json"], { SMO_ADDRESS: address, SMO_TOKEN: TOKEN });
    expect(env.code).toBe(0);
    const wrong = await smo(["--token", "wrong", "graph", "list"], { SMO_ADDRESS: address, SMO_TOKEN: TOKEN });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/UNAUTHENTICATED/);
    const missing = await smo(["graph", "list"], { SMO_ADDRESS: address });
    expect(missing.stderr).toMatch(/UNAUTHENTICATED/);
  });

  it("reject an unknown flag before the command and a flag without its value", async () => {
    const unknown = await smo(["--adress", address, "graph", "list"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown global flag "--adress"/);
    expect(splitGlobalFlags(["--address"])).toEqual({ error: "--address needs a value" });
  });

  it("go after the command's own words, before a `--`", () => {
    expect(splitGlobalFlags(["-o", "json", "graph", "list", "-o", "table"])).toEqual({ globals: ["-o", "json"], rest: ["graph", "list", "-o", "table"] });
    expect(splitGlobalFlags(["version"])).toEqual({ globals: [], rest: ["version"] });
  });

  it("never break a command that has no server: `smo -o json version`", async () => {
    const r = await smo(["-o", "json", "version"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty("smo");
  });
});

describe("smo help", () => {
  it("smo help COMMAND prints that command's usage", async () => {
    const graph = await smo(["help", "graph"]);
    expect(graph.code).toBe(0);
    expect(graph.stdout).toMatch(/^usage: smo graph <subcommand>/);
    const hdag = await smo(["help", "hdag"]);
    expect(hdag.stdout).toMatch(/^usage: smo hdag validate/);
  });

  it("smo help COMMAND SUBCOMMAND prints the subcommand's usage", async () => {
    const r = await smo(["help", "graph", "deploy"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: smo graph deploy --project P/);
    expect(r.stdout).toContain("--token TOKEN");
  });

  it("smo help alone lists the commands and global flags; an unknown command fails", async () => {
    const all = await smo(["help"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/completion\s+print a shell completion script/);
    expect(all.stdout).toMatch(/before or after the command/);
    const nope = await smo(["help", "nope"]);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toMatch(/unknown command "nope"/);
  });
});

describe("smo completion bash", () => {
  /** What bash's completion offers for the words typed so far (the last one being completed). */
  async function complete(...typed: string[]): Promise<string[]> {
    const words = ["smo", ...typed].map((w) => `'${w}'`).join(" ");
    const script = `${bashCompletion()}\nCOMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _smo; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await execFileAsync("bash", ["--norc", "--noprofile", "-c", script], { cwd: "/" });
    return stdout.split("\n").filter(Boolean).sort();
  }

  it("completes commands, subcommands, flags and output formats", async () => {
    expect(await complete("gr")).toEqual(["graph"]);
    expect(await complete("--address", "h:1", "cl")).toEqual(["cluster"]);
    expect(await complete("graph", "st")).toEqual(["start", "stop"]);
    expect(await complete("graph", "deploy", "--dr")).toEqual(["--dry-run"]);
    expect(await complete("graph", "list", "--to")).toEqual(["--token"]);
    expect(await complete("-o", "")).toEqual(["json", "table"]);
    expect(await complete("help", "comp")).toEqual(["completion"]);
  });

  it("is printed by the command, and other shells are refused", async () => {
    const r = await smo(["completion", "bash"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("complete -o filenames -F _smo smo");
    const zsh = await smo(["completion", "zsh"]);
    expect(zsh.code).toBe(1);
    expect(zsh.stderr).toMatch(/unsupported shell "zsh"/);
  });
});
