/**
 * The lab's autoencoder: one dense encoder layer from a patch (d pixels) to a code of k units,
 * and one dense linear decoder layer back (h = a(x W + b), x_hat = h V + c). Small enough to
 * train every autoencoder variant of the lab in seconds and to read what it learned:
 * each column of W is a filter (an image patch), each code unit one number per patch.
 *
 * Training reuses the product's code regularizers (train/regularizers.ts) with the same lambda
 * meaning as `mend train --regularizer`. For the contractive variant the Jacobian of a single
 * sigmoid layer is exact and cheap (sigmoidContractivePenalty), so no estimate is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../math/rng.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import type { CodeActivation } from '../models/architectures.js';
import { klPenalty, l1Penalty, sigmoidContractivePenalty } from '../train/regularizers.js';

export interface DenseAeSpec {
  /** Input size (pixels per patch). */
  dim: number;
  /** Code units. */
  code: number;
  activation: CodeActivation;
}

export type DenseRegularizer =
  | { kind: 'none' }
  | { kind: 'l1'; lambda: number }
  | { kind: 'kl'; lambda: number; rho: number }
  | { kind: 'contractive'; lambda: number };

export interface DenseTrainOptions {
  /** Training inputs, n x dim (already preprocessed). */
  x: Float32Array;
  n: number;
  regularizer: DenseRegularizer;
  /** Denoising: Gaussian noise of this standard deviation is added to each input (target stays clean). */
  inputNoise?: number;
  /**
   * Denoising with any corruption: fills `input` (one row) from sample `index`, whose clean row
   * (the target) is `clean`. Used instead of inputNoise when given.
   */
  corrupt?: (index: number, clean: Float32Array, input: Float32Array, rng: Rng) => void;
  steps: number;
  batch: number;
  learningRate: number;
  seed: number;
  /** Called every `reportEvery` steps with the mean loss since the last call. */
  onReport?: (step: number, loss: number, reconstruction: number) => void;
  reportEvery?: number;
  signal?: AbortSignal;
}

export interface DenseWeights {
  spec: DenseAeSpec;
  /** d x k, row-major: column j is the filter of code unit j. */
  encoder: Float32Array;
  encoderBias: Float32Array;
  /** k x d: row j is what code unit j adds to the reconstruction. */
  decoder: Float32Array;
  decoderBias: Float32Array;
}

function activate(z: tf.Tensor2D, a: CodeActivation): tf.Tensor2D {
  return a === 'sigmoid' ? tf.sigmoid(z) : a === 'relu' ? tf.relu(z) : z;
}

export class DenseAutoencoder {
  readonly spec: DenseAeSpec;
  private readonly W: tf.Variable;
  private readonly b: tf.Variable;
  private readonly V: tf.Variable;
  private readonly c: tf.Variable;

  constructor(spec: DenseAeSpec, seed: number, weights?: DenseWeights) {
    this.spec = spec;
    const { dim: d, code: k } = spec;
    if (weights) {
      this.W = tf.variable(tf.tensor2d(weights.encoder, [d, k]));
      this.b = tf.variable(tf.tensor1d(weights.encoderBias));
      this.V = tf.variable(tf.tensor2d(weights.decoder, [k, d]));
      this.c = tf.variable(tf.tensor1d(weights.decoderBias));
      return;
    }
    // Glorot-like scales, from a seeded generator so a run is reproducible.
    const rng = new Rng(seed);
    const normal = (count: number, std: number): Float32Array => Float32Array.from({ length: count }, () => std * rng.normal());
    this.W = tf.variable(tf.tensor2d(normal(d * k, 1 / Math.sqrt(d)), [d, k]));
    this.b = tf.variable(tf.zeros([k]));
    this.V = tf.variable(tf.tensor2d(normal(k * d, 1 / Math.sqrt(k)), [k, d]));
    this.c = tf.variable(tf.zeros([d]));
  }

  private codeOf(x: tf.Tensor2D): tf.Tensor2D {
    return activate(tf.add(tf.matMul(x, this.W), this.b) as tf.Tensor2D, this.spec.activation);
  }

  private decodeOf(h: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(h, this.V), this.c) as tf.Tensor2D;
  }

  /** Codes (n x k) of inputs (n x d). */
  encode(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.codeOf(tf.tensor2d(x, [n, this.spec.dim])).dataSync() as Float32Array).slice();
  }

  /** Reconstructions (n x d) from codes (n x k). */
  decode(h: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.decodeOf(tf.tensor2d(h, [n, this.spec.code])).dataSync() as Float32Array).slice();
  }

  reconstruct(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.decodeOf(this.codeOf(tf.tensor2d(x, [n, this.spec.dim]))).dataSync() as Float32Array).slice();
  }

  /**
   * Frobenius norm of the encoder's Jacobian dh/dx at each input (exact for one dense layer):
   * ||J||_F^2 = sum_j a'(z_j)^2 * ||W_:j||^2.
   */
  jacobianNorms(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => {
      const z = tf.add(tf.matMul(tf.tensor2d(x, [n, this.spec.dim]), this.W), this.b) as tf.Tensor2D;
      const a = this.spec.activation;
      const slope =
        a === 'sigmoid' ? tf.mul(tf.sigmoid(z), tf.sub(1, tf.sigmoid(z)))
        : a === 'relu' ? tf.cast(tf.greater(z, 0), 'float32')
        : tf.onesLike(z);
      const colNorms = tf.sum(tf.square(this.W), 0);
      return tf.sqrt(tf.sum(tf.mul(tf.square(slope), colNorms), 1)).dataSync() as Float32Array;
    }).slice();
  }

  weights(): DenseWeights {
    const read = (v: tf.Variable): Float32Array => (v.dataSync() as Float32Array).slice();
    return { spec: { ...this.spec }, encoder: read(this.W), encoderBias: read(this.b), decoder: read(this.V), decoderBias: read(this.c) };
  }

  dispose(): void {
    for (const v of [this.W, this.b, this.V, this.c]) v.dispose();
  }

  /** Adam with a short warm-up and a cosine decay, on random mini-batches of the inputs. */
  async train(o: DenseTrainOptions): Promise<{ loss: number; reconstruction: number }> {
    const { dim: d } = this.spec;
    const rng = new Rng(o.seed);
    const optimizer = tf.train.adam(o.learningRate);
    const batch = new Float32Array(o.batch * d);
    const input = new Float32Array(o.batch * d);
    const every = o.reportEvery ?? 25;
    const reg = o.regularizer;
    let lossSum = 0;
    let recSum = 0;
    let count = 0;
    let last = { loss: NaN, reconstruction: NaN };
    try {
      for (let step = 0; step < o.steps; step++) {
        const warm = Math.min(1, (step + 1) / 30);
        (optimizer as unknown as { learningRate: number }).learningRate =
          o.learningRate * warm * (0.02 + 0.98 * 0.5 * (1 + Math.cos((Math.PI * step) / o.steps)));
        for (let s = 0; s < o.batch; s++) {
          const j = rng.int(o.n);
          batch.set(o.x.subarray(j * d, j * d + d), s * d);
          if (o.corrupt) o.corrupt(j, batch.subarray(s * d, s * d + d), input.subarray(s * d, s * d + d), rng);
        }
        const corrupted = !!o.corrupt || !!o.inputNoise;
        if (o.inputNoise && !o.corrupt) for (let i = 0; i < input.length; i++) input[i] = batch[i]! + o.inputNoise * rng.normal();
        const [loss, rec] = tf.tidy(() => {
          const target = tf.tensor2d(batch, [o.batch, d]);
          const x = corrupted ? tf.tensor2d(input, [o.batch, d]) : target;
          let recLoss: tf.Scalar | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const h = this.codeOf(x);
            recLoss = tf.keep(tf.mean(tf.square(tf.sub(this.decodeOf(h), target))) as tf.Scalar);
            let l: tf.Scalar = recLoss;
            if (reg.kind === 'l1') l = tf.add(l, tf.mul(reg.lambda, l1Penalty(h)));
            else if (reg.kind === 'kl') l = tf.add(l, tf.mul(reg.lambda, klPenalty(h, reg.rho)));
            else if (reg.kind === 'contractive') l = tf.add(l, tf.mul(reg.lambda, sigmoidContractivePenalty(h, this.W as tf.Tensor as tf.Tensor2D)));
            return l;
          }, [this.W, this.b, this.V, this.c]);
          optimizer.applyGradients(Object.keys(grads).map((name) => ({ name, tensor: grads[name]! })));
          const out = [value.dataSync()[0]!, recLoss!.dataSync()[0]!];
          recLoss!.dispose();
          return out;
        });
        if (!Number.isFinite(loss)) throw new Error(`Lab training diverged at step ${step + 1}`);
        lossSum += loss;
        recSum += rec;
        count++;
        if ((step + 1) % every === 0 || step + 1 === o.steps) {
          last = { loss: lossSum / count, reconstruction: recSum / count };
          o.onReport?.(step + 1, last.loss, last.reconstruction);
          lossSum = recSum = count = 0;
          throwIfCancelled(o.signal);
          await yieldToEventLoop();
        }
      }
    } finally {
      optimizer.dispose();
    }
    return last;
  }
}
