/** `mend lab compare`: the autoencoder variants side by side (core/lab/compare.ts). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeImage } from '../../core/image/io.js';
import { type Raster } from '../../core/image/raster.js';
import { LAB_VARIANT_IDS, runLabCompare, type LabCompareResult, type LabVariantId } from '../../core/lab/compare.js';
import { readLabImage } from '../../core/lab/patches.js';
import { filterTiles, gridShape, patchTiles, tileGrid } from '../../core/lab/render.js';
import { listImages } from '../../core/train/dataset.js';
import { MendError } from '../../shared/errors.js';
import { num, parse } from '../args.js';
import type { CommandContext } from '../context.js';

export const labHelp = `mend lab compare [--data DIR] [options]
  The autoencoder variants side by side with PCA: error, sparsity, Jacobian norm, denoising.
  Trains undercomplete, sparse L1, sparse KL, denoising and contractive autoencoders, a linear
  autoencoder and PCA with the same code size on the same grey patches, and reports for each:
  reconstruction error, code sparsity, encoder Jacobian norm and denoising PSNR.
  --data DIR           photos to cut patches from (default: generated photo-like scenes)
  --variants LIST      some of ${LAB_VARIANT_IDS.join(',')} (default: all)
  --patch 8|12|16      patch side (default 8)       --code N     code units (default 16)
  --steps N            training steps per variant (default 2000)
  --noise SIGMA        denoising noise, 0-255 scale (default 20)
  --lambda-l1 X --lambda-kl X --rho R --lambda-contractive X   regularizer weights (0.5, 1, 0.05, 10)
  --seed N             (default 1; the same seed gives the same numbers)
  --out DIR            also write the filters, reconstructions and a report.json there
  --json               NDJSON progress, then the table as a result line`;

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The comparison as a text table. */
export function labTable(r: LabCompareResult): string {
  const head = ['variant', 'recon MSE', 'PSNR dB', 'near-zero', 'mean act.', 'Jacobian', 'denoise dB', 'target'];
  const rows = r.variants.map((v) => [
    v.label + (v.lambda !== undefined ? ` (λ ${v.lambda})` : ''),
    v.mse.toFixed(4), v.psnr.toFixed(2), `${(100 * v.nearZero).toFixed(1)}%`, v.meanActivation.toFixed(3), v.jacobian.toFixed(3),
    v.denoisePsnr.toFixed(2),
    v.target ? `${v.target.kind === 'near-zero' ? `>=${(100 * v.target.value).toFixed(0)}% near 0` : `mean ${v.target.value}`} ${v.target.reached ? 'reached' : 'missed'}` : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i]!, i > 0 && i < 7)).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  out.push('', `${r.trainPatches} training and ${r.testPatches} test patches of ${r.patch}x${r.patch}, code size ${r.code}; noisy input ${r.noisyPsnr.toFixed(2)} dB (sigma ${r.noiseSigma}).`);
  if (r.matched) {
    out.push(`At the same reconstruction error (${r.matched.mse.toFixed(4)}), the contractive encoder's Jacobian norm is ${r.matched.contractiveJacobian.toFixed(3)}, the undercomplete one's ${r.matched.plainJacobian.toFixed(3)}.`);
  }
  return out.join('\n');
}

async function writePictures(dir: string, r: LabCompareResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  const zoom = Math.max(2, Math.round(32 / r.patch));
  const save = (name: string, raster: Raster): Promise<void> => writeImage(path.join(dir, name), { raster, bitDepth: 8, format: 'png' }, { keepMetadata: false });
  const { cols } = gridShape(r.code);
  const n = r.samples.count;
  // One picture of reconstructions: clean on top, then each variant; the same with the noisy inputs.
  const rows = (top: Float32Array, pick: (v: LabCompareResult['variants'][number]) => Float32Array): Raster => {
    const tiles = [top, ...r.variants.map(pick)].flatMap((p) => patchTiles(p, r.patch, n));
    return tileGrid(tiles, r.patch, r.patch, n, zoom);
  };
  await save('reconstructions.png', rows(r.samples.clean, (v) => v.reconstructions));
  await save('denoised.png', rows(r.samples.noisy, (v) => v.denoised));
  for (const v of r.variants) await save(`filters-${v.id}.png`, tileGrid(filterTiles(v.filters, r.patch, r.code), r.patch, r.patch, cols, zoom));
  await writeFile(path.join(dir, 'report.json'), JSON.stringify(summary(r), null, 2) + '\n');
}

function summary(r: LabCompareResult): Record<string, unknown> {
  return {
    task: 'lab-compare', patch: r.patch, code: r.code, trainPatches: r.trainPatches, testPatches: r.testPatches, noiseSigma: r.noiseSigma,
    noisyPsnr: r.noisyPsnr, seconds: r.seconds, ...(r.matched ? { matched: r.matched } : {}),
    variants: r.variants.map((v) => ({
      id: v.id, label: v.label, activation: v.activation, lambda: v.lambda, rho: v.rho, steps: v.steps, seconds: v.seconds, mse: v.mse,
      psnr: v.psnr, nearZero: v.nearZero, meanActivation: v.meanActivation, jacobian: v.jacobian, denoisePsnr: v.denoisePsnr, target: v.target,
    })),
  };
}

export async function labCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'compare') throw new MendError('usage', `mend lab: unknown subcommand "${sub ?? ''}"; try \`mend lab compare\``);
  const { values: v } = parse(rest, {
    data: { type: 'string' }, variants: { type: 'string' }, patch: { type: 'string' }, code: { type: 'string' }, steps: { type: 'string' },
    noise: { type: 'string' }, 'lambda-l1': { type: 'string' }, 'lambda-kl': { type: 'string' }, rho: { type: 'string' },
    'lambda-contractive': { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
  }, false);
  const patch = num(v.patch, 'patch', 8, { int: true });
  if (![8, 12, 16].includes(patch)) throw new MendError('usage', '--patch must be 8, 12 or 16');
  const variants = v.variants?.split(',').map((s) => s.trim()).filter(Boolean) as LabVariantId[] | undefined;
  for (const x of variants ?? []) {
    if (!LAB_VARIANT_IDS.includes(x)) throw new MendError('usage', `Unknown variant "${x}": use ${LAB_VARIANT_IDS.join(', ')}`);
  }
  let images: Raster[] | undefined;
  if (v.data) {
    const files = await listImages(v.data);
    images = [];
    for (const f of files.slice(0, 200)) {
      try {
        images.push(await readLabImage(f));
      } catch (e) {
        ctx.reporter.event({ type: 'log', level: 'warn', message: `Skipped ${f}: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    images = images.filter((r) => r.width >= patch && r.height >= patch);
    if (images.length === 0) throw new MendError('usage', `${v.data}: no picture of at least ${patch}x${patch} pixels`);
  }
  const r = await runLabCompare({
    ...(images ? { images } : {}), ...(variants ? { variants } : {}), patch,
    code: num(v.code, 'code', 16, { int: true, min: 1, max: patch * patch }), steps: num(v.steps, 'steps', 2000, { int: true, min: 10 }),
    noiseSigma: num(v.noise, 'noise', 20, { min: 0, max: 255 }), l1Lambda: num(v['lambda-l1'], 'lambda-l1', 0.5, { min: 0 }),
    klLambda: num(v['lambda-kl'], 'lambda-kl', 1, { min: 0 }), rho: num(v.rho, 'rho', 0.05, { min: 0.001, max: 0.999 }),
    contractiveLambda: num(v['lambda-contractive'], 'lambda-contractive', 10, { min: 0 }), seed: num(v.seed, 'seed', 1, { int: true, min: 0 }),
    ...ctx.job,
  });
  ctx.reporter.done();
  if (v.out) await writePictures(v.out, r);
  ctx.reporter.result({ ...summary(r), ...(v.out ? { out: v.out } : {}) });
  if (!ctx.json) {
    console.log(labTable(r));
    if (v.out) console.log(`Pictures and report.json in ${v.out}`);
  }
  return 0;
}
