/**
 * Penalties on the bottleneck code (sparse L1 and KL, contractive), each scaled by lambda.
 * Terms are means rather than sums so that lambda means the same at any patch or batch size.
 */
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';

export type RegularizerKind = 'l1' | 'kl' | 'contractive';

export interface RegularizerSpec {
  kind: RegularizerKind;
  lambda: number;
  /** Target mean activation for 'kl' (default 0.05). */
  rho?: number;
}

export function parseRegularizer(kind: string, lambda: number, rho?: number): RegularizerSpec {
  if (kind !== 'l1' && kind !== 'kl' && kind !== 'contractive') {
    throw new MendError('usage', `Unknown regularizer "${kind}": use l1, kl or contractive`);
  }
  if (!(lambda >= 0)) throw new MendError('usage', `--lambda must be a number >= 0, got ${lambda}`);
  if (rho !== undefined && !(rho > 0 && rho < 1)) throw new MendError('usage', `--rho must be between 0 and 1, got ${rho}`);
  return { kind, lambda, rho };
}

/** Sparse L1: mean |h| over code units. */
export function l1Penalty(code: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(code));
}

/** Sparse KL: sum over code channels of KL(rho || mean activation of the channel). */
export function klPenalty(code: tf.Tensor, rho: number): tf.Scalar {
  return tf.tidy(() => {
    const axes = code.shape.slice(0, -1).map((_, i) => i);
    const rhoHat = tf.clipByValue(tf.mean(code, axes), 1e-6, 1 - 1e-6);
    const kl = tf.add(
      tf.mul(rho, tf.log(tf.div(rho, rhoHat))),
      tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))),
    );
    return tf.sum(kl) as tf.Scalar;
  });
}

/**
 * Contractive: an unbiased estimate of the squared Frobenius norm of the encoder Jacobian,
 * E_v ||J v||^2 with v ~ N(0, I), by a forward finite difference (J v ~ (h(x + eps v) - h(x)) / eps).
 * Returned per input pixel-channel, so lambda does not depend on patch size.
 */
export function contractivePenalty(encode: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, code: tf.Tensor, eps = 1e-2): tf.Scalar {
  return tf.tidy(() => {
    const v = tf.randomNormal(x.shape);
    const shifted = encode(tf.add(x, tf.mul(v, eps)));
    const jv = tf.div(tf.sub(shifted, code), eps);
    return tf.div(tf.sum(tf.square(jv)), x.size) as tf.Scalar;
  });
}

/**
 * Contractive, exact, for one dense sigmoid layer h = s(x W + b) (the lab's patch autoencoders):
 * ||J||_F^2 = sum_j (h_j (1 - h_j))^2 * sum_i W_ij^2 (Rifai et al., 2011). Averaged over
 * the batch and divided by the input size, so it is on the same scale as contractivePenalty's
 * estimate and lambda means the same for both.
 * `code` is [batch, k]; `kernel` is the encoder's [d, k] weight matrix.
 */
export function sigmoidContractivePenalty(code: tf.Tensor2D, kernel: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const slope = tf.square(tf.mul(code, tf.sub(1, code)));
    const colNorms = tf.sum(tf.square(kernel), 0);
    const perSample = tf.sum(tf.mul(slope, colNorms), 1);
    return tf.div(tf.mean(perSample), kernel.shape[0]) as tf.Scalar;
  });
}
