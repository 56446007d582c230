// Forwards load samples to the project's owner (docs/ha.md) with no latency above one loopback hop: one gRPC
// channel per member, connected as soon as the lease round lists the member (never on a sample's path), and
// every batch sent at once, since HTTP/2 carries concurrent calls on the one connection. Samples for the same
// owner that arrive in the same turn of the event loop ride in one call; if the owner refuses such a shared
// batch, each caller's samples are sent again alone, so one caller's stopped service never fails another's.
import { ElasticityService } from "../gen/smo/v1/elasticity_pb.js";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from "../core/errors.js";
import type { LoadSampleInput } from "../core/elasticity/types.js";
import type { LoadForwarder } from "../core/ha/load-router.js";
import { FORWARDED_HEADER } from "../api/handlers/elasticity.js";
import { badRequestViolations, describeError, SmoClient } from "./client.js";

interface Waiting {
  samples: LoadSampleInput[];
  resolve(count: number): void;
  reject(err: Error): void;
}

class Peer {
  readonly #client: SmoClient;
  #waiting: Waiting[] = [];
  #flushScheduled = false;
  #inFlight = 0;
  #closing = false;

  constructor(readonly address: string, token: string | undefined) {
    this.#client = new SmoClient({ address, token, deadlineMs: 5_000, metadata: { [FORWARDED_HEADER]: "1" } });
  }

  /** Connects (or reconnects an idle channel) ahead of the first sample. */
  warm(): void {
    this.#client.connect();
  }

  get idle(): boolean {
    return this.#inFlight === 0 && this.#waiting.length === 0;
  }

  send(samples: LoadSampleInput[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ samples, resolve, reject });
      if (this.#flushScheduled) return;
      this.#flushScheduled = true;
      // After the I/O callbacks of this turn: the requests decoded together leave together.
      setImmediate(() => {
        this.#flushScheduled = false;
        const batch = this.#waiting;
        this.#waiting = [];
        void this.#sendBatch(batch);
      });
    });
  }

  async #sendBatch(batch: Waiting[]): Promise<void> {
    this.#inFlight++;
    try {
      await this.#call(batch.flatMap((w) => w.samples));
      for (const w of batch) w.resolve(w.samples.length);
    } catch (err) {
      const failure = this.#failure(err);
      if (batch.length > 1 && !(failure instanceof UnavailableError)) {
        // The owner validates a batch before applying any of it: nothing was applied, each caller retries alone.
        await Promise.all(batch.map((w) => this.#sendBatch([w])));
      } else {
        for (const w of batch) w.reject(failure);
      }
    } finally {
      this.#inFlight--;
      if (this.#closing && this.idle) this.#client.close();
    }
  }

  #call(samples: LoadSampleInput[]) {
    return this.#client.unary(ElasticityService.method.reportLoad, {
      samples: samples.map((s) => ({
        graph: s.graph,
        service: s.service,
        requestsPerSecond: s.requestsPerSecond,
        observedAt: s.observedAt ? timestampFromDate(s.observedAt) : undefined,
      })),
    });
  }

  /** The owner's answer keeps its meaning (NOT_FOUND stays NOT_FOUND); a transport failure is UNAVAILABLE. */
  #failure(err: unknown): Error {
    const code = (err as { code?: number }).code;
    const details = (err as { details?: string }).details ?? (err as Error).message;
    if (code === grpc.status.NOT_FOUND) return new NotFoundError(details);
    if (code === grpc.status.FAILED_PRECONDITION) return new FailedPreconditionError(details);
    if (code === grpc.status.INVALID_ARGUMENT) return new InvalidArgumentError(details, badRequestViolations(err));
    return new UnavailableError(`forwarding load to the project's owner at ${this.address} failed: ${describeError(err)}`, { cause: err });
  }

  /** Closes the channel once the calls in flight are answered. */
  close(): void {
    this.#closing = true;
    if (this.idle) this.#client.close();
  }
}

export class GrpcLoadForwarder implements LoadForwarder {
  readonly #peers = new Map<string, Peer>();

  constructor(private readonly token: string | undefined) {}

  forward(address: string, samples: LoadSampleInput[]): Promise<number> {
    return this.#peer(address).send(samples);
  }

  /**
   * The other live members' addresses, after every lease round: their channels are connected (again, if they
   * went idle) before any sample needs them, and the channels of members gone (or restarted elsewhere) close.
   */
  members(addresses: readonly string[]): void {
    const live = new Set(addresses.filter((a) => a !== ""));
    for (const address of live) this.#peer(address).warm();
    for (const [address, peer] of this.#peers) {
      if (live.has(address)) continue;
      this.#peers.delete(address);
      peer.close();
    }
  }

  #peer(address: string): Peer {
    let peer = this.#peers.get(address);
    if (!peer) {
      peer = new Peer(address, this.token);
      this.#peers.set(address, peer);
    }
    return peer;
  }

  close(): void {
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
  }
}
