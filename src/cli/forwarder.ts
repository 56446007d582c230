// Forwards load samples to the project's owner (docs/ha.md): one gRPC channel per owner address, and at most
// one ReportLoad in flight per owner; samples arriving meanwhile ride in the next call. So a quiet owner gets
// each sample at once (one loopback hop) and a busy one gets batches, never a queue of tiny calls.
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
  #busy = false;

  constructor(readonly address: string, token: string | undefined) {
    this.#client = new SmoClient({ address, token, deadlineMs: 5_000, metadata: { [FORWARDED_HEADER]: "1" } });
  }

  send(samples: LoadSampleInput[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ samples, resolve, reject });
      if (!this.#busy) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#busy = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      const samples = batch.flatMap((w) => w.samples);
      try {
        await this.#client.unary(ElasticityService.method.reportLoad, {
          samples: samples.map((s) => ({
            graph: s.graph,
            service: s.service,
            requestsPerSecond: s.requestsPerSecond,
            observedAt: s.observedAt ? timestampFromDate(s.observedAt) : undefined,
          })),
        });
        for (const w of batch) w.resolve(w.samples.length);
      } catch (err) {
        for (const w of batch) w.reject(this.#failure(err));
      }
    }
    this.#busy = false;
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

  close(): void {
    this.#client.close();
  }
}

export class GrpcLoadForwarder implements LoadForwarder {
  readonly #peers = new Map<string, Peer>();

  constructor(private readonly token: string | undefined) {}

  forward(address: string, samples: LoadSampleInput[]): Promise<number> {
    let peer = this.#peers.get(address);
    if (!peer) {
      peer = new Peer(address, this.token);
      this.#peers.set(address, peer);
    }
    return peer.send(samples);
  }

  close(): void {
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
  }
}
