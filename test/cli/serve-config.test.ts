import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { ConfigError, envName, parseDuration, parseServeConfig } from "../../src/cli/serve-config.js";
import { run } from "../../src/cli/commands/serve.js";
import { DEFAULT_OPTIMIZER_LIMITS } from "../../src/api/handlers/optimizer-limits.js";

describe("smo serve configuration", () => {
  it("has loopback defaults and pglite:.smo/db", () => {
    expect(parseServeConfig([], {})).toEqual({
      listen: "127.0.0.1:50051",
      socket: null,
      httpListen: "127.0.0.1:50052",
      db: "pglite:.smo/db",
      token: undefined,
      allowedHosts: [],
      logLevel: "info",
      karmada: null,
      karmadaResyncMs: 60_000,
      deployer: "manifest",
      prometheus: null,
      prometheusScrapeIntervalMs: 1000,
      prometheusJob: undefined,
      prometheusIntervalMs: undefined,
      prometheusQuery: undefined,
      prometheusWindow: undefined,
      prometheusRulesFile: null,
      grafana: null,
      insecureRegistries: [],
      registries: [],
      projectPrefixes: [],
      maxReplicas: 1000,
      optimizerLimits: { maxConcurrent: 2, maxServices: 200, maxClusters: 64, maxPairs: 2000, maxTimeLimitSeconds: 30 },
      retentionMs: 7 * 86_400_000,
      retentionPerGraph: 10_000,
      stabilizationMs: 30_000,
      reconcileMs: 15_000,
      socketMode: 0o600,
      sim: { clusters: 3, gpuClusters: 1, podStartMs: 1000 },
      demo: false,
      faultKillAfterCommit: null,
      shutdownTimeoutMs: 10_000,
      leaseDurationMs: 5_000,
      advertiseAddress: "127.0.0.1:50051",
    });
  });

  it("takes the OptimizerService caps from flags, with the handler's defaults", () => {
    expect(parseServeConfig([], {})).toMatchObject({ optimizerLimits: DEFAULT_OPTIMIZER_LIMITS });
    const args = ["--optimizer-concurrency", "1", "--optimizer-max-services", "50", "--optimizer-max-clusters", "8", "--optimizer-max-pairs", "100", "--optimizer-max-time-limit", "2m"];
    expect(parseServeConfig(args, {})).toMatchObject({ optimizerLimits: { maxConcurrent: 1, maxServices: 50, maxClusters: 8, maxPairs: 100, maxTimeLimitSeconds: 120 } });
    expect(parseServeConfig([], { SMO_OPTIMIZER_CONCURRENCY: "4" })).toMatchObject({ optimizerLimits: { maxConcurrent: 4 } });
    expect(() => parseServeConfig(["--optimizer-concurrency", "0"], {})).toThrow(/--optimizer-concurrency/);
    expect(() => parseServeConfig(["--optimizer-max-time-limit", "1500ms"], {})).toThrow(/whole seconds/);
  });

  it("parses the HA options: lease duration, advertised address (default --listen)", () => {
    expect(parseServeConfig(["--lease-duration", "2s", "--advertise-address", "10.0.0.5:50051"], {})).toMatchObject({
      leaseDurationMs: 2_000,
      advertiseAddress: "10.0.0.5:50051",
    });
    expect(parseServeConfig(["--listen", "none", "--socket", "s.sock"], {})).toMatchObject({ advertiseAddress: null });
    expect(() => parseServeConfig(["--lease-duration", "500ms"], {})).toThrow(/--lease-duration: at least 1s/);
    expect(() => parseServeConfig(["--advertise-address", "nohost"], {})).toThrow(/--advertise-address/);
  });

  it("validates the federation options", () => {
    expect(parseServeConfig(["--socket-mode", "0660", "--karmada", "sim", "--demo", "true"], {})).toMatchObject({
      socketMode: 0o660,
      demo: true,
    });
    expect(() => parseServeConfig(["--socket-mode", "0666"], {})).toThrow(/every local user/);
    expect(() => parseServeConfig(["--socket-mode", "rw"], {})).toThrow(/octal/);
    expect(() => parseServeConfig(["--demo", "true"], {})).toThrow(/--demo needs --karmada/);
    expect(() => parseServeConfig(["--prometheus-rules-file", "/tmp/r.yml"], {})).toThrow(/needs --prometheus/);
    expect(() => parseServeConfig(["--sim-clusters", "2", "--sim-gpu-clusters", "3"], {})).toThrow(/cannot exceed/);
    expect(() => parseServeConfig(["--sim-clusters", "0"], {})).toThrow(/integer ≥ 1/);
  });

  it("reads SMO_<NAME> env vars, and flags win over them", () => {
    const env = { SMO_LISTEN: "127.0.0.1:6000", SMO_DB: "memory", SMO_HTTP_LISTEN: "none", SMO_TOKEN: "t", SMO_PROMETHEUS_INTERVAL: "250ms", SMO_KARMADA: "sim" };
    const config = parseServeConfig(["--listen", "[::1]:7000", "--socket", "/tmp/x.sock", "--prometheus", "http://127.0.0.1:9090/"], env);
    expect(config).toMatchObject({
      listen: "[::1]:7000",
      socket: "/tmp/x.sock",
      httpListen: null,
      db: "memory",
      token: "t",
      karmada: "sim",
      prometheus: "http://127.0.0.1:9090",
      prometheusIntervalMs: 250,
    });
    expect(envName("prometheus-interval")).toBe("SMO_PROMETHEUS_INTERVAL");
    expect(parseServeConfig(["--prometheus-scrape-interval", "auto", "--prometheus-job", "web"], {})).toMatchObject({
      prometheusScrapeIntervalMs: "auto",
      prometheusJob: "web",
    });
    expect(parseServeConfig([], { SMO_PROMETHEUS_SCRAPE_INTERVAL: "15s" })).toMatchObject({ prometheusScrapeIntervalMs: 15_000 });
  });

  it("rejects bad values naming the flag", () => {
    const bad: [string[], RegExp][] = [
      [["--listen", "50051"], /--listen: expected host:port/],
      [["--listen", "127.0.0.1:70000"], /--listen/],
      [["--log-level", "loud"], /--log-level/],
      [["--deployer", "kustomize"], /--deployer/],
      [["--prometheus", "ftp://x"], /--prometheus: expected an http\(s\) URL/],
      [["--prometheus-interval", "soon"], /--prometheus-interval/],
      [["--prometheus-scrape-interval", "often"], /--prometheus-scrape-interval/],
      [["--listen", "none", "--http-listen", "none"], /nothing to serve/],
      [["--unknown"], /--unknown/],
    ];
    for (const [args, message] of bad) expect(() => parseServeConfig(args, {})).toThrow(message);
    expect(() => parseServeConfig(["--listen", "x"], {})).toThrow(ConfigError);
  });

  it("parses durations", () => {
    expect(parseDuration("1s", "x")).toBe(1000);
    expect(parseDuration("500ms", "x")).toBe(500);
    expect(parseDuration("2.5", "x")).toBe(2500);
    expect(parseDuration("1m", "x")).toBe(60_000);
    expect(() => parseDuration("0s", "x")).toThrow(/positive/);
  });

  it("`smo serve` exits 1 with the message on a bad flag, and prints usage on --help", async () => {
    let err = "";
    const stderr = new PassThrough().on("data", (d: Buffer) => (err += d.toString()));
    expect(await run(["--listen", "nope"], { stdout: new PassThrough(), stderr, env: {} })).toBe(1);
    expect(err).toContain("smo serve: --listen: expected host:port");
    let out = "";
    const stdout = new PassThrough().on("data", (d: Buffer) => (out += d.toString()));
    expect(await run(["--help"], { stdout, stderr, env: {} })).toBe(0);
    expect(out).toContain("--http-listen");
    expect(out).toContain("env SMO_HTTP_LISTEN");
  });
});
