// Lossless JPEG (ITU T.81 process 14, SOF3), the compression of most camera DNGs (DNG
// compression 7): Huffman-coded differences from one of seven predictors, 2-16 bits per sample.

export interface LosslessJpeg {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** Samples in raster order, components interleaved. */
  data: Uint16Array;
}

export class LosslessJpegError extends Error {}

interface Huffman {
  /** For each code length 1..16: the largest code (or -1), and the index of its first value. */
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxCode = new Int32Array(18).fill(-1);
  const minCode = new Int32Array(18);
  const valPtr = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    if (n > 0) {
      valPtr[len] = k;
      minCode[len] = code;
      code += n;
      k += n;
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  return { maxCode, minCode, valPtr, values };
}

/** Decodes one lossless JPEG stream (a DNG tile or strip). */
export function decodeLosslessJpeg(b: Uint8Array): LosslessJpeg {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new LosslessJpegError('lossless JPEG data does not start with SOI');
  const tables: (Huffman | undefined)[] = [];
  let width = 0, height = 0, precision = 0, comps = 0;
  const compIds: number[] = [];
  let restart = 0;
  let pos = 2;
  for (;;) {
    while (pos < b.length && b[pos] !== 0xff) pos++;
    while (pos < b.length && b[pos] === 0xff) pos++;
    if (pos >= b.length) throw new LosslessJpegError('lossless JPEG data ends before its scan');
    const marker = b[pos++];
    const len = (b[pos] << 8) | b[pos + 1];
    const seg = pos + 2;
    if (marker === 0xc4) {
      let p = seg;
      while (p < pos + len) {
        const id = b[p] & 0x0f;
        const counts = b.subarray(p + 1, p + 17);
        let n = 0;
        for (const c of counts) n += c;
        tables[id] = buildHuffman(counts, b.subarray(p + 17, p + 17 + n));
        p += 17 + n;
      }
    } else if (marker === 0xc3) {
      precision = b[seg];
      height = (b[seg + 1] << 8) | b[seg + 2];
      width = (b[seg + 3] << 8) | b[seg + 4];
      comps = b[seg + 5];
      for (let c = 0; c < comps; c++) compIds.push(b[seg + 6 + 3 * c]);
    } else if (marker === 0xdd) {
      restart = (b[seg] << 8) | b[seg + 1];
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new LosslessJpegError(`JPEG process SOF${marker - 0xc0} is not lossless JPEG`);
    } else if (marker === 0xda) {
      if (!width || !height) throw new LosslessJpegError('lossless JPEG scan before its frame header');
      const ns = b[seg];
      const huff: Huffman[] = [];
      for (let c = 0; c < ns; c++) {
        const id = b[seg + 1 + 2 * c];
        const t = tables[b[seg + 2 + 2 * c] >> 4];
        if (!t) throw new LosslessJpegError('lossless JPEG scan names a missing Huffman table');
        huff[compIds.indexOf(id) >= 0 ? compIds.indexOf(id) : c] = t;
      }
      const predictor = b[seg + 1 + 2 * ns];
      const pt = b[seg + 3 + 2 * ns] & 0x0f;
      return decodeScan(b, pos + len, { width, height, comps, precision, huff, predictor, pt, restart });
    }
    pos += len;
  }
}

interface ScanSpec {
  width: number;
  height: number;
  comps: number;
  precision: number;
  huff: Huffman[];
  predictor: number;
  pt: number;
  restart: number;
}

function decodeScan(b: Uint8Array, start: number, s: ScanSpec): LosslessJpeg {
  const { width, height, comps, precision, huff, predictor, pt } = s;
  let pos = start;
  let acc = 0; // bit buffer, up to 24 bits
  let nbits = 0;
  let hitMarker = false;
  const fill = (): void => {
    while (nbits <= 16) {
      let byte = 0;
      if (!hitMarker && pos < b.length) {
        byte = b[pos];
        if (byte === 0xff) {
          const next = b[pos + 1];
          if (next === 0) pos += 2;
          else { hitMarker = true; byte = 0; }
        } else pos++;
      }
      acc = ((acc << 8) | byte) & 0xffffff;
      nbits += 8;
    }
  };
  const bits = (n: number): number => {
    if (n === 0) return 0;
    if (nbits < n) fill();
    nbits -= n;
    return (acc >>> nbits) & ((1 << n) - 1);
  };
  const decode = (h: Huffman): number => {
    let code = bits(1);
    let len = 1;
    while (code > h.maxCode[len]) {
      code = (code << 1) | bits(1);
      if (++len > 16) throw new LosslessJpegError('corrupt lossless JPEG data (bad Huffman code)');
    }
    return h.values[h.valPtr[len] + code - h.minCode[len]];
  };
  const out = new Uint16Array(width * height * comps);
  const rowLen = width * comps;
  const initial = 1 << (precision - pt - 1);
  let sinceRestart = 0;
  let resetRow = true; // after a restart the first row's rules apply again
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (s.restart && sinceRestart === s.restart) {
        // Byte-align, skip the RSTn marker, start predicting afresh.
        nbits = 0;
        acc = 0;
        while (pos < b.length - 1 && !(b[pos] === 0xff && b[pos + 1] >= 0xd0 && b[pos + 1] <= 0xd7)) pos++;
        pos += 2;
        hitMarker = false;
        sinceRestart = 0;
        resetRow = true;
      }
      for (let c = 0; c < comps; c++) {
        const t = decode(huff[c]);
        let diff = 0;
        if (t === 16) diff = 32768;
        else if (t > 0) {
          diff = bits(t);
          if (diff < 1 << (t - 1)) diff -= (1 << t) - 1;
        }
        const i = y * rowLen + x * comps + c;
        let pred: number;
        if (resetRow && x === 0) pred = initial;
        else if (resetRow) pred = out[i - comps];
        else if (x === 0) pred = out[i - rowLen];
        else {
          const ra = out[i - comps], rb = out[i - rowLen], rc = out[i - rowLen - comps];
          switch (predictor) {
            case 1: pred = ra; break;
            case 2: pred = rb; break;
            case 3: pred = rc; break;
            case 4: pred = ra + rb - rc; break;
            case 5: pred = ra + ((rb - rc) >> 1); break;
            case 6: pred = rb + ((ra - rc) >> 1); break;
            case 7: pred = (ra + rb) >> 1; break;
            default: pred = ra;
          }
        }
        out[i] = (pred + diff) & 0xffff;
      }
      sinceRestart++;
    }
    resetRow = false;
  }
  if (pt) for (let i = 0; i < out.length; i++) out[i] <<= pt;
  return { width, height, components: comps, precision, data: out };
}
