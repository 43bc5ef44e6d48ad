// The black level of each CFA position as LibRaw subtracts it. libraw-wasm's metadata carries
// only LibRaw's common black (color.black), not its per-channel cblack[0..3] nor the cblack[6..]
// pattern, and many cameras' black lives there (Canon's ChannelBlackLevel, Sony's and Nikon's per
// channel black, a DNG's BlackLevel per CFA position, masked-pixel estimates). LibRaw's own
// processing subtracts all of it, so a small crop is processed with every other step turned off
// (no interpolation, no scaling, raw colour, linear 16-bit output): each pixel there comes out as
// its raw value minus its black level, and raw - output is that black level wherever the output
// is above zero (at or below black it is clipped to 0 and says nothing).

/** The part of libraw-wasm's embind class used here. */
interface LibRawProbe {
  open(bytes: Uint8Array, settings: object): void;
  imageData(): { width: number; height: number; colors: number; bits: number; data: Uint16Array | Uint8Array } | undefined;
  rawImageData(): { raw_width: number; top_margin: number; left_margin: number; width: number; height: number; data: Uint16Array } | undefined;
  delete?(): void;
}

/** Where the visible area lies in the raw frame (LibRaw's margins and size). */
interface VisibleArea {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** Side of the square crop processed: 65536 pixels give each CFA position 16384 samples. */
const CROP = 256;

/** Fewer samples above black than this at a position, and no black is given for it. */
const MIN_SAMPLES = 16;

/**
 * Processing settings that leave each pixel as raw - black: no demosaicing, no white balance
 * scaling, camera colours, a linear curve (gamm 1,1 without auto-brightening maps value v to v),
 * 16 bits, and no flip, Fuji rotation or stretch that would move pixels.
 */
const SUBTRACT_ONLY = {
  noInterpolation: true,
  noAutoScale: true,
  outputColor: 0,
  outputBps: 16,
  gamm: [1, 1, 0, 0, 0, 0],
  noAutoBright: true,
  bright: 1,
  highlight: 0,
  userFlip: 0,
  useFujiRotate: 0,
  halfSize: false,
  fourColorRgb: false,
  greenMatching: false,
  medPasses: 0,
  threshold: 0,
};

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}

/**
 * The black level LibRaw subtracts at each position of the 2x2 CFA cell of the visible area
 * (row-major, as RawMosaic.blackLevel), measured on a crop at the centre of the picture; undefined
 * when it cannot be measured (a position at or below black everywhere in the crop, or output
 * that does not line up with the raw frame). `cfa` gives each position's colour (0 R, 1 G, 2 B),
 * the output channel that holds it. Opens the file in a fresh LibRaw instance of `make`.
 */
export function blackByPosition(make: () => LibRawProbe, bytes: Uint8Array, area: VisibleArea, cfa: readonly number[]): number[] | undefined {
  const side = Math.min(CROP, area.width & ~1, area.height & ~1);
  if (side < 2) return undefined;
  // Even offsets keep the crop's CFA phase (checked below against the margins LibRaw reports).
  const x0 = ((area.width - side) >> 2) << 1;
  const y0 = ((area.height - side) >> 2) << 1;
  const lr = make();
  try {
    lr.open(bytes, { ...SUBTRACT_ONLY, cropbox: [x0, y0, side, side] });
    const out = lr.imageData();
    const raw = lr.rawImageData();
    if (!out || !raw || out.colors !== 3 || out.bits !== 16 || out.width !== raw.width || out.height !== raw.height) return undefined;
    // The crop's origin in the visible area, from the margins LibRaw moved by the crop.
    const dy = raw.top_margin - area.top;
    const dx = raw.left_margin - area.left;
    if (dy < 0 || dx < 0 || (raw.top_margin + raw.height) * raw.raw_width > raw.data.length) return undefined;
    const diffs: number[][] = [[], [], [], []];
    for (let y = 0; y < out.height; y++) {
      const rawRow = (y + raw.top_margin) * raw.raw_width + raw.left_margin;
      for (let x = 0; x < out.width; x++) {
        const pos = ((y + dy) & 1) * 2 + ((x + dx) & 1);
        const v = out.data[(y * out.width + x) * 3 + cfa[pos]];
        if (v > 0) diffs[pos].push(raw.data[rawRow + x] - v);
      }
    }
    if (diffs.some((d) => d.length < MIN_SAMPLES)) return undefined;
    return diffs.map(median);
  } catch {
    // A file LibRaw unpacked once but cannot process this way: the caller falls back.
    return undefined;
  } finally {
    lr.delete?.();
  }
}
