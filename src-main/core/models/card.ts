/** The model card: what a model is, how it was made (reproducibly) and how well it does. */
import type { ArchSpec } from './architectures.js';

export type ModelTask = 'denoise' | 'inpaint' | 'reconstruct';

export interface TrainingRecord {
  /** The exact `mend train` command line that produced the weights. */
  command: string;
  data: string;
  images: number;
  steps: number;
  batch: number;
  patch: number;
  noise?: string;
  regularizer?: string;
  lambda?: number;
  wallSeconds: number;
  patchesPerSecond: number;
  backend: string;
  finalLoss?: number;
  valPsnr?: number;
}

export interface EvalRow {
  set: string;
  sigma?: number;
  masks?: string;
  images: number;
  psnr: number;
  ssim?: number;
  inputPsnr?: number;
  /** Denoisers: network passes over turned copies averaged (mend eval --passes), when more than 1. */
  passes?: number;
}

export interface ModelCard {
  id: string;
  name: string;
  description: string;
  task: ModelTask;
  /** 1 = grayscale, 3 = colour. */
  channels: number;
  arch: ArchSpec;
  /** Noise levels (0-255 scale) the model was trained for, for denoisers. */
  sigmaRange?: [number, number];
  flopsPerPixel?: number;
  params?: number;
  /** Fine-tuned: the model whose weights training started from. */
  initFrom?: string;
  training?: TrainingRecord;
  eval?: EvalRow[];
  created: string;
}
