// Error mapping in one place: typed core errors and ConnectError → gRPC status codes and google.rpc details,
// the same on grpc-js and on Connect. Handlers here throw on purpose.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { Writable } from "node:stream";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { BadRequestSchema } from "../../src/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../src/gen/google/rpc/status_pb.js";
import {
  AlreadyExistsError,
  ConflictError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
} from "../../src/core/errors.js";
import { INTERNAL_MESSAGE } from "../../src/api/errors.js";
import { registration } from "../../src/api/registration.js";
import { createLogger } from "../../src/observability/logger.js";
import { SmoClient, badRequestViolations, describeError } from "../../src/cli/client.js";
import { startTestServer, type TestServer } from "./helpers.js";

const violations = [
  { field: "hdaGraph.services[2].deployment.intent.compute.cpu", description: "must be a positive number of cores" },
  { field: "hdaGraph.id", description: "must be an RFC 1123 name" },
];

const thrown: Record<string, () => Error> = {
  invalid: () => new InvalidArgumentError("descriptor is invalid", violations),
  notfound: () => new NotFoundError('graph "x" not found'),
  exists: () => new AlreadyExistsError("graph x exists"),
  precondition: () => new FailedPreconditionError("graph x is running"),
  unavailable: () => new UnavailableError("Karmada is down"),
  conflict: () => new ConflictError("lost an update"),
  timeout: () => new TimeoutError("took too long"),
  connect: () => new ConnectError("rate limited", Code.ResourceExhausted),
  bug: () => new TypeError("cannot read properties of undefined (secret /etc/path)"),
};

const expected: Record<string, grpc.status> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  notfound: grpc.status.NOT_FOUND,
  exists: grpc.status.ALREADY_EXISTS,
  precondition: grpc.status.FAILED_PRECONDITION,
  unavailable: grpc.status.UNAVAILABLE,
  conflict: grpc.status.ABORTED,
  timeout: grpc.status.DEADLINE_EXCEEDED,
  connect: grpc.status.RESOURCE_EXHAUSTED,
  bug: grpc.status.INTERNAL,
};

// Only getGraph is implemented: its request name picks the error. The rest of GraphService is left out on purpose.
const throwing = registration(GraphService, {
  getGraph(req) {
    throw thrown[req.name]!();
  },
});

let t: TestServer;
let client: SmoClient;
let log = "";

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  t = await startTestServer({ services: [throwing], logger: createLogger({ level: "error", destination: sink }) });
  client = new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 5_000 });
});

afterAll(async () => {
  client?.close();
  await t?.close();
});

describe("gRPC status codes", () => {
  for (const [name, code] of Object.entries(expected)) {
    it(`${name} → ${grpc.status[code]}`, async () => {
      await expect(client.unary(GraphService.method.getGraph, { name })).rejects.toMatchObject({ code });
    });
  }

  it("INVALID_ARGUMENT carries google.rpc.Status with BadRequest field violations in grpc-status-details-bin", async () => {
    const err = (await client.unary(GraphService.method.getGraph, { name: "invalid" }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.details).toBe("descriptor is invalid");
    const raw = err.metadata.get("grpc-status-details-bin")[0] as Buffer;
    const status = fromBinary(StatusSchema, raw);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.message).toBe("descriptor is invalid");
    const badRequest = anyUnpack(status.details[0]!, BadRequestSchema);
    expect(badRequest?.fieldViolations.map((v) => ({ field: v.field, description: v.description }))).toEqual(violations);
    // The CLI's helpers decode the same.
    expect(badRequestViolations(err)).toEqual(violations);
    expect(describeError(err)).toBe(
      [
        "gRPC status INVALID_ARGUMENT: descriptor is invalid",
        "  hdaGraph.services[2].deployment.intent.compute.cpu: must be a positive number of cores",
        "  hdaGraph.id: must be an RFC 1123 name",
      ].join("\n"),
    );
  });

  it("an unexpected error becomes INTERNAL with a safe message; the stack goes to the log", async () => {
    const err = (await client.unary(GraphService.method.getGraph, { name: "bug" }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.details).toBe(INTERNAL_MESSAGE);
    expect(err.details).not.toContain("secret");
    const entry = log.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { rpc?: string; err?: { stack?: string } }).find((e) => e.rpc);
    expect(entry?.rpc).toBe("smo.v1.GraphService/GetGraph");
    expect(entry?.err?.stack).toContain("TypeError: cannot read properties of undefined");
  });

  it("a method the impl leaves out answers UNIMPLEMENTED", async () => {
    await expect(client.unary(GraphService.method.listGraphs, {})).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
      details: "smo.v1.GraphService/ListGraphs is not implemented by this server",
    });
  });
});

describe("Connect", () => {
  it("maps the same errors and carries BadRequest as ConnectError details", async () => {
    const connect = createClient(GraphService, createConnectTransport({ baseUrl: `http://${t.server.httpAddress}`, httpVersion: "1.1" }));
    const err = ConnectError.from(await connect.getGraph({ name: "invalid" }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("descriptor is invalid");
    const [badRequest] = err.findDetails(BadRequestSchema);
    expect(badRequest?.fieldViolations.map((v) => v.field)).toEqual(violations.map((v) => v.field));

    const conflict = ConnectError.from(await connect.getGraph({ name: "conflict" }).catch((e: unknown) => e));
    expect(conflict.code).toBe(Code.Aborted);
    const bug = ConnectError.from(await connect.getGraph({ name: "bug" }).catch((e: unknown) => e));
    expect(bug.code).toBe(Code.Internal);
    expect(bug.rawMessage).toBe(INTERNAL_MESSAGE);
  });
});
