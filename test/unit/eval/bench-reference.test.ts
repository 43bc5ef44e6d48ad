// The bench's inpainting comparison: each mask set next to OpenCV Navier-Stokes, with the margin.
import { describe, expect, it } from 'vitest';
import { formatInpaintReference } from '../../../src-main/cli/commands/bench.js';
import type { InpaintEvalRow } from '../../../src-main/core/eval/evaluate.js';

const row = (masks: string, psnr: number, set = 'McMaster'): InpaintEvalRow => ({ set, masks, images: 18, psnr, psnrWhole: 40, ssim: 0.99, inputPsnr: 10, texture: 0.1 });

describe('formatInpaintReference', () => {
  it('puts each McMaster mask set next to Navier-Stokes with its margin, signed', () => {
    const lines = formatInpaintReference([row('blobs', 20.9188), row('dust', 27.1448), row('scratches', 24.1)]);
    expect(lines[0]).toBe('Inpainting McMaster, PSNR in the holes (dB) next to OpenCV Navier-Stokes:');
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/))).toEqual([
      ['blobs', '20.92', '18.90', '+2.02'],
      ['dust', '27.14', '24.50', '+2.64'],
      ['scratches', '24.10', '24.30', '-0.20'],
    ]);
  });

  it('says nothing for sets or masks without a reference figure', () => {
    expect(formatInpaintReference([row('blobs', 20, 'Kodak'), row('my-masks', 25)])).toEqual([]);
  });
});
