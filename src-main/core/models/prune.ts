/**
 * Channel pruning of residual (DnCNN-like) models: a narrower model that starts from a wider
 * one's most useful channels, to be fine-tuned with `mend train --init` (scripts/prune-residual.mjs
 * drives it). Every convolution but the last writes `width` channels; pruning keeps, per hidden
 * layer, the chosen channels and copies the weights that write and read them. The narrow model
 * therefore computes exactly what the wide one computes with the dropped channels switched off.
 */
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import { buildModel, type ResidualSpec } from './architectures.js';
import { MendConv } from './layers.js';

function convsOf(model: tf.LayersModel): MendConv[] {
  return model.layers.filter((l): l is MendConv => l instanceof MendConv);
}

/**
 * How much each hidden channel matters: its mean activation on `inputs` (NHWC batches the model
 * takes) times the norm of the next layer's weights that read it. A channel that is rarely on, or
 * that the next layer barely reads, contributes least to the output. One array per hidden layer.
 */
export function channelImportance(model: tf.LayersModel, inputs: tf.Tensor4D[]): Float64Array[] {
  const convs = convsOf(model);
  const hidden = convs.slice(0, -1);
  const probe = tf.model({ inputs: model.inputs, outputs: hidden.map((c) => c.output as tf.SymbolicTensor) });
  const width = hidden[0]!.getWeights()[1]!.shape[0]!;
  const mean = hidden.map(() => new Float64Array(width));
  for (const x of inputs) {
    const sums = tf.tidy(() => {
      const outs = probe.predict(x) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(outs) ? outs : [outs]).map((o) => o.mean([0, 1, 2]).dataSync());
    });
    sums.forEach((s, l) => s.forEach((v, c) => (mean[l]![c]! += v / inputs.length)));
  }
  return mean.map((m, l) => {
    const [kernel] = convs[l + 1]!.getWeights();
    const [k, , cin, cout] = kernel!.shape as number[];
    const w = kernel!.dataSync();
    return m.map((act, c) => {
      let s = 0;
      for (let i = 0; i < k! * k!; i++) for (let o = 0; o < cout!; o++) s += w[(i * cin! + c) * cout! + o]! ** 2;
      return act * Math.sqrt(s);
    });
  });
}

/** The `width` highest-scoring channels of each hidden layer, in channel order. */
export function topChannels(scores: Float64Array[], width: number): number[][] {
  return scores.map((s) =>
    Array.from(s, (score, c) => ({ c, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, width)
      .map((x) => x.c)
      .sort((a, b) => a - b),
  );
}

/** A residual model of `spec.width` = keep[l].length channels holding the kept channels' weights. */
export function pruneResidual(model: tf.LayersModel, spec: ResidualSpec, keep: number[][]): tf.LayersModel {
  const convs = convsOf(model);
  const hidden = convs.length - 1;
  if (keep.length !== hidden || keep.some((k) => k.length !== spec.width)) {
    throw new MendError('usage', `pruning needs ${spec.width} channels for each of ${hidden} hidden layers`);
  }
  const narrow = buildModel(spec);
  const narrowConvs = convsOf(narrow);
  if (narrowConvs.length !== convs.length) throw new MendError('usage', `the model has ${convs.length} convolutions, depth ${spec.depth} has ${narrowConvs.length}`);
  convs.forEach((conv, l) => {
    const [kernel, bias] = conv.getWeights();
    const [k, , cin, cout] = kernel!.shape as number[];
    const all = (n: number): number[] => Array.from({ length: n }, (_, c) => c);
    const ins = l === 0 ? all(cin!) : keep[l - 1]!;
    const outs = l === hidden ? all(cout!) : keep[l]!;
    const kw = kernel!.dataSync();
    const bw = bias!.dataSync();
    const nk = new Float32Array(k! * k! * ins.length * outs.length);
    for (let i = 0; i < k! * k!; i++) {
      ins.forEach((ci, a) => outs.forEach((co, b) => (nk[(i * ins.length + a) * outs.length + b] = kw[(i * cin! + ci) * cout! + co]!)));
    }
    narrowConvs[l]!.setWeights([tf.tensor4d(nk, [k!, k!, ins.length, outs.length]), tf.tensor1d(outs.map((c) => bw[c]!))]);
  });
  return narrow;
}
