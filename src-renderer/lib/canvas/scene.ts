/** What the viewer draws: layers of decoded images, and the compare modes. */

/** One image drawn over the previous ones with `alpha` (the denoise strength blend). */
export interface Layer {
  bitmap: ImageBitmap;
  alpha: number;
}

export type CompareMode = 'single' | 'split' | 'side' | 'diff';

export const COMPARE_MODES: { id: CompareMode; label: string; short: string; title: string }[] = [
  { id: 'single', label: 'Single', short: 'One', title: 'The result alone (hold \\ or O for the original)' },
  { id: 'split', label: 'Split', short: 'Split', title: 'Original left, result right, with a draggable divider' },
  { id: 'side', label: 'Side by side', short: 'Side', title: 'Original and result next to each other, zoomed and panned together' },
  { id: 'diff', label: 'Difference', short: 'Diff', title: 'The amplified difference between original and result' },
];

export function nextCompareMode(m: CompareMode): CompareMode {
  const i = COMPARE_MODES.findIndex((x) => x.id === m);
  return COMPARE_MODES[(i + 1) % COMPARE_MODES.length]!.id;
}

/** The layers of a result shown at a denoise strength: its input, then the result over it. */
export function blendLayers(input: ImageBitmap | undefined, result: ImageBitmap | undefined, strength: number): Layer[] {
  if (!result) return input ? [{ bitmap: input, alpha: 1 }] : [];
  if (strength >= 1 || !input) return [{ bitmap: result, alpha: 1 }];
  if (strength <= 0) return [{ bitmap: input, alpha: 1 }];
  return [
    { bitmap: input, alpha: 1 },
    { bitmap: result, alpha: strength },
  ];
}
