/** The lab's jobs and results: the autoencoder comparison and code maps, shoot-wide dust, similar images. */
import type * as v from 'valibot';
import type { ImageId, ImageInfo } from './workspace.js';
import type * as s from '../schema/index.js';

/** The lab's models: PCA (the linear baseline) and one dense patch autoencoder per variant. */
export type LabVariantId = (typeof s.LAB_VARIANTS)[number];

/**
 * Trains every variant with the same code size on the same grey patches (`mend lab compare`).
 * Data: server folders and/or workspace images; neither = generated photo-like scenes.
 * Progress events: stage 'lab', `detail` the variant's label, `metrics` {variant (index in
 * LAB_VARIANTS order), step, loss, mse, jacobian} (test error and Jacobian norm so far).
 */
export type LabCompareJob = v.InferOutput<typeof s.LabCompareJobSchema>;
export interface LabCurvePoint {
  step: number;
  loss: number;
  /** Test reconstruction error (contrast units) at this step. */
  mse: number;
  jacobian: number;
}
export interface LabVariantReport {
  id: LabVariantId;
  label: string;
  activation: 'linear' | 'sigmoid' | 'relu';
  lambda?: number;
  rho?: number;
  steps: number;
  seconds: number;
  /** Test reconstruction error (patch mean removed, divided by the data's contrast scale). */
  mse: number;
  /** PSNR of the test reconstructions, dB. */
  psnr: number;
  /** Fraction of near-zero code activations. */
  nearZero: number;
  meanActivation: number;
  /** Mean Frobenius norm of the encoder Jacobian dh/dx. */
  jacobian: number;
  /** PSNR of the model's output for noisy test patches, dB. */
  denoisePsnr: number;
  /** Sparse variants: what they aim for and whether they got there. */
  target?: { kind: 'near-zero' | 'mean-activation'; value: number; reached: boolean };
  curve: LabCurvePoint[];
  /** Encoder weights as patch-shaped tiles (0 = mid-grey). */
  filters: ImageInfo;
  /** The sample patches as this model rebuilds them (one strip). */
  reconstructions: ImageInfo;
  /** Its output for the noisy sample patches (one strip). */
  denoised: ImageInfo;
}
export interface LabCompareResult {
  type: 'lab-compare';
  /** Names this run for lab-codes jobs. */
  lab: string;
  /** What it trained on, in words. */
  data: string;
  patch: number;
  code: number;
  trainPatches: number;
  testPatches: number;
  noiseSigma: number;
  /** PSNR of the noisy test patches, dB. */
  noisyPsnr: number;
  /** The sample patches (one strip each): clean, and with the test noise. */
  samples: { clean: ImageInfo; noisy: ImageInfo; count: number };
  variants: LabVariantReport[];
  /** The contractive variant against the undercomplete one at the same reconstruction error. */
  matched?: { mse: number; plainJacobian: number; contractiveJacobian: number };
  seconds: number;
}

/** What one lab model's code looks like over a picture: one map per code unit. */
export type LabCodesJob = v.InferOutput<typeof s.LabCodesJobSchema>;
export interface LabCodesResult {
  type: 'lab-codes';
  variant: LabVariantId;
  /** The grey picture analysed (downscaled). */
  input: ImageInfo;
  /** A grid of the code units' maps (bright = that unit fires there). */
  maps: ImageInfo;
  /** The picture rebuilt from its codes alone. */
  reconstruction: ImageInfo;
  psnr: number;
  code: number;
  /** Patches across and down. */
  cols: number;
  rows: number;
  /** Mean activation of each unit over the picture. */
  unitMeans: number[];
  /** Fraction of near-zero activations over the picture. */
  nearZero: number;
}

/**
 * Sensor dust and hot pixels over a shoot (`mend anomaly --batch`): spots at the same place in
 * most frames. Frames: server folders/files and/or workspace images, all of one size.
 */
export type DustJob = v.InferOutput<typeof s.DustJobSchema>;
export interface DustSpot {
  kind: 'dust' | 'hot';
  /** Centre and radius in frame pixels. */
  x: number;
  y: number;
  radius: number;
  /** Fraction of frames it showed in. */
  frames: number;
  /** Dust: darkening at the core (0.1 = 10%); hot: excess brightness. */
  strength: number;
}
export interface DustResult {
  type: 'dust';
  frames: number;
  skipped: { name: string; reason: string }[];
  width: number;
  height: number;
  /** The mean of the frames (dust shows as fixed dark spots), at the analysis resolution. */
  mean: ImageInfo;
  /** Heat map with alpha over `mean` (transparent = nothing), same size as `mean`. */
  heatmap: ImageInfo;
  /** One inpainting mask for every frame of the shoot (white = fill), full frame size. */
  mask: ImageInfo;
  spots: DustSpot[];
  maskedPixels: number;
  seconds: number;
}

/** One image of a similar-image index. */
export interface SimilarItem {
  /** Path relative to the indexed folder, or the workspace image id. */
  key: string;
  name: string;
  /** Server path (for openPath), for folder indexes. */
  path?: string;
  /** Workspace image, for indexes of loaded images. */
  image?: ImageId;
  /** A small JPEG as a data: URL. */
  thumb: string;
  width: number;
  height: number;
  /** Position on the 2-D map of the codes (their two principal components). */
  x: number;
  y: number;
}
/** Indexes a server folder (under the roots) or the given workspace images, incrementally. */
export type SimilarIndexJob = v.InferOutput<typeof s.SimilarIndexJobSchema>;
export interface SimilarIndexResult {
  type: 'similar-index';
  /** Names the index for similar-find: the folder, or 'workspace'. */
  index: string;
  items: SimilarItem[];
  /** Near-duplicate groups (bursts), as item keys, largest first. */
  groups: string[][];
  decoded: number;
  reused: number;
  removed: number;
  retrained: boolean;
  failed: { path: string; reason: string }[];
  seconds: number;
}
/** The images of an index nearest to a query: an indexed item, a workspace image or a server file. */
export type SimilarFindJob = v.InferOutput<typeof s.SimilarFindJobSchema>;
export interface SimilarFindResult {
  type: 'similar-find';
  query: { name: string; thumb?: string; key?: string };
  /** Nearest first; distance = cosine distance of the codes (0 = same). */
  matches: (SimilarItem & { distance: number })[];
}

export type LabJobSpec = LabCompareJob | LabCodesJob | DustJob | SimilarIndexJob | SimilarFindJob;
export type LabJobResult = LabCompareResult | LabCodesResult | DustResult | SimilarIndexResult | SimilarFindResult;
