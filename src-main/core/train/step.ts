/**
 * One optimisation step of `mend train`, shared by the trainer and `mend bench` (so the
 * benchmark measures exactly what training does): forward with training=true, masked or plain
 * MSE plus the optional code regularizer, gradients, global-norm clipping, Adam update.
 */
import * as tf from '@tensorflow/tfjs';
import { contractivePenalty, klPenalty, l1Penalty, type RegularizerSpec } from './regularizers.js';

export interface StepBatch {
  /** [batch, patch, patch, cin]: what the model sees (image + conditioning plane). */
  input: Float32Array;
  /** [batch, patch, patch, channels]: the target. */
  clean: Float32Array;
  /** [batch, patch, patch, 1] hole mask (inpainting), else undefined. */
  mask?: Float32Array;
  batch: number;
  patch: number;
}

/** Runs one step on a batch and returns the loss (before the update). */
export type TrainStepFn = (b: StepBatch) => number;

/**
 * Prepares the step for `model` (its input has `channels` image planes plus any conditioning
 * plane): the views that expose the code layer for a regularizer, the trainable variables.
 */
export function createTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  channels: number,
  reg?: RegularizerSpec,
): TrainStepFn {
  const cin = model.inputs[0].shape[3] as number;
  // A second view of the same layers that also outputs the code, for the regularizers.
  const codeLayer = reg ? model.getLayer('code') : undefined;
  const withCode = codeLayer ? tf.model({ inputs: model.inputs, outputs: [model.outputs[0], codeLayer.output as tf.SymbolicTensor] }) : undefined;
  const encoder = codeLayer ? tf.model({ inputs: model.inputs, outputs: codeLayer.output as tf.SymbolicTensor }) : undefined;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);

  return ({ input, clean, mask, batch, patch }: StepBatch): number =>
    tf.tidy(() => {
      const x = tf.tensor4d(input, [batch, patch, patch, cin]);
      const y = tf.tensor4d(clean, [batch, patch, patch, channels]);
      const m = mask ? tf.tensor4d(mask, [batch, patch, patch, 1]) : undefined;
      const { value, grads } = tf.variableGrads(() => {
        let out: tf.Tensor;
        let code: tf.Tensor | undefined;
        if (withCode) [out, code] = withCode.apply(x, { training: true }) as tf.Tensor[];
        else out = model.apply(x, { training: true }) as tf.Tensor;
        const sq = tf.square(tf.sub(out, y));
        // Inpainting is judged on the hole: weight it, but keep a little of the whole image.
        let loss: tf.Scalar = m
          ? (tf.add(tf.div(tf.sum(tf.mul(sq, m)), tf.add(tf.mul(tf.sum(m), channels), 1)), tf.mul(0.05, tf.mean(sq))) as tf.Scalar)
          : (tf.mean(sq) as tf.Scalar);
        if (reg && code) {
          const penalty =
            reg.kind === 'l1' ? l1Penalty(code)
            : reg.kind === 'kl' ? klPenalty(code, reg.rho ?? 0.05)
            : contractivePenalty((t) => encoder!.apply(t) as tf.Tensor, x, code);
          loss = tf.add(loss, tf.mul(reg.lambda, penalty)) as tf.Scalar;
        }
        return loss;
      }, vars);
      // Clip by global norm: keeps early training of deep nets without normalisation stable.
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const scale = tf.minimum(1, tf.div(1, tf.add(norm, 1e-12)));
      optimizer.applyGradients(names.map((name) => ({ name, tensor: tf.mul(grads[name], scale) })));
      return value.dataSync()[0];
    });
}
