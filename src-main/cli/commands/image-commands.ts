/** `mend denoise`, `mend inpaint` and `mend anomaly`: one image in, one image out. */
import { stat } from 'node:fs/promises';
import { readImage, readMask, writeImage, writeMask, defaultOutputPath, assertNotSameFile, type EncodeOptions, type ImageFormat } from '../../core/image/io.js';
import { resolveModel } from '../../core/models/registry.js';
import { denoiseRaster } from '../../core/infer/denoise.js';
import { inpaintRaster } from '../../core/infer/inpaint.js';
import { anomalyMap, heatmap } from '../../core/infer/anomaly.js';
import { MendError } from '../../shared/errors.js';
import { depthOption, num, oneOf, parse, qualityOption, required } from '../args.js';
import type { CommandContext } from '../context.js';

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

export const denoiseHelp = `mend denoise IN [-o OUT] [--model ID] [--sigma N|auto] [--strength 0..1]
  Removes noise from a photo.
  --sigma N|auto       noise level on the 0-255 scale (default auto: estimated from the image)
  --strength S         0 = keep the input, 1 = full denoise (default 1)
${OUTPUT_HELP}`;

export async function denoiseCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { ...OUTPUT_OPTIONS, sigma: { type: 'string' }, strength: { type: 'string' } });
  const input = single(positionals, 'input image');
  const enc = encodeOptions(v);
  const sigma = v.sigma === undefined || v.sigma === 'auto' ? 'auto' : num(v.sigma, 'sigma', 25, { min: 0, max: 255 });
  const strength = num(v.strength, 'strength', 1, { min: 0, max: 1 });
  const image = await readImage(input);
  const out = await outputPathFor(input, v.output, enc.format);
  const model = await resolveModel(v.model, 'denoise', image.raster.channels);
  const res = await denoiseRaster(image.raster, model, { sigma, strength, tileSize: v.tile ? num(v.tile, 'tile', 512, { min: 64, int: true }) : undefined, ...ctx.job });
  await writeImage(out, { ...image, raster: res.output }, enc);
  ctx.reporter.done();
  ctx.reporter.result({ task: 'denoise', input, output: out, model: model.card.id, sigma: res.sigma, estimated: res.estimated, strength });
  if (!ctx.json) console.log(`${out} (model ${model.card.id}, sigma ${res.sigma.toFixed(1)}${res.estimated ? ' estimated' : ''}, strength ${strength})`);
  return 0;
}

export const inpaintHelp = `mend inpaint IN --mask M.png [-o OUT] [--model ID]
  Fills the white pixels of the mask; every other pixel stays exactly as it was.
${OUTPUT_HELP}`;

export async function inpaintCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { ...OUTPUT_OPTIONS, mask: { type: 'string' } });
  const input = single(positionals, 'input image');
  const maskPath = required(v.mask, 'mask');
  const enc = encodeOptions(v);
  const image = await readImage(input);
  const mask = await readMask(maskPath, image.raster.width, image.raster.height);
  const out = await outputPathFor(input, v.output, enc.format);
  const model = await resolveModel(v.model, 'inpaint', image.raster.channels);
  const filled = await inpaintRaster(image.raster, mask, model, { tileSize: v.tile ? num(v.tile, 'tile', 512, { min: 64, int: true }) : undefined, ...ctx.job });
  await writeImage(out, { ...image, raster: filled }, enc);
  let holes = 0;
  for (const m of mask) holes += m;
  ctx.reporter.done();
  ctx.reporter.result({ task: 'inpaint', input, output: out, model: model.card.id, maskedPixels: holes });
  if (!ctx.json) console.log(`${out} (model ${model.card.id}, ${holes} pixels filled)`);
  return 0;
}

export const anomalyHelp = `mend anomaly IN -o MAP.png [--mask-out M.png] [--threshold T] [--model ID]
  Reconstruction-error map (where the autoencoder cannot rebuild the photo: dust, hot pixels).
  -o, --output MAP.png  heat map (black = normal, red = at the threshold, yellow/white = far above)
  --mask-out M.png     suggested inpainting mask (white = anomalous)
  --threshold T        in robust standard deviations of the error (default 6)`;

export async function anomalyCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { output: { type: 'string', short: 'o' }, model: { type: 'string' },
    'mask-out': { type: 'string' }, threshold: { type: 'string' }, sigma: { type: 'string' } });
  const input = single(positionals, 'input image');
  const out = required(v.output, 'output');
  assertNotSameFile(input, out);
  if (v['mask-out']) assertNotSameFile(input, v['mask-out']);
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
