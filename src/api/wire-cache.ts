// Answers built from parts already encoded. GetGraph and ListGraphs answer the same stored graph over and over;
// protobuf-es's reflective create/toBinary of a graph costs ~100 µs, more than the gRPC hop itself, and a list
// of 100 graphs ~10 ms. A message registered here carries a function producing its wire bytes (cached parts plus
// the few live fields); encodeMessage splices those bytes into the answer instead of encoding the message again.
// The message itself stays complete and correct, so the Connect transport (JSON or binary, encoded by
// connect-node) and in-process callers see no difference. Protobuf's wire format allows fields in any order and
// repeated elements written apart, which is what splicing relies on. Buffers are built by size, in one
// allocation each: BinaryWriter's many small Uint8Arrays cost more than the encoding they save.
import { toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";

const ENCODE = Symbol("smo.encode");

type Encoded = { [ENCODE]?: () => Uint8Array };

/**
 * Registers how `message` encodes; returns it. The function must produce exactly what toBinary(message) decodes
 * to. The mark is not enumerable: a copy of the message (spread, clone) is not registered and encodes normally.
 */
export function withEncoding<T extends object>(message: T, encode: () => Uint8Array): T {
  Object.defineProperty(message, ENCODE, { value: encode, enumerable: false });
  return message;
}

function encodingOf(value: unknown): (() => Uint8Array) | undefined {
  return value !== null && typeof value === "object" ? (value as Encoded)[ENCODE] : undefined;
}

/** toBinary, with every registered message (a message field, or all elements of a repeated one) spliced in. */
export function encodeMessage(schema: DescMessage, message: Message): Uint8Array {
  const own = encodingOf(message);
  if (own) return own();
  const chunks: Uint8Array[] = [];
  let rest: Record<string, unknown> | undefined;
  let spliced = 0;
  const fields = message as unknown as Record<string, unknown>;
  for (const field of schema.fields) {
    if (field.fieldKind === "list" && field.listKind === "message") {
      const list = fields[field.localName] as unknown[];
      const encoders = list.map(encodingOf);
      if (list.length === 0 || encoders.includes(undefined)) continue;
      for (const encode of encoders) lengthDelimited(chunks, field.number, encode!());
      (rest ??= { ...fields })[field.localName] = [];
      spliced++;
    } else if (field.fieldKind === "message") {
      const encode = encodingOf(fields[field.localName]);
      if (!encode) continue;
      lengthDelimited(chunks, field.number, encode());
      (rest ??= { ...fields })[field.localName] = undefined;
      spliced++;
    }
  }
  if (spliced === 0) return toBinary(schema, message);
  // Fields left over (none for GetGraph/ListGraphs answers) are encoded the usual way.
  if (spliced < schema.fields.length) chunks.push(toBinary(schema, rest as unknown as Message));
  return Buffer.concat(chunks);
}

function lengthDelimited(chunks: Uint8Array[], fieldNumber: number, bytes: Uint8Array): void {
  const head = new WireBuffer(varintSize(fieldNumber * 8) + varintSize(bytes.length));
  head.lengthDelimitedHead(fieldNumber, bytes.length);
  chunks.push(head.bytes, bytes);
}

/** Bytes needed by a varint of a non-negative integer below 2^53, or of a negative int32/int64 (10). */
export function varintSize(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** A buffer of known size written front to back (tags, varints, raw bytes). */
export class WireBuffer {
  readonly bytes: Buffer;
  private at = 0;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  /** Sign-extended like protobuf's int32/int64 (a negative value takes 10 bytes). */
  varint(value: number): this {
    if (value < 0) {
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 128n) {
        this.bytes[this.at++] = Number(v & 127n) | 128;
        v >>= 7n;
      }
      this.bytes[this.at++] = Number(v);
      return this;
    }
    while (value >= 128) {
      this.bytes[this.at++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    this.bytes[this.at++] = value;
    return this;
  }

  /** A varint field (wire type 0). */
  varintField(fieldNumber: number, value: number): this {
    return this.varint(fieldNumber * 8).varint(value);
  }

  /** Tag and length of a length-delimited field (wire type 2); the caller writes the content next. */
  lengthDelimitedHead(fieldNumber: number, length: number): this {
    return this.varint(fieldNumber * 8 + 2).varint(length);
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }

  /** Every byte was written: the size given was exact. */
  done(): Buffer {
    if (this.at !== this.bytes.length) throw new Error(`wire buffer of ${this.bytes.length} bytes holds ${this.at}`);
    return this.bytes;
  }
}
