// kubectl's typed commands (`kubectl create namespace|deployment|service`) send their bodies as Kubernetes
// protobuf ("k8s\0" + runtime.Unknown), not JSON, and client-go does not fall back on 415. This decodes the
// few kinds those commands create into the JSON a client would have sent. Field numbers come from
// k8s.io/api's generated.proto. Go's protobuf encoder writes every non-pointer field, so zero values of
// non-pointer fields are dropped; a field this table does not know is rejected if it carries data, rather
// than silently lost (the message tells the user to send YAML/JSON with `kubectl apply -f`).
import { ApiError } from "./api-error.js";

type Scalar = "string" | "int" | "bool" | "time" | "quantity" | "intOrString" | "map" | "quantityMap";
interface Field {
  name: string;
  type: Scalar | string; // a scalar or the name of a message in SCHEMA
  repeated?: boolean;
  /** A pointer field in Go: present means set, even to zero. */
  keepZero?: boolean;
}
type Message = Record<number, Field>;

const f = (name: string, type: Field["type"], opts: Omit<Field, "name" | "type"> = {}): Field => ({ name, type, ...opts });

const SCHEMA: Record<string, Message> = {
  ObjectMeta: {
    1: f("name", "string"),
    2: f("generateName", "string"),
    3: f("namespace", "string"),
    4: f("selfLink", "string"),
    5: f("uid", "string"),
    6: f("resourceVersion", "string"),
    7: f("generation", "int"),
    8: f("creationTimestamp", "time"),
    9: f("deletionTimestamp", "time"),
    10: f("deletionGracePeriodSeconds", "int", { keepZero: true }),
    11: f("labels", "map"),
    12: f("annotations", "map"),
    13: f("ownerReferences", "OwnerReference", { repeated: true }),
    14: f("finalizers", "string", { repeated: true }),
  },
  OwnerReference: {
    1: f("kind", "string"),
    3: f("name", "string"),
    4: f("uid", "string"),
    5: f("apiVersion", "string"),
    6: f("controller", "bool", { keepZero: true }),
    7: f("blockOwnerDeletion", "bool", { keepZero: true }),
  },
  Namespace: { 1: f("metadata", "ObjectMeta"), 2: f("spec", "NamespaceSpec"), 3: f("status", "Ignored") },
  NamespaceSpec: { 1: f("finalizers", "string", { repeated: true }) },
  Deployment: { 1: f("metadata", "ObjectMeta"), 2: f("spec", "DeploymentSpec"), 3: f("status", "Ignored") },
  DeploymentSpec: {
    1: f("replicas", "int", { keepZero: true }),
    2: f("selector", "LabelSelector"),
    3: f("template", "PodTemplateSpec"),
    4: f("strategy", "DeploymentStrategy"),
    5: f("minReadySeconds", "int"),
    6: f("revisionHistoryLimit", "int", { keepZero: true }),
    7: f("paused", "bool"),
    9: f("progressDeadlineSeconds", "int", { keepZero: true }),
  },
  LabelSelector: { 1: f("matchLabels", "map"), 2: f("matchExpressions", "LabelSelectorRequirement", { repeated: true }) },
  LabelSelectorRequirement: { 1: f("key", "string"), 2: f("operator", "string"), 3: f("values", "string", { repeated: true }) },
  DeploymentStrategy: { 1: f("type", "string"), 2: f("rollingUpdate", "RollingUpdateDeployment") },
  RollingUpdateDeployment: { 1: f("maxUnavailable", "intOrString"), 2: f("maxSurge", "intOrString") },
  PodTemplateSpec: { 1: f("metadata", "ObjectMeta"), 2: f("spec", "PodSpec") },
  PodSpec: {
    2: f("containers", "Container", { repeated: true }),
    3: f("restartPolicy", "string"),
    4: f("terminationGracePeriodSeconds", "int", { keepZero: true }),
    5: f("activeDeadlineSeconds", "int", { keepZero: true }),
    6: f("dnsPolicy", "string"),
    7: f("nodeSelector", "map"),
    8: f("serviceAccountName", "string"),
    9: f("serviceAccount", "string"),
    10: f("nodeName", "string"),
    11: f("hostNetwork", "bool"),
    12: f("hostPID", "bool"),
    13: f("hostIPC", "bool"),
    16: f("hostname", "string"),
    17: f("subdomain", "string"),
    19: f("schedulerName", "string"),
    20: f("initContainers", "Container", { repeated: true }),
    21: f("automountServiceAccountToken", "bool", { keepZero: true }),
    24: f("priorityClassName", "string"),
    25: f("priority", "int", { keepZero: true }),
  },
  Container: {
    1: f("name", "string"),
    2: f("image", "string"),
    3: f("command", "string", { repeated: true }),
    4: f("args", "string", { repeated: true }),
    5: f("workingDir", "string"),
    6: f("ports", "ContainerPort", { repeated: true }),
    7: f("env", "EnvVar", { repeated: true }),
    8: f("resources", "ResourceRequirements"),
    13: f("terminationMessagePath", "string"),
    14: f("imagePullPolicy", "string"),
    16: f("stdin", "bool"),
    17: f("stdinOnce", "bool"),
    18: f("tty", "bool"),
    20: f("terminationMessagePolicy", "string"),
  },
  ContainerPort: {
    1: f("name", "string"),
    2: f("hostPort", "int"),
    3: f("containerPort", "int"),
    4: f("protocol", "string"),
    5: f("hostIP", "string"),
  },
  EnvVar: { 1: f("name", "string"), 2: f("value", "string") },
  ResourceRequirements: { 1: f("limits", "quantityMap"), 2: f("requests", "quantityMap") },
  Service: { 1: f("metadata", "ObjectMeta"), 2: f("spec", "ServiceSpec"), 3: f("status", "Ignored") },
  ServiceSpec: {
    1: f("ports", "ServicePort", { repeated: true }),
    2: f("selector", "map"),
    3: f("clusterIP", "string"),
    4: f("type", "string"),
    5: f("externalIPs", "string", { repeated: true }),
    7: f("sessionAffinity", "string"),
    8: f("loadBalancerIP", "string"),
    9: f("loadBalancerSourceRanges", "string", { repeated: true }),
    10: f("externalName", "string"),
    11: f("externalTrafficPolicy", "string"),
    12: f("healthCheckNodePort", "int"),
    13: f("publishNotReadyAddresses", "bool"),
  },
  ServicePort: {
    1: f("name", "string"),
    2: f("protocol", "string"),
    3: f("port", "int"),
    4: f("targetPort", "intOrString"),
    5: f("nodePort", "int"),
    6: f("appProtocol", "string", { keepZero: true }),
  },
};

const TOP_LEVEL: Record<string, string> = { "v1/Namespace": "Namespace", "apps/v1/Deployment": "Deployment", "v1/Service": "Service" };

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface RawField {
  num: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function unsupported(message: string): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `${message}; the simulated API server decodes protobuf only for what kubectl create namespace|deployment|service send: use JSON or YAML (kubectl apply -f)`,
  );
}

function readFields(buf: Buffer): RawField[] {
  const out: RawField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw unsupported("truncated protobuf varint");
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw unsupported("malformed protobuf varint");
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const num = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ num, wire, varint: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw unsupported("truncated protobuf field");
      out.push({ num, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw unsupported(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const str = (r: RawField) => (r.bytes ?? Buffer.alloc(0)).toString("utf8");
const int = (r: RawField) => Number(BigInt.asIntN(64, r.varint ?? 0n));

function decodeMap(entries: RawField[], quantity: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = readFields(e.bytes ?? Buffer.alloc(0));
    const k = kv.find((x) => x.num === 1);
    const v = kv.find((x) => x.num === 2);
    out[k ? str(k) : ""] = v ? (quantity ? decodeQuantity(v) : str(v)) : "";
  }
  return out;
}

function decodeQuantity(r: RawField): string {
  const s = readFields(r.bytes ?? Buffer.alloc(0)).find((x) => x.num === 1);
  return s ? str(s) : "0";
}

function decodeScalar(type: string, r: RawField): unknown {
  switch (type) {
    case "string":
      return str(r);
    case "int":
      return int(r);
    case "bool":
      return (r.varint ?? 0n) !== 0n;
    case "time": {
      const t = readFields(r.bytes ?? Buffer.alloc(0));
      const secs = t.find((x) => x.num === 1);
      return secs && int(secs) !== 0 ? new Date(int(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
    }
    case "intOrString": {
      const t = readFields(r.bytes ?? Buffer.alloc(0));
      const kind = t.find((x) => x.num === 1);
      if (kind && int(kind) === 1) return str(t.find((x) => x.num === 3) ?? { num: 3, wire: 2 });
      return int(t.find((x) => x.num === 2) ?? { num: 2, wire: 0 });
    }
    case "quantity":
      return decodeQuantity(r);
    default:
      return decodeMessage(type, r.bytes ?? Buffer.alloc(0));
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

function decodeMessage(type: string, buf: Buffer): Record<string, unknown> | undefined {
  if (type === "Ignored") return undefined;
  const schema = SCHEMA[type];
  if (!schema) throw unsupported(`no protobuf schema for ${type}`);
  const out: Record<string, unknown> = {};
  const raw = readFields(buf);
  const byNum = new Map<number, RawField[]>();
  for (const r of raw) (byNum.get(r.num) ?? byNum.set(r.num, []).get(r.num)!).push(r);
  for (const [num, rs] of byNum) {
    const field = schema[num];
    if (!field) {
      // An unknown field written only because Go encodes zero values is harmless; one with data is not.
      if (rs.every((r) => (r.wire === 0 && r.varint === 0n) || (r.wire === 2 && r.bytes!.length === 0))) continue;
      throw unsupported(`${type} field ${num} is not understood`);
    }
    let value: unknown;
    if (field.type === "map" || field.type === "quantityMap") value = decodeMap(rs, field.type === "quantityMap");
    else if (field.repeated) value = rs.map((r) => decodeScalar(field.type, r));
    else value = decodeScalar(field.type, rs[rs.length - 1]!);
    if (value === undefined) continue;
    if (isEmpty(value) && !(field.keepZero && (value === 0 || value === false || value === ""))) continue;
    out[field.name] = value;
  }
  return out;
}

/** Decodes a Kubernetes protobuf request body into the equivalent JSON object. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw unsupported("protobuf body without the k8s envelope");
  const unknown = readFields(body.subarray(4));
  const typeMeta = readFields(unknown.find((r) => r.num === 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = str(typeMeta.find((r) => r.num === 1) ?? { num: 1, wire: 2 });
  const kind = str(typeMeta.find((r) => r.num === 2) ?? { num: 2, wire: 2 });
  const message = TOP_LEVEL[`${apiVersion}/${kind}`];
  if (!message) throw unsupported(`protobuf for ${apiVersion} ${kind} is not supported`);
  const encoding = unknown.find((r) => r.num === 3);
  if (encoding && str(encoding) !== "") throw unsupported(`protobuf content encoding ${str(encoding)} is not supported`);
  const raw = unknown.find((r) => r.num === 2)?.bytes ?? Buffer.alloc(0);
  return { apiVersion, kind, ...decodeMessage(message, raw) };
}
