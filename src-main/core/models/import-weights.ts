/**
 * Weights trained outside TensorFlow.js (scripts/train_torch.py: the same networks in PyTorch, for
 * GPU workstations) into a Mend model. The export names each convolution as the builders in
 * architectures.ts do, with its kernel in tfjs order [k, k, cin, cout] and its bias, as
 * little-endian float32 in base64; every convolution of the built model must be matched exactly
 * once, with the same shape, so a mismatch between the two definitions fails loudly.
 */
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import { type ArchSpec, buildModel } from './architectures.js';
import { MendConv } from './layers.js';

export interface ExportedConv {
  name: string;
  kernelShape: number[];
  kernel: string;
  bias: string;
}

/** What train_torch.py writes (the fields read here). */
export interface WeightsExport {
  arch: ArchSpec;
  layers: ExportedConv[];
  command: string;
  data: string[];
  images: number;
  steps: number;
  batch: number;
  patch: number;
  noise: string;
  wallSeconds: number;
  patchesPerSecond: number;
  backend: string;
  lossLog: [number, number, number][];
}

function floats(base64: string, count: number, what: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== count * 4) throw new MendError('model', `${what}: ${bytes.length / 4} values, expected ${count}`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(4 * i);
  return out;
}

/** Builds the export's architecture and sets every convolution's weights by name. */
export function modelFromExport(exp: WeightsExport): tf.LayersModel {
  const model = buildModel(exp.arch);
  const byName = new Map(exp.layers.map((l) => [l.name, l]));
  for (const layer of model.layers) {
    if (!(layer instanceof MendConv)) continue;
    const conv = byName.get(layer.name);
    if (!conv) throw new MendError('model', `the weights have no convolution "${layer.name}"`);
    const shape = [layer.kernelSize, layer.kernelSize, layer.inChannels, layer.filters];
    if (conv.kernelShape.join() !== shape.join()) {
      throw new MendError('model', `convolution "${layer.name}" is [${conv.kernelShape}] in the weights, [${shape}] in the model`);
    }
    const kernel = floats(conv.kernel, shape.reduce((a, b) => a * b, 1), `${layer.name} kernel`);
    const bias = floats(conv.bias, layer.filters, `${layer.name} bias`);
    tf.tidy(() => layer.setWeights([tf.tensor4d(kernel, shape as [number, number, number, number]), tf.tensor1d(bias)]));
    byName.delete(layer.name);
  }
  if (byName.size > 0) throw new MendError('model', `the weights have convolutions the model lacks: ${[...byName.keys()].join(', ')}`);
  return model;
}
