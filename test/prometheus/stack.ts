// Starts Debian's Prometheus and Alertmanager on free loopback ports with temp configs (shared by tests).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requireBinaries, startProcess, type StartedProcess } from "../helpers/processes.js";

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
  /** Glob or path listed in rule_files. */
  ruleFiles: string;
  /** host:port targets scraped every second. */
  scrapeTargets: string[];
  /** host:port of an Alertmanager. */
  alertmanager?: string;
}

/** Prometheus with 1 s scrape and evaluation intervals and the lifecycle API (POST /-/reload) enabled. */
export async function startPrometheus(dir: string, setup: PrometheusSetup): Promise<StartedProcess> {
  await mkdir(join(dir, "prom-data"), { recursive: true });
  const config = join(dir, "prometheus.yml");
  const lines = [
    "global:",
    "  scrape_interval: 1s",
    "  evaluation_interval: 1s",
    "rule_files:",
    `  - ${JSON.stringify(setup.ruleFiles)}`,
    "scrape_configs:",
    "  - job_name: load",
    "    scrape_interval: 1s",
    "    static_configs:",
    `      - targets: ${JSON.stringify(setup.scrapeTargets)}`,
  ];
  if (setup.alertmanager) {
    lines.push("alerting:", "  alertmanagers:", "    - static_configs:", `        - targets: ${JSON.stringify([setup.alertmanager])}`);
  }
  await writeFile(config, `${lines.join("\n")}\n`);
  return startProcess({
    name: "prometheus",
    command: PROMETHEUS_BIN,
    args: (port) => [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "prom-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-lifecycle",
      // Alerts fired before the Alertmanager is discovered are dropped; resend every second instead of every minute.
      "--rules.alert.resend-delay=1s",
    ],
    readyPath: "/-/ready",
    timeoutMs: 60_000,
  });
}

export const stackAvailability = () => requireBinaries(PROMETHEUS_BIN, ALERTMANAGER_BIN);
