// Debian's Prometheus on a given loopback port, scraping targets every second. Stoppable and restartable on
// the same port and data directory (the "Prometheus down, then back" case of the load source).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";

export interface PrometheusProcess {
  url: string;
  port: number;
  logs(): string;
  stop(): Promise<void>;
  /** Starts it again (after stop) on the same port and data directory. */
  restart(): Promise<void>;
}

export async function startPrometheus(opts: { dir: string; port: number; targets: string[]; scrapeInterval?: string }): Promise<PrometheusProcess> {
  const data = join(opts.dir, "prom-data");
  await mkdir(data, { recursive: true });
  const config = join(opts.dir, "prometheus.yml");
  const interval = opts.scrapeInterval ?? "1s";
  await writeFile(
    config,
    [
      "global:",
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      "scrape_configs:",
      "  - job_name: load",
      `    scrape_interval: ${interval}`,
      "    static_configs:",
      `      - targets: ${JSON.stringify(opts.targets)}`,
      "",
    ].join("\n"),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const launch = async () => {
    const c = spawn(
      PROMETHEUS_BIN,
      [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${opts.port}`, "--log.level=warn"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = c;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-16_000);
    };
    c.stdout!.on("data", keep);
    c.stderr!.on("data", keep);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`prometheus exited early:\n${output}`);
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready on ${url}:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => c.kill("SIGKILL"), 5_000);
      c.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      c.kill("SIGTERM");
    });
  };

  try {
    await launch();
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port: opts.port, logs: () => output, stop, restart: launch };
}
