/**
 * Convolution with gradients that are fast on every TensorFlow.js backend.
 *
 * The wasm backend has no Conv2DBackpropFilter kernel and its conv2dTranspose is ten times
 * slower than a plain conv2d, so training through tf.conv2d fails (wasm) or crawls (cpu: 0.02
 * GFLOPS for the filter gradient). Here, for stride-1 'same' convolutions with odd kernels:
 *  - input gradient: a conv2d of dy with the kernel rotated 180 degrees and its channel axes
 *    swapped (the same maths as conv2dTranspose, on the fast forward kernel);
 *  - filter gradient: im2col + one large 2-D matMul. The im2col is built with contiguous copies:
 *    on the zero-padded input flattened to [Cin, B*Hp*Wp], the window offset (i, j) is a constant
 *    shift of i*Wp + j in the flat index, so each (i, j, cin) row is one memcpy. The output
 *    gradient is padded into the same grid so that every valid position lines up.
 * On native backends (tfjs-node) the stock gradients are already fast and are used instead.
 */
import * as tf from '@tensorflow/tfjs';

let im2colBuffer: Float32Array | undefined;

function scratch(size: number): Float32Array {
  // Reused between steps: allocating (and page-faulting) ~100 MB per call costs more than the copy.
  if (!im2colBuffer || im2colBuffer.length < size) im2colBuffer = new Float32Array(size);
  return im2colBuffer.length === size ? im2colBuffer : im2colBuffer.subarray(0, size);
}

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** The wasm backend, whose tensors live in the wasm heap: we read and fill them in place. */
function heapBackend(): HeapBackend | undefined {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as HeapBackend) : undefined;
}

/** Runs `fill` on the values of a new float32 tensor of `shape`, written in place on wasm. */
function tensorFilledBy(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const heap = heapBackend();
  if (!heap) {
    const values = scratch(shape.reduce((a, b) => a * b, 1));
    fill(values);
    return tf.tensor(values, shape);
  }
  const info = heap.makeOutput(shape, 'float32');
  fill(heap.typedArrayFromHeap(info));
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** A view of a tensor's values without copying where the backend allows it. */
function valuesOf(t: tf.Tensor): Float32Array {
  const heap = heapBackend();
  return heap ? heap.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/** dL/dW for y = conv2d(x, w, stride 1, 'same'); x [B,H,W,Ci], dy [B,H,W,Co] -> [k,k,Ci,Co]. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  const [b, h, w, ci] = x.shape;
  const co = dy.shape[3];
  const p = (k - 1) / 2;
  const hp = h + 2 * p;
  const wp = w + 2 * p;
  const nTot = b * hp * wp;
  const offMax = (k - 1) * wp + (k - 1);
  const m = nTot - offMax;
  const flat = tf.tidy(() => tf.transpose(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), [3, 0, 1, 2]));
  const cols = tensorFilledBy([k * k * ci, m], (out) => {
    const xs = valuesOf(flat);
    let row = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const off = i * wp + j;
        for (let c = 0; c < ci; c++, row++) {
          const src = c * nTot + off;
          out.set(xs.subarray(src, src + m), row * m);
        }
      }
    }
  });
  flat.dispose();
  return tf.tidy(() => {
    const g = tf.pad(dy, [[0, 0], [0, 2 * p], [0, 2 * p], [0, 0]]).reshape([nTot, co]).slice([0, 0], [m, co]);
    const dw = tf.matMul(cols, g).reshape([k, k, ci, co]) as tf.Tensor4D;
    cols.dispose();
    return dw;
  });
}

/** The kernel rotated 180 degrees with in/out channels swapped: [k,k,Ci,Co] -> [k,k,Co,Ci]. */
function flippedKernel(w: tf.Tensor4D): tf.Tensor4D {
  // A JS loop: the wasm Reverse kernel is slow, and kernels are small.
  const [k, , ci, co] = w.shape;
  const src = w.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const s0 = ((k - 1 - i) * k + (k - 1 - j)) * ci * co;
      const d0 = (i * k + j) * co * ci;
      for (let a = 0; a < ci; a++) {
        for (let o = 0; o < co; o++) out[d0 + o * ci + a] = src[s0 + a * co + o];
      }
    }
  }
  return tf.tensor4d(out, [k, k, co, ci]);
}

/** dL/dx for y = conv2d(x, w, stride 1, 'same') with an odd square kernel. */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(dy, flippedKernel(w), 1, 'same'));
}

const fastConv = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x4, w4]);
  return {
    value: tf.conv2d(x4, w4, 1, 'same'),
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
      const k = sw.shape[0];
      return [conv2dInputGrad(dy as tf.Tensor4D, sw), conv2dFilterGrad(sx, dy as tf.Tensor4D, k)];
    },
  };
}) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

/** Whether the active backend needs the hand-written gradients (true for wasm and cpu). */
export function needsFastGradients(): boolean {
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu';
}

/** A stride-1 'same' conv2d (odd square kernel) whose gradients are fast on this backend. */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  if (w.shape[0] !== w.shape[1] || w.shape[0] % 2 !== 1) throw new Error('conv2dSame needs an odd square kernel');
  return needsFastGradients() ? fastConv(x, w) : tf.conv2d(x, w, 1, 'same');
}
