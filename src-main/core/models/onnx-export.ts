/**
 * TensorFlow.js layers model -> ONNX, for the layers Mend's architectures are built from
 * (layers.ts, architectures.ts): MendConv, PixelUnshuffle, PixelShuffle, ChannelSlice,
 * Subtract, plus the stock Add, Concatenate and Activation layers and the input.
 *
 * The ONNX graph keeps the tfjs interface (NHWC in, NHWC out, input named 'image', output
 * 'output', batch/height/width symbolic) so both runtimes take the same tile buffers, and
 * computes in NCHW inside, the layout ONNX Runtime's convolution kernels are written for:
 *   image NHWC -> Transpose -> Conv/Relu/... (NCHW) -> Transpose -> output NHWC.
 * Layout notes for the channel-reordering layers (C = channels of the smaller side):
 *  - PixelUnshuffle puts pixel (2y+dy, 2x+dx, c) in channel (2*dy+dx)*C + c: that is
 *    SpaceToDepth, whose output channel is (dy*2+dx)*C + c;
 *  - PixelShuffle is its inverse: DepthToSpace in DCR mode (depth-column-row), not CRD.
 * Any other layer class is refused with a message that names it.
 */
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import { ChannelSlice, MendConv } from './layers.js';
import { encodeOnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** Opset 13 (ONNX 1.8, 2020): every op used here has had its current form since then. */
export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;
export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'output';

/** NHWC axis -> NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];

interface Emitter {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
}

function activationNode(e: Emitter, activation: string, input: string, output: string, name: string): void {
  const op = activation === 'relu' ? 'Relu' : activation === 'sigmoid' ? 'Sigmoid' : activation === 'tanh' ? 'Tanh' : undefined;
  if (activation === 'linear') e.nodes.push({ op: 'Identity', inputs: [input], outputs: [output], name });
  else if (op) e.nodes.push({ op, inputs: [input], outputs: [output], name });
  else throw new MendError('model', `ONNX export: activation "${activation}" is not supported (relu, sigmoid, tanh, linear are)`);
}

/** [k,k,Cin,Cout] (tfjs HWIO) -> [Cout,Cin,k,k] (ONNX OIHW). */
function oihw(kernel: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < cin; c++) {
        const src = ((i * k + j) * cin + c) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + c) * k + i) * k + j] = kernel[src + o]!;
      }
    }
  }
  return out;
}

function emitConv(e: Emitter, layer: MendConv, input: string, output: string): void {
  const [kernel, bias] = layer.getWeights();
  const [k, kw, cin, cout] = kernel.shape as number[];
  if (k !== kw || k % 2 !== 1) throw new MendError('model', `ONNX export: ${layer.name} has a ${k}x${kw} kernel; only odd square kernels are supported`);
  const w = `${layer.name}/kernel`;
  const b = `${layer.name}/bias`;
  e.initializers.push({ name: w, dims: [cout, cin, k, k], type: 'float32', data: oihw(kernel.dataSync() as Float32Array, k, cin, cout) });
  e.initializers.push({ name: b, dims: [cout], type: 'float32', data: Float32Array.from(bias.dataSync() as Float32Array) });
  const p = (k - 1) / 2;
  const convOut = layer.activation === 'linear' ? output : `${output}/conv`;
  e.nodes.push({
    op: 'Conv', inputs: [input, w, b], outputs: [convOut], name: layer.name,
    attributes: [
      { name: 'kernel_shape', ints: [k, k] },
      { name: 'pads', ints: [p, p, p, p] },
      { name: 'strides', ints: [1, 1] },
      { name: 'dilations', ints: [1, 1] },
      { name: 'group', int: 1 },
    ],
  });
  if (layer.activation !== 'linear') activationNode(e, layer.activation, convOut, output, `${layer.name}/${layer.activation}`);
}

function symbolicInputs(layer: tf.layers.Layer): tf.SymbolicTensor[] {
  const input = layer.input as tf.SymbolicTensor | tf.SymbolicTensor[];
  return Array.isArray(input) ? input : [input];
}

export interface OnnxExportOptions {
  /** Stored in the model's metadata_props (e.g. the Mend card id and architecture). */
  metadata?: Record<string, string>;
  docString?: string;
}

/**
 * Converts a (single-input, single-output) Mend model to ONNX bytes. Deterministic: the same
 * weights give the same bytes, which lets a loader tell a stale model.onnx from a current one.
 */
export function exportOnnx(model: tf.LayersModel, opts: OnnxExportOptions = {}): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new MendError('model', `ONNX export: expected one input and one output, the model has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const e: Emitter = { nodes: [], initializers: [] };
  const names = new Map<number, string>();
  const nameOf = (t: tf.SymbolicTensor): string => {
    const n = names.get(t.id);
    if (n === undefined) throw new MendError('model', `ONNX export: tensor ${t.name} is used before it is computed`);
    return n;
  };
  const cin = model.inputs[0].shape[3];
  const cout = model.outputs[0].shape[3];
  if (typeof cin !== 'number' || typeof cout !== 'number') throw new MendError('model', 'ONNX export: the channel counts must be fixed');

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const out = layer.output as tf.SymbolicTensor;
    if (Array.isArray(out)) throw new MendError('model', `ONNX export: layer ${layer.name} (${cls}) has several outputs`);
    // Value names get a suffix: the input layer itself is named like the graph input.
    const outName = `${layer.name}:0`;
    if (cls === 'InputLayer') {
      e.nodes.push({ op: 'Transpose', inputs: [ONNX_INPUT], outputs: [outName], name: `${layer.name}/to_nchw`, attributes: [{ name: 'perm', ints: [0, 3, 1, 2] }] });
      names.set(out.id, outName);
      continue;
    }
    const ins = symbolicInputs(layer).map(nameOf);
    if (layer instanceof MendConv) emitConv(e, layer, ins[0]!, outName);
    else if (cls === 'PixelUnshuffle') {
      e.nodes.push({ op: 'SpaceToDepth', inputs: [ins[0]!], outputs: [outName], name: layer.name, attributes: [{ name: 'blocksize', int: 2 }] });
    } else if (cls === 'PixelShuffle') {
      e.nodes.push({
        op: 'DepthToSpace', inputs: [ins[0]!], outputs: [outName], name: layer.name,
        attributes: [{ name: 'blocksize', int: 2 }, { name: 'mode', string: 'DCR' }],
      });
    } else if (layer instanceof ChannelSlice) {
      const [s, en, ax] = [`${layer.name}/starts`, `${layer.name}/ends`, `${layer.name}/axes`];
      e.initializers.push({ name: s, dims: [1], type: 'int64', data: [layer.start] });
      e.initializers.push({ name: en, dims: [1], type: 'int64', data: [layer.start + layer.size] });
      e.initializers.push({ name: ax, dims: [1], type: 'int64', data: [1] });
      e.nodes.push({ op: 'Slice', inputs: [ins[0]!, s, en, ax], outputs: [outName], name: layer.name });
    } else if (cls === 'Subtract') {
      e.nodes.push({ op: 'Sub', inputs: [ins[0]!, ins[1]!], outputs: [outName], name: layer.name });
    } else if (cls === 'Add') {
      // ONNX Add is binary: chain it for more inputs.
      let acc = ins[0]!;
      for (let i = 1; i < ins.length; i++) {
        const o = i === ins.length - 1 ? outName : `${outName}/${i}`;
        e.nodes.push({ op: 'Add', inputs: [acc, ins[i]!], outputs: [o], name: i === ins.length - 1 ? layer.name : o });
        acc = o;
      }
    } else if (cls === 'Concatenate') {
      const axis = (layer.getConfig().axis as number | undefined) ?? -1;
      const nhwc = axis < 0 ? axis + 4 : axis;
      e.nodes.push({ op: 'Concat', inputs: ins, outputs: [outName], name: layer.name, attributes: [{ name: 'axis', int: NCHW_AXIS[nhwc]! }] });
    } else if (cls === 'Activation') {
      activationNode(e, String(layer.getConfig().activation), ins[0]!, outName, layer.name);
    } else {
      throw new MendError('model', `ONNX export: layer ${layer.name} of class ${cls} is not supported`);
    }
    names.set(out.id, outName);
  }

  e.nodes.push({
    op: 'Transpose', inputs: [nameOf(model.outputs[0])], outputs: [ONNX_OUTPUT], name: 'output/to_nhwc',
    attributes: [{ name: 'perm', ints: [0, 2, 3, 1] }],
  });
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'mend',
    producerVersion: '1',
    docString: opts.docString,
    graph: {
      name: model.name,
      nodes: e.nodes,
      initializers: e.initializers,
      inputs: [{ name: ONNX_INPUT, shape: ['N', 'H', 'W', cin] }],
      outputs: [{ name: ONNX_OUTPUT, shape: ['N', 'H', 'W', cout] }],
    },
    metadata: opts.metadata,
  });
}
