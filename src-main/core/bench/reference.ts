/**
 * Published PSNR (dB) on Set12 (grayscale) and McMaster (colour) under the same protocol as
 * `mend eval`, from the denoising tables of the SwinIR paper (Liang et al., ICCVW 2021), which
 * agree with the FFDNet paper (Zhang et al., IEEE TIP 2018). See the shared data README.
 */
export interface ReferenceRow {
  method: string;
  set: 'Set12' | 'McMaster';
  sigma: number;
  psnr: number;
}

const TABLE: { method: string; set12: [number, number, number]; mcmaster: [number, number, number] }[] = [
  { method: 'BM3D / CBM3D', set12: [32.37, 29.97, 26.72], mcmaster: [34.06, 31.66, 28.51] },
  { method: 'DnCNN / CDnCNN', set12: [32.86, 30.44, 27.18], mcmaster: [33.45, 31.52, 28.62] },
  { method: 'FFDNet', set12: [32.75, 30.43, 27.32], mcmaster: [34.66, 32.35, 29.18] },
];

export const REFERENCE_SIGMAS = [15, 25, 50] as const;

export const REFERENCE_PSNR: readonly ReferenceRow[] = TABLE.flatMap((r) =>
  REFERENCE_SIGMAS.flatMap((sigma, i) => [
    { method: r.method, set: 'Set12' as const, sigma, psnr: r.set12[i]! },
    { method: r.method, set: 'McMaster' as const, sigma, psnr: r.mcmaster[i]! },
  ]),
);

export const REFERENCE_METHODS: readonly string[] = TABLE.map((r) => r.method);

/**
 * PSNR in the holes (dB) of OpenCV's Navier-Stokes inpainting (cv.inpaint, INPAINT_NS) on the
 * McMaster benchmark masks: the classical baseline Mend's inpainting is measured against (its
 * goal is 2 dB above it), as given to the project with the masks.
 */
export const INPAINT_REFERENCE: { method: string; set: 'McMaster'; psnr: Readonly<Record<string, number>> } = {
  method: 'OpenCV Navier-Stokes',
  set: 'McMaster',
  psnr: { scratches: 24.3, dust: 24.5, blobs: 18.9 },
};
