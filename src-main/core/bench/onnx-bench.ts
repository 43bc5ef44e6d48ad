/**
 * Measurements for `mend bench` that need ONNX Runtime:
 *  - the machine's practical peak: an sgemm (a 2048x2048 float MatMul, which ONNX Runtime runs
 *    with its optimised GEMM, MLAS) in the same pool configuration as inference (one product
 *    per worker at once);
 *  - how to spend the cores on several tiles or images: one session with every core running
 *    them one after another, or one single-thread session per core running them side by side.
 */
import { encodeOnnxModel } from '../models/onnx-proto.js';
import { cpuCount, onnxAvailability, onnxPool, OnnxPool, type OnnxPoolOptions } from '../runtime/onnx-runtime.js';

export interface SgemmBench {
  n: number;
  /** Best of the timed runs (a practical peak). */
  gflops: number;
  /** Over all timed runs: GFLOP per CPU-second of the process, which other programs' load hardly changes. */
  gflopsPerCpuSecond: number;
  runs: number;
  workers: number;
  threads: number;
}

/** A graph computing a x a for one [n, n] float input. */
function matmulGraph(n: number): Uint8Array {
  return encodeOnnxModel({
    irVersion: 7,
    opsetVersion: 13,
    producerName: 'mend-bench',
    producerVersion: '1',
    graph: {
      name: 'sgemm',
      nodes: [{ op: 'MatMul', inputs: ['a', 'a'], outputs: ['c'] }],
      initializers: [],
      inputs: [{ name: 'a', shape: [n, n] }],
      outputs: [{ name: 'c', shape: [n, n] }],
    },
  });
}

export async function benchSgemm(n = 2048, runs = 4): Promise<SgemmBench> {
  const pool = onnxPool();
  const handle = await pool.load(matmulGraph(n));
  const input = (): Float32Array => {
    const a = new Float32Array(n * n);
    for (let i = 0; i < a.length; i++) a[i] = ((i % 97) - 48) / 97;
    return a;
  };
  // One product per worker at once, as inference runs one tile per worker: the whole machine.
  const all = (): Promise<Float32Array[]> => Promise.all(Array.from({ length: pool.options.workers }, () => handle.run(input(), [n, n])));
  let best = Infinity;
  let cpuSeconds = 0;
  try {
    await all();
    for (let r = 0; r < runs; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await all();
      best = Math.min(best, (performance.now() - t0) / 1000);
      const cpu = process.cpuUsage(cpu0);
      cpuSeconds += (cpu.user + cpu.system) / 1e6;
    }
  } finally {
    await handle.release();
  }
  const flop = pool.options.workers * 2 * n ** 3;
  return { n, gflops: flop / best / 1e9, gflopsPerCpuSecond: (runs * flop) / cpuSeconds / 1e9, runs, ...pool.options };
}

export interface ThreadingBench {
  tiles: number;
  side: number;
  /** Megapixels per second for each way of using the cores. */
  threadsPerTile: { workers: 1; threads: number; megapixelsPerSecond: number };
  tilesInParallel: { workers: number; threads: 1; megapixelsPerSecond: number };
}

/**
 * Runs `tiles` tiles of side x side through `model` (ONNX bytes, input [1, side, side, cin])
 * in both configurations. Separate pools, closed afterwards.
 */
export async function benchThreading(model: Uint8Array, cin: number, side = 512, tiles = 4): Promise<ThreadingBench | undefined> {
  const a = onnxAvailability();
  const cores = cpuCount();
  if (!a.available || !a.entry || cores < 2) return undefined;
  const time = async (options: OnnxPoolOptions): Promise<number> => {
    const pool = new OnnxPool(options, ['cpu'], a.entry!);
    try {
      const handle = await pool.load(model);
      const tile = (): Float32Array => new Float32Array(side * side * cin).map((_, i) => ((i * 7) % 13) / 13);
      await Promise.all(Array.from({ length: options.workers }, () => handle.run(tile(), [1, side, side, cin])));
      const t0 = performance.now();
      await Promise.all(Array.from({ length: tiles }, () => handle.run(tile(), [1, side, side, cin])));
      return (tiles * side * side) / 1e6 / ((performance.now() - t0) / 1000);
    } finally {
      await pool.close();
    }
  };
  // Enough tiles to keep every worker busy twice; at most 8 single-thread workers (memory).
  const workers = Math.min(cores, 8);
  tiles = Math.max(tiles, 2 * workers);
  const threadsPerTile = await time({ workers: 1, threads: cores });
  const tilesInParallel = await time({ workers, threads: 1 });
  return {
    tiles,
    side,
    threadsPerTile: { workers: 1, threads: cores, megapixelsPerSecond: threadsPerTile },
    tilesInParallel: { workers, threads: 1, megapixelsPerSecond: tilesInParallel },
  };
}
