/**
 * The architectures Mend trains, as serialisable specs and a builder for each.
 *
 * Every model takes one NHWC input of `channels + 1` planes when it is conditioned (the noise
 * level map for denoisers, the mask for inpainters) and returns a `channels`-plane image in
 * [0,1]-ish float. One layer is always named 'code': the bottleneck that the sparse and
 * contractive regularizers act on and that retrieval and the lab read.
 *
 * The residual and U-Net builders name every convolution after its place in the network (c1,
 * e0_1, u0, d0_1, noise, ...), so that weights trained elsewhere (scripts/train_torch.py, the
 * same networks in PyTorch) are matched by name (import-weights.ts), not by layer order.
 */
import * as tf from '@tensorflow/tfjs';
import { ChannelSlice, MendConv, PixelShuffle, PixelUnshuffle, Subtract } from './layers.js';

export type Conditioning = 'none' | 'noise-map' | 'mask';
export type CodeActivation = 'relu' | 'sigmoid' | 'linear';

/** Pure bottleneck autoencoder: strided encoder, upsampling decoder, no skip connections. */
export interface AutoencoderSpec {
  kind: 'autoencoder';
  channels: number;
  width: number;
  /** Number of halvings of resolution (each: space-to-depth + conv). */
  levels: number;
  codeChannels: number;
  codeActivation: CodeActivation;
  conditioning: Conditioning;
}

/** DnCNN-like residual denoiser at full resolution: predicts the noise and subtracts it. */
export interface ResidualSpec {
  kind: 'residual';
  channels: number;
  width: number;
  depth: number;
  codeActivation: CodeActivation;
  conditioning: Conditioning;
}

/** U-Net (FFDNet-like, starts at half resolution): most of the work at low resolution. */
export interface UnetSpec {
  kind: 'unet';
  channels: number;
  width: number;
  levels: number;
  /** Convolutions per level on each side. */
  blocks: number;
  codeActivation: CodeActivation;
  conditioning: Conditioning;
}

export type ArchSpec = AutoencoderSpec | ResidualSpec | UnetSpec;

/** Input planes a model of this spec expects. */
export function inputChannels(spec: ArchSpec): number {
  return spec.channels + (spec.conditioning === 'none' ? 0 : 1);
}

/** Image sides must be a multiple of this (padding in infer/ takes care of it). */
export function sizeMultiple(spec: ArchSpec): number {
  if (spec.kind === 'residual') return 1;
  // The U-Net starts at half resolution, then halves levels-1 more times.
  return 2 ** spec.levels;
}

type Sym = tf.SymbolicTensor;
const conv = (x: Sym, filters: number, activation: 'relu' | 'linear' | 'sigmoid', name?: string, kernelSize = 3): Sym =>
  new MendConv({ filters, kernelSize, activation, name }).apply(x) as Sym;

function buildAutoencoder(s: AutoencoderSpec, input: Sym): Sym {
  let x = input;
  let width = s.width;
  for (let l = 0; l < s.levels; l++) {
    x = new PixelUnshuffle().apply(x) as Sym;
    x = conv(x, width, 'relu');
    width *= 2;
  }
  x = conv(x, s.codeChannels, s.codeActivation, 'code');
  for (let l = s.levels - 1; l >= 0; l--) {
    width /= 2;
    x = conv(x, width, 'relu');
    x = conv(x, l === 0 ? 4 * s.channels : 4 * (width / 2), l === 0 ? 'linear' : 'relu');
    x = new PixelShuffle().apply(x) as Sym;
  }
  return x;
}

/**
 * The layer that predicts the noise in residual models, initialised small: at 0.1 (the default
 * for linear layers) a fresh model's output was up to ~0.09 (mean absolute) away from its input,
 * mostly a random brightness offset; at 0.01 it starts within ~0.01 of the identity.
 */
const noiseConv = (x: Sym, filters: number): Sym =>
  new MendConv({ filters, kernelSize: 3, activation: 'linear', initScale: 0.01, name: 'noise' }).apply(x) as Sym;

function residualOutput(s: ArchSpec, input: Sym, noise: Sym): Sym {
  const image = s.conditioning === 'none' ? input : (new ChannelSlice({ start: 0, size: s.channels }).apply(input) as Sym);
  return new Subtract().apply([image, noise]) as Sym;
}

function buildResidual(s: ResidualSpec, input: Sym): Sym {
  let x = conv(input, s.width, 'relu', 'c0');
  const middle = Math.floor((s.depth - 2) / 2);
  for (let i = 0; i < s.depth - 2; i++) {
    x = i === middle ? conv(x, s.width, s.codeActivation, 'code') : conv(x, s.width, 'relu', `c${i + 1}`);
  }
  return residualOutput(s, input, noiseConv(x, s.channels));
}

function buildUnet(s: UnetSpec, input: Sym): Sym {
  const skips: Sym[] = [];
  let x = new PixelUnshuffle().apply(input) as Sym;
  let width = s.width;
  for (let l = 0; l < s.levels; l++) {
    if (l > 0) x = new PixelUnshuffle().apply(x) as Sym;
    const last = l === s.levels - 1;
    for (let b = 0; b <= s.blocks; b++) {
      const isCode = last && b === s.blocks;
      x = conv(x, width, isCode ? s.codeActivation : 'relu', isCode ? 'code' : `e${l}_${b}`);
    }
    skips.push(x);
    if (!last) width *= 2;
  }
  for (let l = s.levels - 2; l >= 0; l--) {
    // Up: to 4x the next width, depth-to-space, then add the skip (cheaper than concat).
    x = conv(x, 4 * (width / 2), 'relu', `u${l}`);
    x = new PixelShuffle().apply(x) as Sym;
    width /= 2;
    x = tf.layers.add().apply([x, skips[l]]) as Sym;
    for (let b = 0; b < s.blocks; b++) x = conv(x, width, 'relu', `d${l}_${b}`);
  }
  const noise = new PixelShuffle().apply(noiseConv(x, 4 * s.channels)) as Sym;
  return residualOutput(s, input, noise);
}

/** Builds an untrained model for a spec. */
export function buildModel(spec: ArchSpec): tf.LayersModel {
  const input = tf.input({ shape: [null, null, inputChannels(spec)], name: 'image' });
  const output =
    spec.kind === 'autoencoder' ? buildAutoencoder(spec, input)
    : spec.kind === 'residual' ? buildResidual(spec, input)
    : buildUnet(spec, input);
  return tf.model({ inputs: input, outputs: output, name: spec.kind });
}

/** Multiply-adds x2 per output pixel of one forward pass (convolutions only). */
export function flopsPerPixel(model: tf.LayersModel, height = 64, width = 64): number {
  let flops = 0;
  for (const layer of model.layers) {
    if (!(layer instanceof MendConv)) continue;
    // Output resolution relative to the image, read from a probe run (levels differ).
    const scale = layerScale(model, layer, height, width);
    flops += 2 * layer.kernelSize * layer.kernelSize * layer.inChannels * layer.filters * scale;
  }
  return flops;
}

const scaleCache = new WeakMap<tf.LayersModel, Map<string, number>>();

function layerScale(model: tf.LayersModel, layer: tf.layers.Layer, height: number, width: number): number {
  let map = scaleCache.get(model);
  if (!map) {
    map = new Map();
    const convs = model.layers.filter((l) => l instanceof MendConv);
    const probe = tf.model({ inputs: model.inputs, outputs: convs.map((l) => l.output as tf.SymbolicTensor) });
    const outs = tf.tidy(() => {
      const r = probe.predict(tf.zeros([1, height, width, model.inputs[0].shape[3] as number])) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(r) ? r : [r]).map((t) => (t.shape[1] as number) * (t.shape[2] as number));
    });
    convs.forEach((l, i) => map!.set(l.name, outs[i] / (height * width)));
    scaleCache.set(model, map);
  }
  return map.get(layer.name) ?? 1;
}
