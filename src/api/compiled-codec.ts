// Codecs compiled once per message type from its descriptor, for the small requests and answers Hop3 sends most
// (ReportLoad). protobuf-es decodes by reflection: for a one-sample ReportLoadRequest that is ~10 µs of a ~40 µs
// call, and encoding a one-field answer after create() ~5 µs. A compiled codec dispatches on field numbers to
// closures made once, reading and writing with protobuf-es's own BinaryReader and sizes.
//
// It covers plain proto3 messages only (implicit-presence scalars and open enums, singular and repeated
// messages, repeated scalars), and it never decides anything protobuf-es would decide differently: on any input
// outside the common shape (an unknown field, a wire type that does not match the field, a second occurrence of
// a message field, which protobuf merges, any read error) it gives up and the caller uses fromBinary/toBinary.
// test/api/compiled-codec.test.ts holds both codecs to protobuf-es on random messages and damaged bytes.
import { create, ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { varintFieldSize, lengthDelimitedSize, WireBuffer } from "./wire-cache.js";

/** Returns the message, or undefined when protobuf-es must decode these bytes. Never throws. */
export type CompiledDecoder = (bytes: Uint8Array) => Message | undefined;
/** Returns the bytes, or undefined when protobuf-es must encode this value. Never throws. */
export type CompiledEncoder = (value: unknown) => Uint8Array | undefined;

/** Thrown inside a compiled decoder: the input is outside what it handles. Never escapes. */
const GIVE_UP = Symbol("give up");

type Target = Record<string, unknown>;
type FieldRead = (reader: BinaryReader, wireType: WireType, target: Target) => void;

interface DecodePlan {
  /** create(schema): every decoded message starts as a shallow copy of it (lists replaced). */
  zero: Target;
  lists: string[];
  reads: Map<number, FieldRead>;
}

const IMPLICIT = 2; // FeatureSet.FieldPresence.IMPLICIT: proto3 scalars without `optional`

function scalarWireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

/** The reader method of a scalar type, as protobuf-es reads it (readScalar in from-binary). */
function scalarReader(field: DescField & { fieldKind: "scalar" | "list" }, scalar: ScalarType): (reader: BinaryReader) => unknown {
  const strict = field.utf8Validation;
  switch (scalar) {
    case ScalarType.STRING:
      return (r) => r.string(strict);
    case ScalarType.BOOL:
      return (r) => r.bool();
    case ScalarType.DOUBLE:
      return (r) => r.double();
    case ScalarType.FLOAT:
      return (r) => r.float();
    case ScalarType.INT32:
      return (r) => r.int32();
    case ScalarType.INT64:
      return (r) => r.int64();
    case ScalarType.UINT64:
      return (r) => r.uint64();
    case ScalarType.FIXED64:
      return (r) => r.fixed64();
    case ScalarType.BYTES:
      return (r) => r.bytes();
    case ScalarType.FIXED32:
      return (r) => r.fixed32();
    case ScalarType.SFIXED32:
      return (r) => r.sfixed32();
    case ScalarType.SFIXED64:
      return (r) => r.sfixed64();
    case ScalarType.SINT64:
      return (r) => r.sint64();
    case ScalarType.UINT32:
      return (r) => r.uint32();
    case ScalarType.SINT32:
      return (r) => r.sint32();
  }
}

function readBody(plan: DecodePlan, reader: BinaryReader, end: number): Target {
  const target: Target = { ...plan.zero };
  for (const list of plan.lists) target[list] = [];
  while (reader.pos < end) {
    const [fieldNo, wireType] = reader.tag();
    const read = plan.reads.get(fieldNo);
    if (!read) throw GIVE_UP; // kept by protobuf-es as an unknown field
    read(reader, wireType, target);
  }
  if (reader.pos !== end) throw GIVE_UP; // a field ran past the message's end
  return target;
}

/**
 * Well-known types protobuf-es represents as something other than a message in a field (wrappers as their
 * value, Struct as a JSON object, Any's packing): only these plain ones are compiled.
 */
const PLAIN_WELL_KNOWN = new Set(["google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.Empty"]);

/** Plans of messages being compiled (a recursive message type is not compiled) and compiled ones. */
function decodePlan(schema: DescMessage, visiting: Set<DescMessage>, done: Map<DescMessage, DecodePlan | null>): DecodePlan | null {
  if (done.has(schema)) return done.get(schema)!;
  if (visiting.has(schema) || schema.oneofs.length > 0) return null;
  if (schema.typeName.startsWith("google.protobuf.") && !PLAIN_WELL_KNOWN.has(schema.typeName)) return null;
  visiting.add(schema);
  const plan: DecodePlan = { zero: create(schema) as unknown as Target, lists: [], reads: new Map() };
  let compiled = true;
  for (const field of schema.fields) {
    const read = fieldRead(field, visiting, done);
    if (!read) {
      compiled = false;
      break;
    }
    if (field.fieldKind === "list") plan.lists.push(field.localName);
    plan.reads.set(field.number, read);
  }
  visiting.delete(schema);
  done.set(schema, compiled ? plan : null);
  return compiled ? plan : null;
}

function fieldRead(field: DescField, visiting: Set<DescMessage>, done: Map<DescMessage, DecodePlan | null>): FieldRead | null {
  const name = field.localName;
  switch (field.fieldKind) {
    case "scalar": {
      if (field.presence !== IMPLICIT || field.longAsString) return null;
      const expected = scalarWireType(field.scalar);
      const read = scalarReader(field, field.scalar);
      return (reader, wireType, target) => {
        if (wireType !== expected) throw GIVE_UP;
        target[name] = read(reader);
      };
    }
    case "enum":
      if (field.presence !== IMPLICIT || !field.enum.open) return null;
      return (reader, wireType, target) => {
        if (wireType !== WireType.Varint) throw GIVE_UP;
        target[name] = reader.int32();
      };
    case "message": {
      if (field.delimitedEncoding) return null;
      const plan = decodePlan(field.message, visiting, done);
      if (!plan) return null;
      return (reader, wireType, target) => {
        // A second occurrence is merged into the first by protobuf: left to protobuf-es.
        if (wireType !== WireType.LengthDelimited || target[name] !== undefined) throw GIVE_UP;
        const length = reader.uint32();
        target[name] = readBody(plan, reader, reader.pos + length);
      };
    }
    case "list": {
      if (field.listKind === "message") {
        if (field.delimitedEncoding) return null;
        const plan = decodePlan(field.message, visiting, done);
        if (!plan) return null;
        return (reader, wireType, target) => {
          if (wireType !== WireType.LengthDelimited) throw GIVE_UP;
          const length = reader.uint32();
          (target[name] as Target[]).push(readBody(plan, reader, reader.pos + length));
        };
      }
      if (field.listKind === "enum" ? !field.enum.open : field.longAsString) return null;
      const scalar = field.scalar ?? ScalarType.INT32;
      const expected = scalarWireType(scalar);
      const read = scalarReader(field, scalar);
      return (reader, wireType, target) => {
        const list = target[name] as unknown[];
        if (wireType === expected) {
          list.push(read(reader));
        } else if (wireType === WireType.LengthDelimited) {
          // Packed: strings and bytes are never packed, so expected is not LengthDelimited here.
          const end = reader.uint32() + reader.pos;
          while (reader.pos < end) list.push(read(reader));
          if (reader.pos !== end) throw GIVE_UP;
        } else {
          throw GIVE_UP;
        }
      };
    }
    default:
      return null; // maps
  }
}

/** A decoder for `schema`, or undefined when the type (or a type it contains) is not a plain proto3 message. */
export function compileDecoder(schema: DescMessage): CompiledDecoder | undefined {
  const plan = decodePlan(schema, new Set(), new Map());
  if (!plan) return undefined;
  return (bytes) => {
    try {
      const reader = new BinaryReader(bytes);
      return readBody(plan, reader, bytes.byteLength) as unknown as Message;
    } catch {
      return undefined; // GIVE_UP, or a read error protobuf-es will report in its own words
    }
  };
}

type FieldSize = (value: unknown) => number; // -1: give up
type FieldWrite = (buffer: WireBuffer, value: unknown) => void;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

/**
 * Sizes and writers of the field types the encoder covers: int32, uint32, enums, bool and strings. Zero values
 * are not written (implicit presence), as toBinary does.
 */
function fieldEncoding(field: DescField): { size: FieldSize; write: FieldWrite } | null {
  const n = field.number;
  const integer = (min: number, max: number) => ({
    size: (v: unknown) => (v === undefined ? 0 : typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? varintFieldSize(n, v) : -1),
    write: (b: WireBuffer, v: unknown) => {
      if (v) b.varintField(n, v as number);
    },
  });
  if (field.fieldKind === "enum") return field.presence === IMPLICIT && field.enum.open ? integer(INT32_MIN, INT32_MAX) : null;
  if (field.fieldKind !== "scalar" || field.presence !== IMPLICIT) return null;
  switch (field.scalar) {
    case ScalarType.INT32:
      return integer(INT32_MIN, INT32_MAX);
    case ScalarType.UINT32:
      return integer(0, UINT32_MAX);
    case ScalarType.BOOL:
      return {
        size: (v) => (v === undefined || v === false ? 0 : v === true ? varintFieldSize(n, 1) : -1),
        write: (b, v) => {
          if (v) b.varintField(n, 1);
        },
      };
    case ScalarType.STRING:
      return {
        size: (v) => (v === undefined || v === "" ? 0 : typeof v === "string" ? lengthDelimitedSize(n, Buffer.byteLength(v)) : -1),
        write: (b, v) => {
          if (!v) return;
          const length = Buffer.byteLength(v as string);
          b.lengthDelimitedHead(n, length).utf8(v as string, length);
        },
      };
    default:
      return null;
  }
}

/**
 * An encoder for `schema` when all its fields are implicit-presence int32, uint32, enum, bool or string fields
 * (a count, a name, a status: most answers of a mutation), else undefined. It takes a message or an init object
 * and writes what toBinary(create(schema, value)) writes; anything else (null, a wrong type, a number out of
 * range, unknown fields kept from a decode) is left to protobuf-es.
 */
export function compileEncoder(schema: DescMessage): CompiledEncoder | undefined {
  if (schema.oneofs.length > 0) return undefined;
  const fields: { name: string; size: FieldSize; write: FieldWrite }[] = [];
  // In field-number order, as toBinary writes them.
  for (const field of [...schema.fields].sort((a, b) => a.number - b.number)) {
    const encoding = fieldEncoding(field);
    if (!encoding) return undefined;
    fields.push({ name: field.localName, ...encoding });
  }
  return (value) => {
    if (!value || typeof value !== "object") return undefined;
    const object = value as Record<string, unknown>;
    if (object.$unknown !== undefined || (object.$typeName !== undefined && object.$typeName !== schema.typeName)) return undefined;
    let size = 0;
    for (const field of fields) {
      const fieldSize = field.size(object[field.name]);
      if (fieldSize < 0) return undefined;
      size += fieldSize;
    }
    const buffer = new WireBuffer(size);
    for (const field of fields) field.write(buffer, object[field.name]);
    return buffer.done();
  };
}
