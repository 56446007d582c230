// A tiny load generator for Prometheus to scrape: `http_requests_total{namespace,service}` counters growing at
// the rate the caller sets (the integral of the rate, computed at scrape time; no real requests are sent). Used
// by the elasticity bench (pulled mode) and by the Prometheus source tests.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoadGenerator {
  url: string;
  /** host:port for a scrape config. */
  target: string;
  /** Changes a series' rate now; returns the time of the change (t_load). */
  setRate(namespace: string, service: string, rps: number): number;
  /** Scrapes served so far. */
  scrapes(): number;
  close(): Promise<void>;
}

interface Series {
  namespace: string;
  service: string;
  rate: number;
  total: number;
  at: number;
}

/** Prometheus text-format label value. */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const series = new Map<string, Series>();
  let scrapes = 0;
  const advance = (s: Series, now: number) => {
    s.total += (s.rate * (now - s.at)) / 1000;
    s.at = now;
  };
  const server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    const now = Date.now();
    const lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"];
    for (const s of series.values()) {
      advance(s, now);
      lines.push(`http_requests_total{namespace="${label(s.namespace)}",service="${label(s.service)}"} ${s.total.toFixed(3)}`);
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    setRate(namespace, service, rps) {
      const key = `${namespace}/${service}`;
      const now = Date.now();
      const s = series.get(key) ?? { namespace, service, rate: 0, total: 0, at: now };
      advance(s, now);
      s.rate = rps;
      series.set(key, s);
      return now;
    },
    scrapes: () => scrapes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
