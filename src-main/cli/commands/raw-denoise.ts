/** `mend denoise IMG.dng`: the raw-domain route of `mend denoise` (core/raw/raw-file.ts). */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { assertNotSameFile } from '../../core/image/io.js';
import { resolveModel } from '../../core/models/registry.js';
import { denoiseRawFile, type RawOutputFormat } from '../../core/raw/raw-file.js';
import { amountForSigma } from '../../shared/amount.js';
import { MendError } from '../../shared/errors.js';
import { num, oneOf, passesOption } from '../args.js';
import type { CommandContext } from '../context.js';

export const rawDenoiseHelp = `  A camera RAW file (DNG, CR2, NEF, ARW, RAF, ORF, RW2, ...) is denoised in the raw domain (its
  Bayer mosaic, before demosaicing) and written as a linear DNG that raw editors open like the
  original (white balance still adjustable): IMG.CR2 -> IMG.mend.dng; --format tiff writes a
  16-bit TIFF in a simple default rendering. DNG is read by Mend, the others by LibRaw.
  --amount and --sigma set the network's level on the stabilised planes instead of the one read
  from the file; --detail gives back brightness texture as for other photos.`;

interface RawValues {
  output?: string;
  model?: string;
  format?: string;
  strength?: string;
  sigma?: string;
  amount?: string;
  detail?: string;
  passes?: string;
  tile?: string;
  quality?: string;
  depth?: string;
}

async function rawOutputPath(input: string, output: string | undefined, format: RawOutputFormat): Promise<string> {
  const name = `${basename(input, extname(input))}.mend.${format === 'dng' ? 'dng' : 'tif'}`;
  let out: string;
  if (!output) out = join(dirname(input), name);
  else if (/[\\/]$/.test(output) || (await stat(output).then((s) => s.isDirectory(), () => false))) out = join(output, name);
  else out = output;
  assertNotSameFile(input, out);
  return out;
}

export async function rawDenoiseCommand(input: string, v: RawValues, ctx: CommandContext): Promise<number> {
  const sigma = v.sigma === undefined || v.sigma === 'auto' ? undefined : num(v.sigma, 'sigma', 10, { min: 0, max: 255 });
  const amount = v.amount === undefined ? undefined : num(v.amount, 'amount', 50, { min: 0, max: 100 });
  if (amount !== undefined && sigma !== undefined) throw new MendError('usage', 'Give --amount or --sigma, not both.');
  const detail = num(v.detail, 'detail', 0, { min: 0, max: 100 });
  if (v.quality !== undefined || v.depth !== undefined) throw new MendError('usage', '--quality and --depth do not apply to RAW input (DNG and TIFF output are 16-bit)');
  const format = oneOf<RawOutputFormat>(v.format === 'tif' ? 'tiff' : v.format, 'format', ['dng', 'tiff'], 'dng');
  const strength = num(v.strength, 'strength', 1, { min: 0, max: 1 });
  const passes = passesOption(v.passes);
  const tileSize = v.tile ? num(v.tile, 'tile', 512, { min: 64, int: true }) : undefined;
  const out = await rawOutputPath(input, v.output, format);
  const model = await resolveModel(v.model, 'denoise', 1);
  const res = await denoiseRawFile(input, out, model, { format, strength, passes, tileSize, sigma, amount, detail, ...ctx.job });
  ctx.reporter.done();
  ctx.reporter.result({
    task: 'denoise', input, output: out, model: model.card.id, raw: true, format, width: res.width, height: res.height, iso: res.iso,
    noise: res.noise, noiseSource: res.noiseSource, sigma: res.sigma, amount: amountForSigma(res.sigma), estimated: res.estimated, detail, strength, passes,
  });
  if (!ctx.json) {
    const sd = (x: number): string => (255 * Math.sqrt(Math.max(0, res.noise.a * x + res.noise.b))).toFixed(1);
    console.log(`${out} (RAW ${res.width}x${res.height}${res.iso ? ` ISO ${res.iso}` : ''}, model ${model.card.id}, noise ${res.noiseSource === 'estimated' ? 'estimated' : 'from the noise profile'}: sd ${sd(0.1)}/255 at 10% and ${sd(0.5)}/255 at 50% of white, amount ${amountForSigma(res.sigma)}${res.estimated ? '' : ' set by hand'}${detail ? `, detail ${detail}` : ''}, strength ${strength})`);
  }
  return 0;
}
