// `smo sim` in a child process (the simulated Karmada federation the benches drive), from the compiled CLI.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export { repoRoot } from "../results.js";
import { repoRoot } from "../results.js";

export function cliPath(): string {
  const bin = join(repoRoot(), "dist/src/cli/bin.js");
  if (!existsSync(bin)) throw new Error(`${bin} is missing; build first: npx tsc -p tsconfig.json`);
  return bin;
}

export interface SimProcess {
  url: string;
  kubeconfig: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

export async function startSimProcess(opts: { dir: string; clusters: number; clusterCpu: number; podStartMs: number; podModel?: "pods" | "counts" }): Promise<SimProcess> {
  const kubeconfig = join(opts.dir, "sim.kubeconfig");
  const child = spawn(
    process.execPath,
    [
      // SMO_BENCH_CPU_PROF=<dir>: a V8 CPU profile of the simulator too.
      ...(process.env.SMO_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SMO_BENCH_CPU_PROF}`] : []),
      cliPath(),
      "sim",
      `--clusters=${opts.clusters}`,
      `--cluster-cpu=${opts.clusterCpu}`,
      "--cluster-memory=1Ti",
      `--pod-start-ms=${opts.podStartMs}`,
      `--pod-model=${opts.podModel ?? "pods"}`,
      `--kubeconfig-out=${kubeconfig}`,
      "--log-level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stderr!.on("data", (c: Buffer) => {
    out = (out + c.toString()).slice(-8000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`smo sim did not start:\n${out}`)), 30_000);
    child.stdout!.on("data", (c: Buffer) => {
      text += c.toString();
      const m = /simulated Karmada API server: (\S+)/.exec(text);
      if (m && text.includes("kubeconfig:")) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`smo sim exited with ${code}:\n${out}`));
    });
  });
  return { url, kubeconfig, child, stop: () => stopChild(child) };
}
