/**
 * A minimal ONNX protobuf writer: exactly the messages and fields an inference graph of
 * Mend's models needs (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto and the type/shape messages), with field numbers from onnx/onnx.proto.
 *
 * Hand-written rather than protobufjs: we only ever write, the subset is ~10 fields of ~8
 * messages, and protobuf's wire format for them is three encodings (varint, length-delimited,
 * fixed32). A library would add a dependency and a .proto file to maintain for ~100 lines.
 * Repeated scalars are written unpacked, as proto2 (which onnx.proto is) does by default;
 * readers accept both.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Protobuf bytes under construction: a list of chunks joined once at the end. */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /** Unsigned (or two's-complement 64-bit, for negative int64) base-128 varint. */
  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    if (!Number.isInteger(Number(value))) throw new Error(`ONNX writer: field ${field} needs an integer, got ${value}`);
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  strings(field: number, values: readonly string[]): this {
    for (const v of values) this.string(field, v);
    return this;
  }

  message(field: number, inner: Writer): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export type OnnxAttribute =
  | { name: string; int: number }
  | { name: string; ints: readonly number[] }
  | { name: string; float: number }
  | { name: string; string: string };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: readonly OnnxAttribute[];
}

/** A constant (initializer). float32 data is stored as little-endian raw_data. */
export type OnnxTensor =
  | { name: string; dims: readonly number[]; type: 'float32'; data: Float32Array }
  | { name: string; dims: readonly number[]; type: 'int64'; data: readonly number[] };

/** A graph input or output: float32 with fixed (number) or symbolic (string) dimensions. */
export interface OnnxValueInfo {
  name: string;
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  metadata?: Readonly<Record<string, string>>;
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

function attribute(a: OnnxAttribute): Writer {
  const w = new Writer().string(1, a.name);
  if ('int' in a) return w.int(3, a.int).int(20, ATTR_INT);
  if ('ints' in a) return w.ints(8, a.ints).int(20, ATTR_INTS);
  if ('float' in a) return w.float(2, a.float).int(20, ATTR_FLOAT);
  return w.string(4, a.string).int(20, ATTR_STRING);
}

function node(n: OnnxNode): Writer {
  const w = new Writer().strings(1, n.inputs).strings(2, n.outputs);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attributes ?? []) w.message(5, attribute(a));
  return w;
}

function tensor(t: OnnxTensor): Writer {
  const w = new Writer().ints(1, t.dims);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new Error(`ONNX writer: tensor ${t.name} has ${t.data.length} values for dims [${t.dims}]`);
  if (t.type === 'float32') {
    w.int(2, ONNX_FLOAT).string(8, t.name);
    // raw_data is little-endian by the ONNX spec, whatever the host's byte order.
    const raw = new Uint8Array(4 * t.data.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < t.data.length; i++) view.setFloat32(4 * i, t.data[i]!, true);
    w.bytes(9, raw);
  } else {
    w.int(2, ONNX_INT64).string(8, t.name);
    // int64_data (field 7), one varint each.
    w.ints(7, t.data);
  }
  return w;
}

function valueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, ONNX_FLOAT).message(2, shape);
  const type = new Writer().message(1, tensorType);
  return new Writer().string(1, v.name).message(2, type);
}

/** Serialises a model to the bytes of a .onnx file. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const g = new Writer();
  for (const n of m.graph.nodes) g.message(1, node(n));
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, tensor(t));
  for (const i of m.graph.inputs) g.message(11, valueInfo(i));
  for (const o of m.graph.outputs) g.message(12, valueInfo(o));

  const w = new Writer().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, g);
  w.message(8, new Writer().string(1, '').int(2, m.opsetVersion));
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, new Writer().string(1, key).string(2, value));
  return w.finish();
}
