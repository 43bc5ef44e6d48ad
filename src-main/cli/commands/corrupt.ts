import { describeNoise, addNoise, parseNoiseSpec, type NoiseSpec } from '../../core/corrupt/noise.js';
import { applyDamage, DAMAGE_KINDS, makeDamageMask, maskFraction, type DamageKind } from '../../core/corrupt/damage.js';
import { jpegCompress } from '../../core/corrupt/jpeg.js';
import { Rng } from '../../core/math/rng.js';
import { IMAGE_FORMATS, formatFromPath, type ImageFormat } from '../../core/image/formats.js';
import { assertNotSameFile, readImage, writeImage, writeMask } from '../../core/image/io.js';
import { throwIfCancelled } from '../../core/jobs/cancel.js';
import { MendError } from '../../shared/errors.js';
import { depthOption, num, oneOf, parse, qualityOption, required } from '../args.js';
import { checkOutputFolder } from '../outputs.js';
import type { CommandContext } from '../context.js';

export const corruptHelp = `mend corrupt IN -o OUT [options]
  Adds synthetic noise, damage or JPEG artefacts to a photo.
  --noise gaussian:SIGMA | poisson-gaussian:A,B | salt-pepper:P
                                     SIGMA on the 0-255 scale (e.g. gaussian:25)
  --damage scratches|dust|blobs      paint synthetic damage over the picture
  --mask-out M.png                   with --damage: write the damage mask (white = damaged)
  --jpeg Q                           JPEG round trip at quality Q (1-100)
  --seed N                           same seed, same output (default 1)
  --format jpeg|png|tiff|webp|avif|heif   output format (default: from OUT's extension)
  --quality Q --depth 8|16           encoder quality; bits per channel (PNG and TIFF)
  Applied in this order: noise, damage, JPEG. At least one of --noise, --damage, --jpeg is needed.`;

/** `--format` value: a format name or a usual extension (jpg, tif, heic). */
function parseFormat(value: string | undefined): ImageFormat | undefined {
  if (value === undefined) return undefined;
  const f = formatFromPath(`x.${value}`);
  if (!f) throw new MendError('usage', `--format must be one of ${IMAGE_FORMATS.join(', ')}, got "${value}"`);
  return f;
}

// Each stage draws from its own stream, so the damage mask for a seed does not depend on
// whether noise is added too.
const DAMAGE_STREAM = 0x5bd1e995;

export async function corruptCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    noise: { type: 'string' },
    jpeg: { type: 'string' },
    damage: { type: 'string' },
    'mask-out': { type: 'string' },
    seed: { type: 'string' },
    format: { type: 'string' },
    quality: { type: 'string' },
    depth: { type: 'string' },
  });
  if (positionals.length === 0) throw new MendError('usage', 'mend corrupt needs an input image: mend corrupt IN -o OUT --noise gaussian:25');
  if (positionals.length > 1) throw new MendError('usage', `mend corrupt takes one input image, got ${positionals.length}: ${positionals.join(' ')}`);
  const input = positionals[0]!;
  const output = required(v.output, 'output');

  const noise: NoiseSpec | undefined = v.noise === undefined ? undefined : parseNoiseSpec(v.noise);
  const jpegQuality = v.jpeg === undefined ? undefined : num(v.jpeg, 'jpeg', 0, { min: 1, max: 100, int: true });
  const damage: DamageKind | undefined =
    v.damage === undefined ? undefined : oneOf<DamageKind>(v.damage, 'damage', DAMAGE_KINDS, 'dust');
  if (!noise && jpegQuality === undefined && !damage) {
    throw new MendError('usage', 'Nothing to do: give at least one of --noise, --damage or --jpeg');
  }
  const maskOut = v['mask-out'];
  if (maskOut !== undefined) {
    if (!damage) throw new MendError('usage', '--mask-out needs --damage (there is no mask without damage)');
    if (formatFromPath(maskOut) !== 'png') throw new MendError('usage', `--mask-out writes a PNG: use a .png file name, got ${maskOut}`);
  }
  const seed = num(v.seed, 'seed', 1, { int: true });
  const format = parseFormat(v.format);
  const quality = qualityOption(v.quality);
  const depth = depthOption(v.depth);

  assertNotSameFile(input, output);
  if (maskOut !== undefined) {
    assertNotSameFile(input, maskOut);
    assertNotSameFile(output, maskOut);
  }
  const outFormat = format ?? formatFromPath(output);
  if (!outFormat) {
    throw new MendError('usage', `Cannot tell which format to write for ${output}: use an extension such as .jpg, .png or .tif, or --format`);
  }

  checkOutputFolder(output);
  if (maskOut !== undefined) checkOutputFolder(maskOut);
  const image = await readImage(input);
  let raster = image.raster;
  const steps: string[] = [];
  let mask: Uint8Array | undefined;

  if (noise) {
    throwIfCancelled(ctx.job.signal);
    raster = addNoise(raster, noise, new Rng(seed));
    steps.push(describeNoise(noise));
  }
  if (damage) {
    throwIfCancelled(ctx.job.signal);
    const rng = new Rng(seed + DAMAGE_STREAM);
    mask = makeDamageMask(damage, raster.width, raster.height, rng);
    raster = applyDamage(raster, mask, rng);
    steps.push(`${damage} damage over ${(maskFraction(mask) * 100).toFixed(1)}% of pixels`);
  }
  if (jpegQuality !== undefined) {
    throwIfCancelled(ctx.job.signal);
    raster = await jpegCompress(raster, jpegQuality);
    steps.push(`JPEG quality ${jpegQuality}`);
  }

  throwIfCancelled(ctx.job.signal);
  await writeImage(
    output,
    { raster, alpha: image.alpha, metadata: image.metadata, bitDepth: image.bitDepth, format: outFormat },
    { format: outFormat, quality, depth },
  );
  if (mask && maskOut !== undefined) await writeMask(maskOut, mask, raster.width, raster.height);

  ctx.reporter.done();
  ctx.reporter.result({ task: 'corrupt', input, output, mask: maskOut ?? null });
  if (!ctx.json) {
    console.log(`Wrote ${output}: ${steps.join(', ')}${maskOut !== undefined ? `; mask ${maskOut}` : ''}`);
  }
  return 0;
}
