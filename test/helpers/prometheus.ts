// The one Prometheus (and Alertmanager) starter of the tests: Debian's binaries on loopback ports with temp
// configs, every interval 1 s so that nothing waits long. Prometheus can be stopped and restarted on the same
// port and data directory (the "Prometheus down, then back" case of the pulled load).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requireBinaries, startProcess, type StartedProcess } from "./processes.js";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";

/** Alertmanager with one webhook receiver and no grouping delay. */
export async function startAlertmanager(dir: string, webhookUrl: string): Promise<StartedProcess> {
  await mkdir(join(dir, "am-data"), { recursive: true });
  const config = join(dir, "alertmanager.yml");
  await writeFile(
    config,
    [
      "route:",
      "  receiver: smo",
      "  group_by: [alertname, service]",
      "  group_wait: 0s",
      "  group_interval: 1s",
      "  repeat_interval: 1h",
      "receivers:",
      "  - name: smo",
      "    webhook_configs:",
      `      - url: ${webhookUrl}`,
      "        send_resolved: true",
      "",
    ].join("\n"),
  );
  return startProcess({
    name: "alertmanager",
    command: ALERTMANAGER_BIN,
    args: (port) => [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "am-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    readyPath: "/-/ready",
  });
}

export interface PrometheusSetup {
  /** host:port targets scraped by the job. */
  scrapeTargets: string[];
  /** Glob or path listed in rule_files. */
  ruleFiles?: string;
  /** host:port of an Alertmanager. */
  alertmanager?: string;
  /** Scrape and evaluation interval, default 1s. */
  scrapeInterval?: string;
  /** Name of the scrape job, default "load". */
  job?: string;
  /** A fixed port; default a free one (a restart keeps whichever was used). */
  port?: number;
}

export interface PrometheusProcess extends StartedProcess {
  /** Starts it again (after stop) on the same port and data directory. */
  restart(): Promise<void>;
}

/** Prometheus with the lifecycle API (POST /-/reload) enabled and alerts resent every second. */
export async function startPrometheus(dir: string, setup: PrometheusSetup): Promise<PrometheusProcess> {
  await mkdir(join(dir, "prom-data"), { recursive: true });
  const config = join(dir, "prometheus.yml");
  const interval = setup.scrapeInterval ?? "1s";
  const lines = [
    "global:",
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(setup.ruleFiles ? ["rule_files:", `  - ${JSON.stringify(setup.ruleFiles)}`] : []),
    "scrape_configs:",
    `  - job_name: ${JSON.stringify(setup.job ?? "load")}`,
    `    scrape_interval: ${interval}`,
    "    static_configs:",
    `      - targets: ${JSON.stringify(setup.scrapeTargets)}`,
  ];
  if (setup.alertmanager) {
    lines.push("alerting:", "  alertmanagers:", "    - static_configs:", `        - targets: ${JSON.stringify([setup.alertmanager])}`);
  }
  await writeFile(config, `${lines.join("\n")}\n`);
  const launch = (port?: number) =>
    startProcess({
      name: "prometheus",
      command: PROMETHEUS_BIN,
      args: (p) => [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "prom-data")}`,
        `--web.listen-address=127.0.0.1:${p}`,
        "--web.enable-lifecycle",
        "--log.level=warn",
        // Alerts fired before the Alertmanager is discovered are dropped; resend every second instead of every minute.
        "--rules.alert.resend-delay=1s",
      ],
      readyPath: "/-/ready",
      timeoutMs: 60_000,
      port,
    });
  let current = await launch(setup.port);
  return {
    name: current.name,
    port: current.port,
    url: current.url,
    get child() {
      return current.child;
    },
    logs: () => current.logs(),
    stop: () => current.stop(),
    async restart() {
      current = await launch(current.port);
    },
  };
}

export const stackAvailability = () => requireBinaries(PROMETHEUS_BIN, ALERTMANAGER_BIN);
