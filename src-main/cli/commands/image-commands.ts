/** `mend denoise`, `mend inpaint` and `mend anomaly`: one image in, one image out. */
import { stat } from 'node:fs/promises';
import { readImage, readMask, writeImage, writeMask, defaultOutputPath, assertNotSameFile, type EncodeOptions, type ImageFormat } from '../../core/image/io.js';
import { resolveModel } from '../../core/models/registry.js';
import { denoiseRaster } from '../../core/infer/denoise.js';
import { inpaintRaster } from '../../core/infer/inpaint.js';
import { anomalyMap, heatmap } from '../../core/infer/anomaly.js';
import { findShootDefects } from '../../core/infer/dust.js';
import { heatColour } from '../../core/lab/render.js';
import { listImages } from '../../core/train/dataset.js';
import { MendError } from '../../shared/errors.js';
import { depthOption, num, oneOf, parse, passesOption, qualityOption, required } from '../args.js';
import type { CommandContext } from '../context.js';
import { rawDenoiseCommand, rawDenoiseHelp } from './raw-denoise.js';
import { rawRouteOf } from '../../core/raw/raw-file.js';
import { checkOutputFolder, checkOutputsApart } from '../outputs.js';
import { checkAutoSigma } from '../../core/metrics/small-images.js';

const OUTPUT_OPTIONS = {
  output: { type: 'string', short: 'o' },
  model: { type: 'string' },
  format: { type: 'string' },
  quality: { type: 'string' },
  depth: { type: 'string' },
  'strip-metadata': { type: 'boolean' },
  tile: { type: 'string' },
} as const;

const FORMATS = ['jpeg', 'png', 'tiff', 'webp', 'avif', 'heif'] as const;

const OUTPUT_HELP = `  -o, --output PATH    output file or folder (default: <name>.mend.<ext> beside the input)
  --model ID|PATH      model to use (default: the registry's default for the image kind)
  --format jpeg|png|tiff|webp|avif   output format (default: the input's)
  --quality Q          1-100 for lossy formats   --depth 8|16   output bit depth
  --strip-metadata     do not copy EXIF/ICC/XMP   --tile N   tile size (default 512)`;

function encodeOptions(v: { format?: string; quality?: string; depth?: string; 'strip-metadata'?: boolean }): EncodeOptions {
  return {
    format: v.format === undefined ? undefined : oneOf<ImageFormat>(v.format === 'jpg' ? 'jpeg' : v.format, 'format', FORMATS, 'png'),
    quality: qualityOption(v.quality),
    depth: depthOption(v.depth),
    keepMetadata: !v['strip-metadata'],
  };
}

/** Resolves -o: a folder (existing, or ending in a separator) gets the default name inside. */
async function outputPathFor(input: string, output: string | undefined, format: ImageFormat | undefined, suffix = 'mend'): Promise<string> {
  let out: string;
  if (!output) out = defaultOutputPath(input, { format, suffix });
  else if (/[\\/]$/.test(output) || (await stat(output).then((s) => s.isDirectory(), () => false))) {
    out = defaultOutputPath(input, { outDir: output, format, suffix });
  } else out = output;
  assertNotSameFile(input, out);
  return out;
}

function single(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new MendError('usage', `Give exactly one ${what} (got ${positionals.length}); use \`mend batch\` for many`);
  return positionals[0];
}

export const denoiseHelp = `mend denoise IN [-o OUT] [--model ID] [--amount 0..100] [--detail 0..100] [--sigma N|auto] [--strength 0..1] [--passes 1|2|4|8]
  Removes noise from a photo. A grey model on a colour photo (the default) denoises its
  brightness and cleans the colour along the brightness edges.
  --amount A           how much noise to remove, 0-100 (default: read from the photo, which
                       works on camera photos as well as on synthetic noise)
  --detail D           0-100: give back part of the fine brightness texture (default 0)
  --sigma N|auto       noise level on the 0-255 scale instead of --amount (default auto)
  --strength S         0 = keep the input, 1 = full denoise (default 1)
  --passes N           run the network on N turned/mirrored copies and average them (and, on
                       a colour photo, once more on each colour plane): cleaner, about N times
                       the time, N+2 on colour (1, 2, 4 or 8; default 1)
${OUTPUT_HELP}
${rawDenoiseHelp}`;

export async function denoiseCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { ...OUTPUT_OPTIONS, sigma: { type: 'string' }, strength: { type: 'string' }, passes: { type: 'string' }, amount: { type: 'string' }, detail: { type: 'string' } });
  const input = single(positionals, 'input image');
  if (await rawRouteOf(input)) return rawDenoiseCommand(input, v, ctx);
  const passes = passesOption(v.passes);
  const enc = encodeOptions(v);
  const sigma = v.sigma === undefined || v.sigma === 'auto' ? 'auto' : num(v.sigma, 'sigma', 25, { min: 0, max: 255 });
  const strength = num(v.strength, 'strength', 1, { min: 0, max: 1 });
  const amount = v.amount === undefined ? undefined : num(v.amount, 'amount', 50, { min: 0, max: 100 });
  if (amount !== undefined && sigma !== 'auto') throw new MendError('usage', 'Give --amount or --sigma, not both.');
  const detail = num(v.detail, 'detail', 0, { min: 0, max: 100 });
  const tileSize = v.tile ? num(v.tile, 'tile', 512, { min: 64, int: true }) : undefined;
  const out = await outputPathFor(input, v.output, enc.format);
  checkOutputFolder(out);
  const image = await readImage(input);
  if (sigma === 'auto') checkAutoSigma(input, image.raster);
  const model = await resolveModel(v.model, 'denoise', image.raster.channels);
  const res = await denoiseRaster(image.raster, model, { sigma, amount, detail, strength, passes, tileSize, ...ctx.job });
  await writeImage(out, { ...image, raster: res.output }, enc);
  ctx.reporter.done();
  ctx.reporter.result({ task: 'denoise', input, output: out, model: model.card.id, sigma: res.sigma, amount: res.amount, detail, noise: res.noise, estimated: res.estimated, strength, passes });
  if (!ctx.json) console.log(`${out} (model ${model.card.id}, amount ${res.amount}, sigma ${res.sigma.toFixed(1)}${res.estimated ? ` estimated${res.noise ? `: ${res.noise === 'camera' ? 'camera noise' : res.noise === 'clean' ? 'clean, left as it is' : 'white noise'}` : ''}` : ''}, strength ${strength}${passes > 1 ? `, ${passes} passes` : ''})`);
  return 0;
}

export const inpaintHelp = `mend inpaint IN --mask M.png [-o OUT] [--model ID] [--no-grain] [--exclude X.png] [--seed N] [--no-synthesis]
  Fills the white pixels of the mask; every other pixel stays exactly as it was. Where the photo
  around a hole is visibly noisy (sigma 6 or more in its flattest parts), the fill gets grain of
  that sigma so it does not show as a smooth smear; --no-grain leaves every fill smooth.
  Wide holes (an object to remove: 16 px across or more) also get texture copied from patches of
  the photo around them; --exclude X.png names pixels (white) not to copy from, --seed N gives
  another fill (a re-roll), --no-synthesis fills every hole smoothly.
${OUTPUT_HELP}`;

export async function inpaintCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    ...OUTPUT_OPTIONS, mask: { type: 'string' }, 'no-grain': { type: 'boolean' }, exclude: { type: 'string' }, seed: { type: 'string' }, 'no-synthesis': { type: 'boolean' },
  });
  const input = single(positionals, 'input image');
  const maskPath = required(v.mask, 'mask');
  const enc = encodeOptions(v);
  const tileSize = v.tile ? num(v.tile, 'tile', 512, { min: 64, int: true }) : undefined;
  const out = await outputPathFor(input, v.output, enc.format);
  checkOutputsApart({ input: input, mask: maskPath }, { output: out });
  checkOutputFolder(out);
  const image = await readImage(input);
  const mask = await readMask(maskPath, image.raster.width, image.raster.height);
  const model = await resolveModel(v.model, 'inpaint', image.raster.channels);
  const exclude = v.exclude ? await readMask(v.exclude, image.raster.width, image.raster.height) : undefined;
  const seed = v.seed === undefined ? undefined : num(v.seed, 'seed', 0, { min: 0, max: 2 ** 31 - 1, int: true });
  const filled = await inpaintRaster(image.raster, mask, model, { tileSize, grain: !v['no-grain'], synthesis: !v['no-synthesis'], exclude, seed, ...ctx.job });
  await writeImage(out, { ...image, raster: filled }, enc);
  let holes = 0;
  for (const m of mask) holes += m;
  ctx.reporter.done();
  ctx.reporter.result({ task: 'inpaint', input, output: out, model: model.card.id, maskedPixels: holes });
  if (!ctx.json) console.log(`${out} (model ${model.card.id}, ${holes} pixels filled)`);
  return 0;
}

export const anomalyHelp = `mend anomaly IN -o MAP.png [--mask-out M.png] [--threshold T] [--model ID]
  Reconstruction-error map (dust, hot pixels); --batch DIR: dust and hot pixels over a whole shoot.
mend anomaly --batch DIR -o MASK.png [--heatmap H.png] [--sensitivity Z] [--darkening D] [--grow N]
  One photo: where the autoencoder cannot rebuild it.
  -o, --output MAP.png  heat map (black = normal, red = at the threshold, yellow/white = far above)
  --mask-out M.png     suggested inpainting mask (white = anomalous)
  --threshold T        in robust standard deviations of the error (default 6)
  With --batch, over a whole shoot: sensor dust (a soft dark spot at the same place in most
  frames) and hot pixels (a lone bright pixel in most frames), written as ONE inpainting mask
  for every frame (-o MASK.png; then \`mend batch DIR --task inpaint --mask MASK.png\`).
  --heatmap H.png      where the frames agree on a defect, over the shoot's mean frame
  --sensitivity Z      how clearly a darkening must stand out across frames (default 5; lower = more)
  --darkening D        smallest darkening that counts, as a fraction of the light (default 0.04)
  --grow N             mask margin around each spot's measured radius, in pixels (default 2)`;

/** \`mend anomaly --batch DIR\`: dust and hot pixels over a shoot (core/infer/dust.ts). */
async function shootAnomaly(dir: string, v: { output?: string; heatmap?: string; sensitivity?: string; darkening?: string; grow?: string }, ctx: CommandContext): Promise<number> {
  const out = required(v.output, 'output');
  const files = await listImages(dir);
  checkOutputsApart(Object.fromEntries(files.map((f) => [`frame ${f}`, f])), { '-o': out, '--heatmap': v.heatmap });
  checkOutputFolder(out);
  if (v.heatmap) checkOutputFolder(v.heatmap);
  const res = await findShootDefects(files.map((f) => ({ name: f, read: async () => (await readImage(f)).raster })), {
    sensitivity: num(v.sensitivity, 'sensitivity', 5, { min: 0.5, max: 100 }), darkening: num(v.darkening, 'darkening', 0.04, { min: 0, max: 1 }),
    grow: num(v.grow, 'grow', 2, { min: 0, max: 100 }),
    ...ctx.job,
  });
  await writeMask(out, res.mask, res.width, res.height);
  if (v.heatmap) {
    const { mapWidth: w, mapHeight: h } = res;
    const data = new Float32Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      // The mean frame in grey, the evidence laid over it in heat colours.
      const [r, g, b] = heatColour(res.heat[i]!);
      const a = Math.min(1, Math.max(0, (res.heat[i]! - 0.35) / 0.25));
      const m = 0.6 * res.mean[i]!;
      data[i * 3] = m + a * (r - m);
      data[i * 3 + 1] = m + a * (g - m);
      data[i * 3 + 2] = m + a * (b - m);
    }
    await writeImage(v.heatmap, { raster: { width: w, height: h, channels: 3, data }, bitDepth: 8, format: 'png' }, { keepMetadata: false });
  }
  let masked = 0;
  for (const m of res.mask) masked += m;
  ctx.reporter.done();
  ctx.reporter.result({
    task: 'anomaly-batch', folder: dir, mask: out, heatmap: v.heatmap, frames: res.frames, skipped: res.skipped, width: res.width, height: res.height,
    maskedPixels: masked, spots: res.spots,
  });
  if (!ctx.json) {
    const dust = res.spots.filter((s) => s.kind === 'dust').length;
    console.log(`${res.frames} frames: ${dust} dust spot${dust === 1 ? '' : 's'}, ${res.spots.length - dust} hot pixel${res.spots.length - dust === 1 ? '' : 's'}; mask ${out} (${masked} pixels)${v.heatmap ? `, heat map ${v.heatmap}` : ''}`);
    for (const s of res.spots) {
      console.log(`  ${s.kind.padEnd(4)} at ${s.x.toFixed(0)},${s.y.toFixed(0)}  r ${s.radius.toFixed(1)}  ${s.kind === 'dust' ? `darkens ${(100 * s.strength).toFixed(0)}%` : `+${(255 * s.strength).toFixed(0)}/255`}  in ${(100 * s.frames).toFixed(0)}% of frames`);
    }
    for (const s of res.skipped) console.log(`  skipped ${s.name}: ${s.reason}`);
  }
  return 0;
}

export async function anomalyCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { output: { type: 'string', short: 'o' }, model: { type: 'string' },
    'mask-out': { type: 'string' }, threshold: { type: 'string' }, sigma: { type: 'string' },
    batch: { type: 'string' }, heatmap: { type: 'string' }, sensitivity: { type: 'string' }, darkening: { type: 'string' }, grow: { type: 'string' } });
  if (v.batch !== undefined) {
    if (positionals.length > 0) throw new MendError('usage', '--batch takes the shoot folder; give no other input');
    return shootAnomaly(v.batch, v, ctx);
  }
  if (v.heatmap || v.sensitivity || v.darkening || v.grow) throw new MendError('usage', '--heatmap, --sensitivity, --darkening and --grow go with --batch DIR');
  const input = single(positionals, 'input image');
  const out = required(v.output, 'output');
  checkOutputsApart({ input }, { '-o': out, '--mask-out': v['mask-out'] });
  checkOutputFolder(out);
  if (v['mask-out']) checkOutputFolder(v['mask-out']);
  const image = await readImage(input);
  const model = await resolveModel(v.model, 'denoise', image.raster.channels);
  const res = await anomalyMap(image.raster, model, {
    threshold: num(v.threshold, 'threshold', 6, { min: 0 }), sigma: num(v.sigma, 'sigma', 30, { min: 0, max: 255 }), ...ctx.job });
  const { width, height } = image.raster;
  await writeImage(out, { raster: heatmap(res.error, width, height, res.cutoff), bitDepth: 8, format: 'png' }, { keepMetadata: false });
  let flagged = 0;
  for (const m of res.mask) flagged += m;
  if (v['mask-out']) await writeMask(v['mask-out'], res.mask, width, height);
  ctx.reporter.done();
  ctx.reporter.result({ task: 'anomaly', input, output: out, mask: v['mask-out'], flaggedPixels: flagged, cutoff: res.cutoff });
  if (!ctx.json) console.log(`${out}: ${flagged} pixels flagged (${((100 * flagged) / (width * height)).toFixed(2)}%)${v['mask-out'] ? `, mask ${v['mask-out']}` : ''}`);
  return 0;
}
