// The compiled codecs (src/api/compiled-codec.ts) must never answer differently from protobuf-es: for every
// message type of the contract they compile, a random message decodes to exactly what fromBinary gives and
// encodes to exactly what toBinary writes; damaged or merged bytes either decode the same or are left to
// protobuf-es. ReportLoad's request and answer, Hop3's hottest call, must compile.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { create, createFileRegistry, createRegistry, fromBinary, ScalarType, toBinary, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type } from "@bufbuild/protobuf/wkt";
import { file_smo_v1_cluster } from "../../src/gen/smo/v1/cluster_pb.js";
import { file_smo_v1_elasticity, LoadSampleSchema, ReportLoadRequestSchema, ReportLoadResponseSchema } from "../../src/gen/smo/v1/elasticity_pb.js";
import { file_smo_v1_graph, GetGraphRequestSchema } from "../../src/gen/smo/v1/graph_pb.js";
import { file_smo_v1_optimizer } from "../../src/gen/smo/v1/optimizer_pb.js";
import { file_smo_v1_types } from "../../src/gen/smo/v1/types_pb.js";
import { compileDecoder, compileEncoder } from "../../src/api/compiled-codec.js";
import { requestDecoder, encoder } from "../../src/api/grpc-definition.js";
import { UndecodableRequest } from "../../src/api/request-strings.js";

// Beside the contract's types, one of every scalar type (singular, repeated packed and unpacked), an enum and a
// nested message, so that a type the contract does not use yet is held to protobuf-es too.
const SCALAR_TYPES = [Type.DOUBLE, Type.FLOAT, Type.INT64, Type.UINT64, Type.INT32, Type.FIXED64, Type.FIXED32, Type.BOOL, Type.STRING, Type.BYTES, Type.UINT32, Type.SFIXED32, Type.SFIXED64, Type.SINT32, Type.SINT64];
const allScalars = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/all_scalars.proto",
    package: "test",
    syntax: "proto3",
    enumType: [{ name: "Colour", value: [{ name: "COLOUR_UNSPECIFIED", number: 0 }, { name: "COLOUR_RED", number: 1 }] }],
    messageType: [
      {
        name: "AllScalars",
        field: [
          ...SCALAR_TYPES.map((type, i) => ({ name: `single_${i}`, number: i + 1, type, label: Label.OPTIONAL })),
          ...SCALAR_TYPES.map((type, i) => ({ name: `packed_${i}`, number: i + 101, type, label: Label.REPEATED })),
          ...SCALAR_TYPES.map((type, i) => ({ name: `unpacked_${i}`, number: i + 201, type, label: Label.REPEATED, options: { packed: false } })),
          { name: "colour", number: 300, type: Type.ENUM, typeName: ".test.Colour", label: Label.OPTIONAL },
          { name: "colours", number: 301, type: Type.ENUM, typeName: ".test.Colour", label: Label.REPEATED },
          { name: "inner", number: 302, type: Type.MESSAGE, typeName: ".test.Inner", label: Label.OPTIONAL },
          { name: "inners", number: 303, type: Type.MESSAGE, typeName: ".test.Inner", label: Label.REPEATED },
        ],
      },
      { name: "Inner", field: [{ name: "name", number: 1, type: Type.STRING, label: Label.OPTIONAL }, { name: "count", number: 2, type: Type.SINT32, label: Label.OPTIONAL }] },
      { name: "Counts", field: [{ name: "a", number: 1, type: Type.INT32, label: Label.OPTIONAL }, { name: "b", number: 2, type: Type.UINT32, label: Label.OPTIONAL }, { name: "c", number: 3, type: Type.BOOL, label: Label.OPTIONAL }, { name: "d", number: 4, type: Type.STRING, label: Label.OPTIONAL }, { name: "e", number: 5, type: Type.ENUM, typeName: ".test.Colour", label: Label.OPTIONAL }] },
    ],
  }),
  () => undefined,
);
const registry = createRegistry(file_smo_v1_types, file_smo_v1_graph, file_smo_v1_cluster, file_smo_v1_optimizer, file_smo_v1_elasticity, allScalars);
const messages = [...registry].filter((t): t is DescMessage => t.kind === "message");
const decodable = messages.filter((m) => compileDecoder(m));
const encodable = messages.filter((m) => compileEncoder(m));

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function scalarArbitrary(scalar: ScalarType): fc.Arbitrary<unknown> {
  switch (scalar) {
    case ScalarType.STRING:
      return fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constant(""));
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.DOUBLE:
      return fc.double();
    case ScalarType.FLOAT:
      return fc.float().map(Math.fround);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 8 });
  }
}

function fieldArbitrary(field: DescField, depth: number): fc.Arbitrary<unknown> {
  switch (field.fieldKind) {
    case "scalar":
      return scalarArbitrary(field.scalar);
    case "enum":
      return fc.constantFrom(...field.enum.values.map((v) => v.number));
    case "message":
      return depth > 3 ? fc.constant(undefined) : fc.option(messageArbitrary(field.message, depth + 1), { nil: undefined });
    case "list":
      if (field.listKind === "message") return depth > 3 ? fc.constant([]) : fc.array(messageArbitrary(field.message, depth + 1), { maxLength: 3 });
      if (field.listKind === "enum") return fc.array(fc.constantFrom(...field.enum.values.map((v) => v.number)), { maxLength: 3 });
      return fc.array(scalarArbitrary(field.scalar), { maxLength: 3 });
    case "map":
      return fc.constant({});
  }
}

/** Init objects of `schema` with every field randomly set or left out. */
function messageArbitrary(schema: DescMessage, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of schema.fields) if (!field.oneof) shape[field.localName] = fieldArbitrary(field, depth);
  return fc.record(shape, { requiredKeys: [] });
}

/** Bytes of a random message of `schema`, as protobuf-es writes them. */
function bytesArbitrary(schema: DescMessage): fc.Arbitrary<Uint8Array> {
  return messageArbitrary(schema).map((init) => toBinary(schema, create(schema, init as never)));
}

/** The same bytes damaged or extended the ways a client, a proxy or an attacker could. */
function damaged(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
  return fc.oneof(
    fc.nat({ max: Math.max(0, bytes.length - 1) }).map((n) => bytes.slice(0, n)),
    fc.tuple(fc.nat({ max: Math.max(0, bytes.length - 1) }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const copy = bytes.slice();
      if (copy.length) copy[i] = b;
      return copy;
    }),
    fc.uint8Array({ minLength: 1, maxLength: 6 }).map((tail) => concat(bytes, tail)),
    // An unknown field (number 1000, varint): protobuf-es keeps it in $unknown.
    fc.constant(concat(bytes, Uint8Array.of(0xc0, 0x3e, 0x01))),
    // The same message twice: protobuf merges (singular messages merged, lists appended).
    fc.constant(concat(bytes, bytes)),
  );
}

function protobufEsDecode(schema: DescMessage, bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: fromBinary(schema, bytes) };
  } catch {
    return { ok: false };
  }
}

describe("compiled decoders", () => {
  it("compile for ReportLoad's request (Hop3's hottest call) and plain requests; not for messages with oneofs or maps", () => {
    expect(compileDecoder(ReportLoadRequestSchema)).toBeDefined();
    expect(compileDecoder(LoadSampleSchema)).toBeDefined();
    expect(compileDecoder(GetGraphRequestSchema)).toBeDefined();
    expect(compileDecoder(registry.getMessage("test.AllScalars")!)).toBeDefined();
    const withOneofOrMap = messages.filter((m) => m.oneofs.length > 0 || m.fields.some((f) => f.fieldKind === "map"));
    expect(withOneofOrMap.length).toBeGreaterThan(0);
    for (const m of withOneofOrMap) expect(compileDecoder(m), m.typeName).toBeUndefined();
  });

  it("decode every random message of every compiled type exactly as fromBinary does", () => {
    expect(decodable.length).toBeGreaterThan(10);
    for (const schema of decodable) {
      const decode = compileDecoder(schema)!;
      fc.assert(
        fc.property(bytesArbitrary(schema), (bytes) => {
          const compiled = decode(bytes);
          expect(compiled, schema.typeName).toBeDefined();
          expect(compiled).toStrictEqual(fromBinary(schema, bytes));
        }),
        { numRuns: 60 },
      );
    }
  });

  it("on damaged, extended or repeated bytes, decode as fromBinary does or leave the bytes to it", () => {
    let compiledAnswers = 0;
    let leftToProtobufEs = 0;
    for (const schema of decodable) {
      const decode = compileDecoder(schema)!;
      fc.assert(
        fc.property(
          bytesArbitrary(schema).chain((bytes) => damaged(bytes)),
          (bytes) => {
            const compiled = decode(bytes);
            if (compiled === undefined) {
              leftToProtobufEs++;
              return;
            }
            compiledAnswers++;
            const reference = protobufEsDecode(schema, bytes);
            expect(reference.ok, `${schema.typeName}: compiled decoder accepted bytes protobuf-es refuses`).toBe(true);
            if (reference.ok) expect(compiled).toStrictEqual(reference.value);
          },
        ),
        { numRuns: 60 },
      );
    }
    // Both paths were exercised, or the property says nothing.
    expect(compiledAnswers).toBeGreaterThan(0);
    expect(leftToProtobufEs).toBeGreaterThan(0);
  });

  it("leave unknown fields, merged messages and invalid UTF-8 to protobuf-es (through the gRPC request decoder)", () => {
    const sample = toBinary(ReportLoadRequestSchema, create(ReportLoadRequestSchema, { samples: [{ graph: "g", service: "s", requestsPerSecond: 2 }] }));
    const decode = requestDecoder(ReportLoadRequestSchema);

    const withUnknown = Buffer.from([...sample, 0xc0, 0x3e, 0x01]);
    expect(compileDecoder(ReportLoadRequestSchema)!(withUnknown)).toBeUndefined();
    expect(decode(withUnknown)).toStrictEqual(fromBinary(ReportLoadRequestSchema, withUnknown));
    expect((decode(withUnknown) as { $unknown?: unknown[] }).$unknown).toHaveLength(1);

    // A sample's timestamp sent twice: the second merges into the first (seconds from one, nanos from the other).
    const at = (seconds: number, nanos: number) =>
      toBinary(LoadSampleSchema, create(LoadSampleSchema, { graph: "g", observedAt: { seconds: BigInt(seconds), nanos } }));
    const merged = Uint8Array.from([...at(5, 0), ...at(0, 7)]);
    expect(compileDecoder(LoadSampleSchema)!(merged)).toBeUndefined();
    expect(requestDecoder(LoadSampleSchema)(Buffer.from(merged))).toMatchObject({ observedAt: { seconds: 5n, nanos: 7 } });

    // One sample whose graph is the byte 0xff: not UTF-8.
    const invalid = Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0xff]);
    expect(compileDecoder(ReportLoadRequestSchema)!(invalid)).toBeUndefined();
    expect(decode(invalid)).toBeInstanceOf(UndecodableRequest);
  });
});

describe("compiled encoders", () => {
  it("compile for ReportLoad's answer and not for messages with message, list, 64-bit or float fields", () => {
    expect(compileEncoder(ReportLoadResponseSchema)).toBeDefined();
    expect(compileEncoder(ReportLoadRequestSchema)).toBeUndefined();
    expect(compileEncoder(LoadSampleSchema)).toBeUndefined();
    expect(compileEncoder(registry.getMessage("test.Counts")!)).toBeDefined();
    expect(Buffer.from(compileEncoder(ReportLoadResponseSchema)!({ accepted: 3 })!)).toEqual(Buffer.from([0x08, 0x03]));
  });

  it("write exactly what toBinary(create(schema, value)) writes, for init objects and messages", () => {
    expect(encodable.length).toBeGreaterThan(1);
    for (const schema of encodable) {
      const encode = compileEncoder(schema)!;
      fc.assert(
        fc.property(messageArbitrary(schema), fc.boolean(), (init, asMessage) => {
          const value = asMessage ? create(schema, init as never) : init;
          const compiled = encode(value);
          expect(compiled, schema.typeName).toBeDefined();
          expect(Buffer.from(compiled!)).toEqual(Buffer.from(toBinary(schema, create(schema, init as never))));
        }),
        { numRuns: 100 },
      );
    }
  });

  it("leave values of the wrong type, out of range, null or with unknown fields to protobuf-es", () => {
    const encode = compileEncoder(ReportLoadResponseSchema)!;
    for (const value of [{ accepted: 2 ** 31 }, { accepted: 1.5 }, { accepted: "3" }, { accepted: null }, null, 7, { $typeName: "other.Type", accepted: 1 }]) {
      expect(encode(value), JSON.stringify(value)).toBeUndefined();
    }
    const decoded = fromBinary(ReportLoadResponseSchema, Uint8Array.from([0x08, 0x01, 0xc0, 0x3e, 0x01]));
    expect(encode(decoded)).toBeUndefined();
    // The gRPC encoder then writes it with protobuf-es: the unknown field survives, null is the zero value.
    expect(Buffer.from(encoder(ReportLoadResponseSchema)(decoded))).toEqual(Buffer.from([0x08, 0x01, 0xc0, 0x3e, 0x01]));
    expect(Buffer.from(encoder(ReportLoadResponseSchema)({ accepted: null }))).toEqual(Buffer.alloc(0));
    expect(Buffer.from(encoder(ReportLoadResponseSchema)({ accepted: -1 }))).toEqual(Buffer.from(toBinary(ReportLoadResponseSchema, create(ReportLoadResponseSchema, { accepted: -1 }))));
  });
});
