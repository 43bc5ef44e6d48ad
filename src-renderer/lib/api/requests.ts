/**
 * The interface's request builders: every job and export the pages start is built here (or, for
 * the Batch and Train forms with their field checks, by buildBatchSpec in state/batch-form.ts and
 * buildTrainSpec in state/train-form.ts). Pure functions over the page's choices, so that
 * test/unit/app/request-contract.test.ts can put each one, with the options the pages offer,
 * through the checks the desktop app's main process and `mend serve` apply
 * (src-main/shared/schema/). That test also fails when a page builds a job anywhere else.
 */
import type {
  AnomalyJob, CorruptJob, DenoiseJob, DustJob, ExportOptions, ImageId, InpaintJob, LabCodesJob, LabCompareJob, LabVariantId,
  SimilarFindJob, SimilarIndexJob,
} from '../../../src-main/shared/api.js';

/** The denoise request's settings (everything but the image): what a denoised version remembers. */
export type DenoiseSettings = Omit<DenoiseJob, 'type' | 'image'>;

export function denoiseRequest(image: ImageId, settings: DenoiseSettings): DenoiseJob {
  return { ...settings, type: 'denoise', image };
}

/** `removal`: the synthesis' "don't copy from here" mask and its seed (a re-roll sends a new one). */
export function inpaintRequest(
  image: ImageId, mask: ImageId, model: string | undefined, grain: boolean, removal: { exclude?: ImageId; seed?: number } = {},
): InpaintJob {
  return {
    type: 'inpaint', image, mask, model, grain,
    ...(removal.exclude ? { exclude: removal.exclude } : {}), ...(removal.seed !== undefined ? { seed: removal.seed } : {}),
  };
}

export function anomalyRequest(image: ImageId, model?: string): AnomalyJob {
  return { type: 'anomaly', image, model };
}

export function corruptRequest(image: ImageId, c: { noise?: string; damage?: CorruptJob['damage']; seed?: number }): CorruptJob {
  return { type: 'corrupt', image, noise: c.noise, damage: c.damage, seed: c.seed };
}

/** Where a lab job reads its pictures: a chosen folder, loaded images, or (lab compare only) generated scenes. */
export type LabSource = { kind: 'folder'; folder: string } | { kind: 'images'; images: ImageId[] } | { kind: 'scenes' };

function labData(source: LabSource): { paths?: string[]; images?: ImageId[] } {
  return source.kind === 'folder' ? { paths: [source.folder] } : source.kind === 'images' ? { images: [...source.images] } : {};
}

export interface LabCompareChoice {
  variants: LabVariantId[];
  patch: number;
  code: number;
  steps: number;
  noiseSigma: number;
  l1Lambda: number;
  klLambda: number;
  rho: number;
  contractiveLambda: number;
}

export function labCompareRequest(c: LabCompareChoice, source: LabSource): LabCompareJob {
  return { type: 'lab-compare', ...c, variants: [...c.variants], ...labData(source) };
}

export function labCodesRequest(lab: string, variant: LabVariantId, image: ImageId): LabCodesJob {
  return { type: 'lab-codes', lab, variant, image };
}

/** `darkeningPercent` as the Dust panel shows it (4 = 4 %). */
export function dustRequest(sensitivity: number, darkeningPercent: number, source: LabSource): DustJob {
  return { type: 'dust', sensitivity, darkening: darkeningPercent / 100, ...labData(source) };
}

export function similarIndexRequest(retrain: boolean, source: LabSource): SimilarIndexJob {
  return source.kind === 'folder' ? { type: 'similar-index', retrain, path: source.folder } : { type: 'similar-index', retrain, ...labData(source) };
}

export function similarFindRequest(index: string, key: string, k = 8): SimilarFindJob {
  return { type: 'similar-find', index, key, k };
}

export interface ExportChoice {
  format: ExportOptions['format'];
  quality: number;
  depth: 8 | 16;
  keepMetadata: boolean;
  fileName: string;
}

/**
 * Exports `image` as chosen: blended with `blend.base` by the strength slider when it is below
 * 1, with the metadata of `source`; quality only for lossy formats, depth only for PNG and TIFF.
 */
export function exportRequest(image: ImageId, c: ExportChoice, o: { source?: ImageId; blend?: { base: ImageId; strength: number } } = {}): ExportOptions {
  return {
    image,
    base: o.blend?.base,
    strength: o.blend?.strength,
    source: o.source,
    format: c.format,
    quality: c.format === 'jpeg' || c.format === 'webp' || c.format === 'avif' ? c.quality : undefined,
    depth: c.format === 'png' || c.format === 'tiff' ? c.depth : undefined,
    keepMetadata: c.keepMetadata,
    fileName: c.fileName,
  };
}
