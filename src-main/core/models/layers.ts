/**
 * The custom Layers-API layers every Mend architecture is built from. They are registered with
 * tf.serialization so a saved model (tfjs layers format) loads back with `loadModelFolder`.
 *
 * All convolutions are stride-1 'same' (MendConv) so that their gradients go through the fast
 * path in runtime/fast-conv.ts; changes of resolution use space-to-depth / depth-to-space
 * (PixelUnshuffle / PixelShuffle), which are plain reshapes and transposes on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dSame } from '../runtime/fast-conv.js';

type Kwargs = Record<string, unknown>;
type Activation = 'linear' | 'relu' | 'sigmoid';

function one(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'sigmoid') return tf.sigmoid(x);
  return x;
}

export interface MendConvConfig {
  filters: number;
  kernelSize: number;
  activation?: Activation;
  name?: string;
  /**
   * Multiplies the initial weights' standard deviation (default 1 for ReLU layers, 0.1 for
   * others). Only used when the layer is built, so it is not part of the saved config.
   */
  initScale?: number;
}

/** 2-D convolution, stride 1, 'same' padding, bias, optional activation. */
export class MendConv extends tf.layers.Layer {
  static className = 'MendConv';
  readonly filters: number;
  readonly kernelSize: number;
  readonly activation: Activation;
  private readonly initScale?: number;
  /** Input planes, known once built. */
  inChannels = 0;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(config: MendConvConfig) {
    super({ name: config.name });
    this.filters = config.filters;
    this.kernelSize = config.kernelSize;
    this.activation = config.activation ?? 'linear';
    this.initScale = config.initScale;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const cin = shape[shape.length - 1] as number;
    this.inChannels = cin;
    const k = this.kernelSize;
    // He initialisation for ReLU nets; other layers are scaled down, and the noise-predicting
    // output layer of residual models further (initScale) so that they start close to the identity.
    const scale = this.initScale ?? (this.activation === 'relu' ? 1 : 0.1);
    this.kernel = this.addWeight('kernel', [k, k, cin, this.filters], 'float32',
      tf.initializers.varianceScaling({ scale: 2 * scale * scale, mode: 'fanIn', distribution: 'truncatedNormal' }));
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const y = conv2dSame(one(inputs) as tf.Tensor4D, this.kernel.read() as tf.Tensor4D);
      return activate(tf.add(y, this.bias.read()), this.activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, activation: this.activation };
  }
}

/** Space-to-depth by 2: [B,H,W,C] -> [B,H/2,W/2,4C]. H and W must be even. */
export class PixelUnshuffle extends tf.layers.Layer {
  static className = 'PixelUnshuffle';
  constructor(config?: Kwargs) { super(config ?? {}); }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = s as tf.Shape;
    return [b, h === null ? null : h / 2, w === null ? null : w / 2, (c as number) * 4];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [b, h, w, c] = x.shape as number[];
      return tf.transpose(x.reshape([b, h / 2, 2, w / 2, 2, c]), [0, 1, 3, 2, 4, 5]).reshape([b, h / 2, w / 2, 4 * c]);
    });
  }
}

/** Depth-to-space by 2: [B,H,W,4C] -> [B,2H,2W,C]; the inverse of PixelUnshuffle. */
export class PixelShuffle extends tf.layers.Layer {
  static className = 'PixelShuffle';
  constructor(config?: Kwargs) { super(config ?? {}); }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = s as tf.Shape;
    return [b, h === null ? null : h * 2, w === null ? null : w * 2, (c as number) / 4];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [b, h, w, c4] = x.shape as number[];
      const c = c4 / 4;
      return tf.transpose(x.reshape([b, h, w, 2, 2, c]), [0, 1, 3, 2, 4, 5]).reshape([b, h * 2, w * 2, c]);
    });
  }
}

/** Keeps channels [start, start+size) of the last axis (the image part of image+map inputs). */
export class ChannelSlice extends tf.layers.Layer {
  static className = 'ChannelSlice';
  readonly start: number;
  readonly size: number;
  constructor(config: { start: number; size: number; name?: string }) {
    super({ name: config.name });
    this.start = config.start;
    this.size = config.size;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return [...(s as tf.Shape).slice(0, -1), this.size];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = one(inputs);
    const begin = x.shape.map((_, i) => (i === x.rank - 1 ? this.start : 0));
    const size = x.shape.map((d, i) => (i === x.rank - 1 ? this.size : d));
    return tf.slice(x, begin, size);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), start: this.start, size: this.size };
  }
}

/** a - b: residual learning, where the network predicts the noise and the model subtracts it. */
export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';
  constructor(config?: Kwargs) { super(config ?? {}); }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return (s as tf.Shape[])[0];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.sub(a, b);
  }
}

for (const cls of [MendConv, PixelUnshuffle, PixelShuffle, ChannelSlice, Subtract]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
