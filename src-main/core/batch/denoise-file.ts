/**
 * One batch file's denoise with the photographer's controls, exactly as `mend denoise` does it:
 * Amount (0-100, auto when absent) and Detail (0-100) for photos through denoiseRaster, and for
 * camera RAW files the raw route with the editor's mapping (a sigma by hand wins over Amount,
 * neither: the level read from the file). `sigma` stays an override for scripts.
 */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import type { Raster } from '../image/raster.js';
import { denoiseRaster } from '../infer/denoise.js';
import { checkAutoSigma } from '../metrics/small-images.js';
import type { LoadedModel } from '../models/store.js';
import type { RawMosaic } from '../raw/dng.js';
import { denoiseRaw } from '../raw/raw-file.js';
import type { BatchOptions } from './types.js';

/** Refuses what `mend denoise` refuses: Amount with a sigma, Amount or Detail out of 0-100. */
export function checkBatchDenoiseOptions(o: BatchOptions): void {
  const { amount, detail, sigma } = o;
  if (amount !== undefined && sigma !== undefined && sigma !== 'auto') throw new MendError('usage', 'Give --amount or --sigma, not both.');
  if (amount !== undefined && !(amount >= 0 && amount <= 100)) throw new MendError('usage', `--amount must be between 0 and 100, got ${amount}`);
  if (detail !== undefined && !(detail >= 0 && detail <= 100)) throw new MendError('usage', `--detail must be between 0 and 100, got ${detail}`);
  if ((o.task ?? 'denoise') !== 'denoise' && (amount !== undefined || (detail ?? 0) > 0)) {
    throw new MendError('usage', '--amount and --detail are for --task denoise');
  }
}

/**
 * The denoise settings in the journal's key: Amount and Detail only when set (Detail above 0),
 * so journals written before them still match a batch that does not use them.
 */
export function denoiseSettingsKey(o: BatchOptions): { sigma: number | 'auto'; amount?: number; detail?: number; strength: number; passes?: number } {
  return {
    sigma: o.sigma ?? 'auto',
    ...(o.amount !== undefined ? { amount: o.amount } : {}),
    ...((o.detail ?? 0) > 0 ? { detail: o.detail } : {}),
    strength: o.strength ?? 1,
    // passes only when above 1, so journals written before the option still match.
    ...((o.passes ?? 1) > 1 ? { passes: o.passes } : {}),
  };
}

export interface DenoisedFile {
  /** Photos: the denoised raster; RAW files: the camera RGB (3 channels) of the mosaic. */
  raster: Raster;
  sigma: number;
}

/** Denoises one batch input (a decoded photo, or a RAW file's mosaic when `raw` is given). */
export async function denoiseBatchFile(input: string, image: Raster, raw: RawMosaic | undefined, model: LoadedModel, o: BatchOptions, ctx: JobContext & { tileSize?: number }): Promise<DenoisedFile> {
  const common = { ...ctx, amount: o.amount, detail: o.detail ?? 0, strength: o.strength ?? 1, passes: o.passes ?? 1 };
  if (raw) {
    const res = await denoiseRaw(raw, model, { ...common, sigma: typeof o.sigma === 'number' ? o.sigma : undefined });
    return { raster: { width: raw.width, height: raw.height, channels: 3, data: res.camera }, sigma: res.sigma };
  }
  const sigma = o.sigma ?? 'auto';
  if (sigma === 'auto') checkAutoSigma(input, image);
  const res = await denoiseRaster(image, model, { ...common, sigma });
  return { raster: res.output, sigma: res.sigma };
}
