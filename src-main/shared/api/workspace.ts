/** The engine's workspace as the interface sees it: images by id, models, the app's backends and roots. */

export type ImageId = string;
export type JobId = string;

/** What produced an image in the workspace. */
export type ImageRole = 'original' | 'corrupted' | 'denoised' | 'inpainted' | 'mask' | 'heatmap' | 'sample';

export interface ImageInfo {
  id: ImageId;
  /** File name shown to the user (the upload's or the opened file's base name). */
  name: string;
  role: ImageRole;
  width: number;
  height: number;
  /** Colour planes without alpha: 1 grey, 3 colour. */
  channels: number;
  bitDepth: 8 | 16;
  /** Encoded format of the source file (jpeg, png, tiff, webp, avif, heif). */
  format: string;
  hasAlpha: boolean;
  /** Estimated noise sigma (0-255 scale) for originals and corrupted images. */
  noiseSigma?: number;
  /** The image this one was computed from (for results, masks, heatmaps). */
  parent?: ImageId;
  /**
   * A camera RAW original (shown as its default rendering; `format` is its extension, e.g. dng,
   * cr2) or a denoised result of one: both can be exported as a linear DNG.
   */
  raw?: boolean;
}

/** `imageUrl` variants: full-resolution 8-bit PNG (real pixels at 100%) and a small JPEG. */
export type ImageVariant = 'view' | 'thumb';

export interface ModelSummary {
  id: string;
  name: string;
  description: string;
  task: 'denoise' | 'inpaint' | 'reconstruct';
  channels: number;
  /** 'shipped' models are read-only; 'user' models can be renamed and deleted. */
  source: 'shipped' | 'user';
  /** True when the registry uses it as a default for its task (see defaultFor). */
  isDefault: boolean;
  /**
   * Channel counts (1 grey, 3 colour) of the images it is the registry's default for. A grey
   * denoiser can be the colour default: it denoises colour images through their luminance.
   */
  defaultFor: number[];
  arch: string;
  params?: number;
  flopsPerPixel?: number;
  sigmaRange?: [number, number];
  /** Best-known score, e.g. "McMaster sigma 25: 29.55 dB". */
  headline?: string;
}

export interface ModelDetails {
  summary: ModelSummary;
  /** card.json as stored (ModelCard of src-main/core/models/card.ts). */
  card: Record<string, unknown>;
  /** card.md, the human-readable card. */
  markdown: string;
}

export interface BackendInfo {
  /** cuda | native | wasm | cpu */
  name: string;
  /** e.g. "WASM (single thread, SIMD)". */
  label: string;
  /** What would make it faster, e.g. "Install @tensorflow/tfjs-node-gpu with CUDA 11.2 for GPU speed". */
  hint?: string;
}

export interface AppInfo {
  version: string;
  /** 'web' (mend serve) or 'desktop' (Electron). */
  mode: 'web' | 'desktop';
  backend: BackendInfo;
  /** Server-side folders the user allowed (`mend serve --root`); empty in a browser without roots. */
  roots: string[];
}

/** A folder listing for picking server-side inputs/outputs (only under AppInfo.roots). */
export interface FolderListing {
  path: string;
  parent?: string;
  entries: { name: string; path: string; kind: 'dir' | 'image' }[];
}

export interface ImageComparison {
  psnr: number;
  ssim: number;
}
