// A small lossless JPEG (SOF3) encoder for tests of the DNG reader: what camera DNGs store as
// compression 7. One Huffman table of 5-bit codes for the 17 difference categories; any of the
// seven predictors. LibRaw decodes its output too (test/unit/raw/dng.test.ts), so it is the real format.

function predict(out: Uint16Array, i: number, x: number, y: number, rowLen: number, comps: number, predictor: number, initial: number): number {
  if (y === 0 && x === 0) return initial;
  if (y === 0) return out[i - comps];
  if (x === 0) return out[i - rowLen];
  const ra = out[i - comps], rb = out[i - rowLen], rc = out[i - rowLen - comps];
  switch (predictor) {
    case 1: return ra;
    case 2: return rb;
    case 3: return rc;
    case 4: return ra + rb - rc;
    case 5: return ra + ((rb - rc) >> 1);
    case 6: return rb + ((ra - rc) >> 1);
    default: return (ra + rb) >> 1;
  }
}

/** Encodes samples (raster order, `comps` interleaved per coded column) as lossless JPEG. */
export function encodeLosslessJpeg(samples: Uint16Array, width: number, height: number, comps: number, precision: number, predictor = 1): Uint8Array {
  const bytes: number[] = [0xff, 0xd8];
  const seg = (marker: number, body: number[]): void => {
    bytes.push(0xff, marker, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff, ...body);
  };
  const counts = new Array(16).fill(0);
  counts[4] = 17;
  seg(0xc4, [0x00, ...counts, ...Array.from({ length: 17 }, (_, k) => k)]);
  const frame = [precision, height >> 8, height & 0xff, width >> 8, width & 0xff, comps];
  for (let c = 0; c < comps; c++) frame.push(c + 1, 0x11, 0);
  seg(0xc3, frame);
  const scan = [comps];
  for (let c = 0; c < comps; c++) scan.push(c + 1, 0x00);
  scan.push(predictor, 0, 0);
  seg(0xda, scan);
  let acc = 0, n = 0;
  const put = (value: number, len: number): void => {
    for (let k = len - 1; k >= 0; k--) {
      acc = (acc << 1) | ((value >> k) & 1);
      if (++n === 8) {
        bytes.push(acc);
        if (acc === 0xff) bytes.push(0);
        acc = 0;
        n = 0;
      }
    }
  };
  const rowLen = width * comps;
  const initial = 1 << (precision - 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < comps; c++) {
        const i = y * rowLen + x * comps + c;
        let d = (samples[i] - predict(samples, i, x, y, rowLen, comps, predictor, initial)) & 0xffff;
        if (d >= 32768) d -= 65536;
        const ssss = d === -32768 ? 16 : d === 0 ? 0 : 32 - Math.clz32(Math.abs(d));
        put(ssss, 5);
        if (ssss > 0 && ssss < 16) put(d > 0 ? d : d + (1 << ssss) - 1, ssss);
      }
    }
  }
  if (n > 0) put((1 << (8 - n)) - 1, 8 - n);
  bytes.push(0xff, 0xd9);
  return new Uint8Array(bytes);
}
