// Answers whose wire bytes are made without building their message. GetGraph and ListGraphs answer the same
// stored graphs over and over; protobuf-es's reflective create/toBinary of a graph costs ~100 µs, more than the
// gRPC hop itself, and a list of 100 graphs ~10 ms. An answer made by lazyAnswer carries a function producing its
// bytes (graph-answers.ts: cached parts plus a few live fields), and builds its one field's content only when
// read. The gRPC encoder (grpc-definition.ts) asks encodeMessage, which uses those bytes; the Connect transport
// and in-process callers read the field and get the complete message. Buffers are written by size, in one
// allocation: BinaryWriter's many small arrays cost more than the encoding they save.
import { create, toBinary, type DescMessage, type Message, type MessageShape } from "@bufbuild/protobuf";

const ENCODE = Symbol("smo.encode");

type Encoded = { [ENCODE]?: () => Uint8Array };

/**
 * An answer of `schema` whose field `field` is computed on first read, and whose bytes come from `encode`
 * (which must produce exactly what toBinary of the complete answer decodes to). Writing the field drops the
 * bytes: the answer then encodes the usual way. The mark is not enumerable, so a copy of the answer is not
 * marked either.
 */
export function lazyAnswer<S extends DescMessage>(schema: S, field: string, build: () => unknown, encode: () => Uint8Array): MessageShape<S> {
  const answer = create(schema) as unknown as Record<string | symbol, unknown>;
  const settle = (value: unknown, keepEncoding: boolean) => {
    Object.defineProperty(answer, field, { value, enumerable: true, writable: true, configurable: true });
    if (!keepEncoding) Object.defineProperty(answer, ENCODE, { value: undefined });
    return value;
  };
  Object.defineProperty(answer, field, {
    enumerable: true,
    configurable: true,
    get: () => settle(build(), true),
    set: (value: unknown) => settle(value, false),
  });
  Object.defineProperty(answer, ENCODE, { value: encode, configurable: true, enumerable: false });
  return answer as unknown as MessageShape<S>;
}

/** toBinary, or the bytes a lazy answer carries. */
export function encodeMessage(schema: DescMessage, message: Message): Uint8Array {
  const encode = (message as Encoded)[ENCODE];
  return encode ? encode() : toBinary(schema, message);
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

/** Size of a varint field as protobuf writes it (nothing for 0: implicit presence). */
export function varintFieldSize(fieldNumber: number, value: number): number {
  return value === 0 ? 0 : varintSize(fieldNumber * 8) + varintSize(value);
}

/** Size of a length-delimited field with `length` bytes of content. */
export function lengthDelimitedSize(fieldNumber: number, length: number): number {
  return varintSize(fieldNumber * 8 + 2) + varintSize(length) + length;
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

  /** Bytes [start, end) of `source`, without making a view of them. */
  copy(source: Buffer, start: number, end: number): this {
    this.at += source.copy(this.bytes, this.at, start, end);
    return this;
  }

  /** A string's UTF-8 bytes; `byteLength` is Buffer.byteLength(text) (the caller sized the buffer with it). */
  utf8(text: string, byteLength: number): this {
    if (this.bytes.write(text, this.at, byteLength, "utf8") !== byteLength) throw new Error("wire buffer: UTF-8 length mismatch");
    this.at += byteLength;
    return this;
  }

  /** Every byte was written: the size given was exact. */
  done(): Buffer {
    if (this.at !== this.bytes.length) throw new Error(`wire buffer of ${this.bytes.length} bytes holds ${this.at}`);
    return this.bytes;
  }
}
