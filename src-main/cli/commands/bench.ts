import os from 'node:os';
import { runBench, type BenchResult } from '../../core/bench/bench.js';
import { INPAINT_REFERENCE, REFERENCE_METHODS } from '../../core/bench/reference.js';
import { formatEvalTable, type InpaintEvalRow } from '../../core/eval/evaluate.js';
import { num, parse } from '../args.js';
import type { CommandContext } from '../context.js';

export const benchHelp = `mend bench [--quick] [--json] [--data DIR | --no-eval] [--runtime onnx|tfjs]
  Measures speed and quality of the installed default models on this machine.
  Inference: each shipped model on a generated 1024x1024 picture (--quick: 512x512), in
  megapixels/s and GFLOPS, on the inference runtime in use (mend info says which and why).
  Runtimes: the default colour model on TensorFlow.js and on ONNX Runtime side by side (the
  speed-up), an sgemm (2048x2048 MatMul in ONNX Runtime, one per worker: the machine's
  practical peak) and the fraction of it inference reaches, and tiles of 512x512 run one after
  another with every thread vs side by side with one thread each (how Mend spends the cores),
  with the load average, since other programs' CPU use changes every number.
  Training: steps of the default colour denoiser's architecture (batch 16, patch 64), in
  patches/s and effective GFLOPS (3 x forward FLOPs). Peak memory.
  With the Set12/McMaster benchmark images (--data DIR, else MEND_DATA: a folder holding
  bench/Set12, bench/McMaster and bench/masks/McMaster): mend eval on Set12 and McMaster at
  sigma 15,25,50 and on the McMaster inpainting masks, next to published results (BM3D, DnCNN,
  FFDNet; OpenCV Navier-Stokes for inpainting). --no-eval skips that part; a folder given that
  is missing is refused before anything runs.
  --batch N: also run a batch of N generated one-megapixel photos and report the time spent
  beyond inference (50 is the reference batch).`;

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

/** Inpainting rows next to OpenCV Navier-Stokes on the masks it has figures for, with the margin. */
export function formatInpaintReference(rows: InpaintEvalRow[]): string[] {
  const ref = INPAINT_REFERENCE;
  const lines = rows
    .filter((r) => r.set === ref.set && ref.psnr[r.masks] !== undefined)
    .map((r) => {
      const margin = r.psnr - ref.psnr[r.masks]!;
      return `  ${r.masks.padEnd(10)} ${f(r.psnr, 2).padStart(6)}  ${f(ref.psnr[r.masks]!, 2).padStart(13)}  ${(margin >= 0 ? '+' : '') + f(margin, 2)}`;
    });
  if (lines.length === 0) return [];
  return [`Inpainting ${ref.set}, PSNR in the holes (dB) next to ${ref.method}:`, `  ${'masks'.padEnd(10)} ${'Mend'.padStart(6)}  ${'Navier-Stokes'.padStart(13)}  margin`, ...lines];
}

export function formatBench(r: BenchResult): string {
  const out: string[] = [];
  out.push(`Inference runtime: ${r.runtimeDescription}${r.quick ? ' (quick run)' : ''}`);
  out.push(`TensorFlow.js backend (training): ${r.backendDescription}`);
  out.push('', 'Inference, every shipped model (one picture, after a warm-up run; * = default):');
  if (r.inference.length === 0) out.push('  no shipped models installed');
  for (const i of r.inference) {
    out.push(`  ${`${i.isDefault ? '*' : ' '} ${i.model} (${i.task}, ${i.kind})`.padEnd(38)} ${i.width}x${i.height}  ${f(i.seconds, 2)} s  ` +
      `${f(i.megapixelsPerSecond, 3)} MP/s  ${f(i.flopsPerPixel / 1e3, 1)} kFLOP/px  ${f(i.gflops, 2)} GFLOPS`);
  }
  if (r.runtimes) {
    const c = r.runtimes;
    out.push('', `Runtimes (${c.model}, ${c.width}x${c.height}, whole denoise after a warm-up; ` +
      `load average ${f(c.loadAverage[0], 2)} -> ${f(c.loadAverage[1], 2)} on ${os.cpus().length} cores):`);
    for (const x of [c.tfjs, c.onnx]) {
      if (x) out.push(`  ${x.description.padEnd(52)} ${f(x.seconds, 2)} s (CPU ${f(x.cpuSeconds, 1)} s)  ${f(x.megapixelsPerSecond, 3)} MP/s  ${f(x.gflops, 1)} GFLOPS`);
    }
    if (c.speedup !== null) out.push(`  ONNX Runtime is ${f(c.speedup, 1)}x TensorFlow.js`);
    if (c.sgemm && c.peakFraction !== null) {
      out.push(`  sgemm ${c.sgemm.n}x${c.sgemm.n} (ONNX Runtime MatMul, same threads): ${f(c.sgemm.gflops, 1)} GFLOPS ` +
        `(${f(c.sgemm.gflopsPerCpuSecond, 1)} per CPU-second); inference reaches ${f(100 * c.peakFraction, 0)}% of it ` +
        `(${f(100 * (c.peakFractionPerCpuSecond ?? NaN), 0)}% per CPU-second)`);
    }
    if (c.threading) {
      const t = c.threading;
      out.push(`  ${t.tiles} tiles of ${t.side}x${t.side}: one session x ${t.threadsPerTile.threads} threads ${f(t.threadsPerTile.megapixelsPerSecond, 3)} MP/s, ` +
        `${t.tilesInParallel.workers} sessions x 1 thread side by side ${f(t.tilesInParallel.megapixelsPerSecond, 3)} MP/s`);
    }
  }
  const t = r.training;
  out.push('', `Training (${t.model ?? 'default mend train architecture'}: ${t.arch.kind} width ${t.arch.width}, ` +
    `batch ${t.batch}, patch ${t.patch}, ${t.steps} timed steps after ${t.warmupSteps} warm-up):`);
  out.push(`  ${f(t.patchesPerSecond, 2)} patches/s  ${f(t.flopsPerPixel / 1e3, 1)} kFLOP/px forward  ${f(t.gflops, 2)} GFLOPS effective (3 x forward)`);
  out.push('', `Peak memory (RSS): ${r.peakRssMB} MB`);
  if (r.eval) {
    out.push('', `Benchmarks (${r.eval.data}):`);
    for (const e of [...r.eval.denoise, ...r.eval.inpaint]) out.push('', formatEvalTable(e));
    if (r.eval.denoise.length > 0) {
      out.push('', 'PSNR (dB) next to published results:');
      const header = ['set', 'sigma', 'Mend', ...REFERENCE_METHODS];
      const rows: string[][] = [];
      for (const e of r.eval.denoise) {
        for (const row of e.results) {
          const ref = REFERENCE_METHODS.map((m) => r.eval!.reference.find((x) => x.method === m && x.set === row.set && x.sigma === row.sigma));
          rows.push([row.set, String(row.sigma), f(row.psnr, 2), ...ref.map((x) => (x ? f(x.psnr, 2) : '-'))]);
        }
      }
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
      const line = (cells: string[]): string => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
      out.push(line(header), ...rows.map(line));
    }
    const inpaint = formatInpaintReference(r.eval.inpaint.flatMap((e) => e.results));
    if (inpaint.length > 0) out.push('', ...inpaint);
  }
  if (r.batch) {
    const b = r.batch;
    out.push('', `Batch (${b.images} photos of ${b.width}x${b.height}, model ${b.model}): ${f(b.batchSeconds, 1)} s in all, ` +
      `${f(b.inferenceSeconds, 1)} s inference, overhead ${f(100 * b.overhead, 1)}% beyond inference, ${f(b.megapixelsPerSecond, 3)} MP/s`);
  }
  if (r.notes.length > 0) out.push('', 'Not measured:', ...r.notes.map((n) => `  ${n}`));
  return out.join('\n');
}

export async function benchCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parse(argv, { quick: { type: 'boolean' }, data: { type: 'string' }, 'no-eval': { type: 'boolean' }, batch: { type: 'string' } }, false);
  const result = await runBench({
    quick: v.quick ?? false,
    data: v['no-eval'] ? null : v.data,
    batchImages: v.batch === undefined ? undefined : num(v.batch, 'batch', 50, { min: 1, max: 10000, int: true }),
    signal: ctx.job.signal,
    onEvent: ctx.job.onEvent,
  });
  ctx.reporter.done();
  ctx.reporter.result({ task: 'bench', ...result });
  if (!ctx.json) console.log(formatBench(result));
  return 0;
}
