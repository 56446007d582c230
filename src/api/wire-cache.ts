// Answers built from parts already encoded. GetGraph and ListGraphs answer the same stored graph over and over;
// protobuf-es's reflective create/toBinary of a graph costs ~100 µs, more than the gRPC hop itself, and a list
// of 100 graphs ~10 ms. A message registered here carries a function producing its wire bytes (cached parts plus
// the few live fields); encodeMessage splices those bytes into the answer instead of encoding the message again.
// The message itself stays complete and correct, so the Connect transport (JSON or binary, encoded by
// connect-node) and in-process callers see no difference. Protobuf's wire format allows fields in any order and
// repeated elements written apart, which is what splicing relies on.
import { toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

const encodings = new WeakMap<object, () => Uint8Array>();

/** Registers how `message` encodes; returns it. The function must produce exactly toBinary(message). */
export function withEncoding<T extends object>(message: T, encode: () => Uint8Array): T {
  encodings.set(message, encode);
  return message;
}

function encodingOf(value: unknown): (() => Uint8Array) | undefined {
  return value !== null && typeof value === "object" ? encodings.get(value) : undefined;
}

/** toBinary, with every registered message (a message field, or all elements of a repeated one) spliced in. */
export function encodeMessage(schema: DescMessage, message: Message): Uint8Array {
  const own = encodingOf(message);
  if (own) return own();
  let writer: BinaryWriter | undefined;
  let rest: Record<string, unknown> | undefined;
  const fields = message as unknown as Record<string, unknown>;
  for (const field of schema.fields) {
    if (field.fieldKind === "list" && field.listKind === "message") {
      const list = fields[field.localName] as unknown[];
      if (list.length === 0 || !list.every((v) => encodings.has(v as object))) continue;
      writer ??= new BinaryWriter();
      for (const value of list) writer.tag(field.number, WireType.LengthDelimited).bytes(encodings.get(value as object)!());
      (rest ??= { ...fields })[field.localName] = [];
    } else if (field.fieldKind === "message") {
      const encode = encodingOf(fields[field.localName]);
      if (!encode) continue;
      writer ??= new BinaryWriter();
      writer.tag(field.number, WireType.LengthDelimited).bytes(encode());
      (rest ??= { ...fields })[field.localName] = undefined;
    }
  }
  if (!writer) return toBinary(schema, message);
  writer.raw(toBinary(schema, rest as unknown as Message));
  return writer.finish();
}
