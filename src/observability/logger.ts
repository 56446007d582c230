// The process logger: pino JSON lines. Created once by the command that runs (serve, sim) and passed down;
// components take `logger.child({ component, graph, service })` rather than creating their own.
import { pino, type Logger as PinoLogger, type DestinationStream } from "pino";

export type Logger = PinoLogger;
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout. Tests pass a stream they read back. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = { level: options.level ?? "info", name: options.name ?? "smo" };
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that drops everything: for tests and benchmarks that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
