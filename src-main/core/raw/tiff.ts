// The TIFF container DNG is built on: reading IFDs (either byte order) into tag/value entries, and
// writing a little-endian TIFF from entries. Written by hand because the only npm TIFF libraries
// (utif, tiff) decode display images and neither writes the DNG tags (CFA, colour matrices,
// NoiseProfile) a raw file needs; the format is small enough to own.

/** TIFF field types used here: BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEFINED, SSHORT, SLONG, SRATIONAL, FLOAT, DOUBLE. */
export type TiffType = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12;

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8 };

export interface TiffEntry {
  tag: number;
  type: TiffType;
  /** Numbers for numeric types (a RATIONAL counts as one value, numerator/denominator); bytes for BYTE/UNDEFINED; text for ASCII. */
  value: number[] | Uint8Array | string;
}

export interface Ifd {
  entries: Map<number, TiffEntry>;
  /** File offset of the IFD (for messages and loops). */
  offset: number;
}

export interface TiffFile {
  littleEndian: boolean;
  view: DataView;
  bytes: Uint8Array;
  /** IFD0 and the chain after it, then every SubIFD (tag 330), depth first. */
  ifds: Ifd[];
  /** The Exif IFD of IFD0 (tag 34665), if any. */
  exif?: Ifd;
}

export class TiffError extends Error {}

function readValues(view: DataView, le: boolean, type: number, count: number, at: number): number[] | Uint8Array | string {
  if (type === 2) {
    let s = '';
    for (let i = 0; i < count; i++) {
      const c = view.getUint8(at + i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
  if (type === 1 || type === 7 || type === 6) return new Uint8Array(view.buffer, view.byteOffset + at, count).slice();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 3: out.push(view.getUint16(at + 2 * i, le)); break;
      case 8: out.push(view.getInt16(at + 2 * i, le)); break;
      case 4: case 13: out.push(view.getUint32(at + 4 * i, le)); break;
      case 9: out.push(view.getInt32(at + 4 * i, le)); break;
      case 5: { const d = view.getUint32(at + 8 * i + 4, le); out.push(d === 0 ? 0 : view.getUint32(at + 8 * i, le) / d); break; }
      case 10: { const d = view.getInt32(at + 8 * i + 4, le); out.push(d === 0 ? 0 : view.getInt32(at + 8 * i, le) / d); break; }
      case 11: out.push(view.getFloat32(at + 4 * i, le)); break;
      case 12: out.push(view.getFloat64(at + 8 * i, le)); break;
      default: throw new TiffError(`unknown TIFF field type ${type}`);
    }
  }
  return out;
}

function readIfd(view: DataView, le: boolean, offset: number): { ifd: Ifd; next: number } {
  if (offset + 2 > view.byteLength) throw new TiffError(`IFD offset ${offset} is past the end of the file`);
  const n = view.getUint16(offset, le);
  if (offset + 2 + 12 * n + 4 > view.byteLength) throw new TiffError(`IFD at ${offset} runs past the end of the file`);
  const entries = new Map<number, TiffEntry>();
  for (let i = 0; i < n; i++) {
    const at = offset + 2 + 12 * i;
    const tag = view.getUint16(at, le);
    const type = view.getUint16(at + 2, le);
    const count = view.getUint32(at + 4, le);
    const size = TYPE_SIZE[type];
    if (!size) continue; // a type this reader does not know: skip the field, as TIFF readers must
    const bytes = size * count;
    const where = bytes <= 4 ? at + 8 : view.getUint32(at + 8, le);
    if (where + bytes > view.byteLength) throw new TiffError(`tag ${tag} points past the end of the file`);
    entries.set(tag, { tag, type: (type === 13 ? 4 : type) as TiffType, value: readValues(view, le, type, count, where) });
  }
  return { ifd: { entries, offset }, next: view.getUint32(offset + 2 + 12 * n, le) };
}

/** Parses the IFD tree of a TIFF (or DNG) file. Throws TiffError on a broken structure. */
export function parseTiff(bytes: Uint8Array): TiffFile {
  if (bytes.length < 8) throw new TiffError('file too short for a TIFF header');
  const le = bytes[0] === 0x49 && bytes[1] === 0x49;
  if (!le && !(bytes[0] === 0x4d && bytes[1] === 0x4d)) throw new TiffError('no TIFF byte-order mark');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(2, le) !== 42) throw new TiffError('not a classic TIFF (magic number is not 42)');
  const ifds: Ifd[] = [];
  const seen = new Set<number>();
  const walk = (offset: number, chain: boolean): void => {
    while (offset !== 0 && !seen.has(offset) && ifds.length < 64) {
      seen.add(offset);
      const { ifd, next } = readIfd(view, le, offset);
      ifds.push(ifd);
      const subs = ifd.entries.get(330)?.value;
      if (Array.isArray(subs)) for (const s of subs) walk(s, false);
      offset = chain ? next : 0;
    }
  };
  walk(view.getUint32(4, le), true);
  const exifAt = ifds[0]?.entries.get(34665)?.value;
  const exif = Array.isArray(exifAt) && exifAt[0] ? readIfd(view, le, exifAt[0]).ifd : undefined;
  return { littleEndian: le, view, bytes, ifds, ...(exif ? { exif } : {}) };
}

/** The numbers of a numeric tag, or undefined. */
export function nums(ifd: Ifd | undefined, tag: number): number[] | undefined {
  const v = ifd?.entries.get(tag)?.value;
  return Array.isArray(v) ? v : v instanceof Uint8Array ? Array.from(v) : undefined;
}

export function num(ifd: Ifd | undefined, tag: number): number | undefined {
  return nums(ifd, tag)?.[0];
}

export function text(ifd: Ifd | undefined, tag: number): string | undefined {
  const v = ifd?.entries.get(tag)?.value;
  return typeof v === 'string' ? v : undefined;
}

// ---- writing ----

/** A rational as numerator/denominator with 6-7 significant digits (DNG matrices and neutrals). */
function rational(x: number, signed: boolean): [number, number] {
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 31) return [x, 1];
  const den = 1_000_000;
  let n = Math.round(x * den);
  if (!signed && n < 0) n = 0;
  if (Math.abs(n) >= 2 ** 31) return [Math.round(x), 1];
  return [n, den];
}

function valueBytes(e: TiffEntry): Uint8Array {
  if (typeof e.value === 'string') {
    const b = new Uint8Array(e.value.length + 1);
    for (let i = 0; i < e.value.length; i++) b[i] = e.value.charCodeAt(i) & 0xff;
    return b;
  }
  if (e.value instanceof Uint8Array) return e.value;
  const size = TYPE_SIZE[e.type];
  const out = new Uint8Array(size * e.value.length);
  const v = new DataView(out.buffer);
  e.value.forEach((x, i) => {
    switch (e.type) {
      case 1: case 6: case 7: v.setUint8(i, x); break;
      case 3: v.setUint16(2 * i, x, true); break;
      case 8: v.setInt16(2 * i, x, true); break;
      case 4: v.setUint32(4 * i, x, true); break;
      case 9: v.setInt32(4 * i, x, true); break;
      case 5: { const [a, b] = rational(x, false); v.setUint32(8 * i, a, true); v.setUint32(8 * i + 4, b, true); break; }
      case 10: { const [a, b] = rational(x, true); v.setInt32(8 * i, a, true); v.setInt32(8 * i + 4, b, true); break; }
      case 11: v.setFloat32(4 * i, x, true); break;
      case 12: v.setFloat64(8 * i, x, true); break;
      default: throw new TiffError(`cannot write TIFF field type ${e.type}`);
    }
  });
  return out;
}

function countOf(e: TiffEntry): number {
  if (typeof e.value === 'string') return e.value.length + 1;
  return e.value.length;
}

/** Tags whose value is a file offset this writer fills in. */
const STRIP_OFFSETS = 273;
const SUB_IFDS = 330;
const TILE_OFFSETS = 324;
const EXIF_IFD = 34665;

/** One IFD to write: its fields, its image (one strip) if any, its Exif IFD and SubIFDs. */
export interface IfdToWrite {
  entries: TiffEntry[];
  pixels?: Uint8Array;
  /** Rows of `pixels` (RowsPerStrip). */
  height?: number;
  /** Instead of one strip: tiles in row-major order (TileWidth/TileLength come with `entries`). */
  tiles?: Uint8Array[];
  exif?: TiffEntry[];
  subIfds?: IfdToWrite[];
}

interface Placed {
  list: TiffEntry[];
  at: number;
  pixels?: Uint8Array;
  tiles?: Uint8Array[];
  exif?: Placed;
  subs: Placed[];
}

/**
 * Writes a little-endian TIFF from a tree of IFDs (IFD0 at the root; Exif IFDs and SubIFDs below
 * it, as a DNG converter lays out a preview in IFD0 and the raw image in a SubIFD). The strip,
 * tile, Exif and SubIFD pointers are filled in here; IFDs come first, then tiles, out-of-line
 * values (word-aligned) and strips (image data 16-byte aligned).
 */
export function writeTiffTree(root: IfdToWrite): Uint8Array {
  const nodes: Placed[] = [];
  const add = (ifd: IfdToWrite): Placed => {
    const m = new Map<number, TiffEntry>();
    for (const e of ifd.entries) m.set(e.tag, e);
    m.delete(EXIF_IFD);
    m.delete(SUB_IFDS);
    m.delete(TILE_OFFSETS);
    if (ifd.pixels) {
      m.set(STRIP_OFFSETS, { tag: STRIP_OFFSETS, type: 4, value: [0] });
      m.set(278, { tag: 278, type: 4, value: [ifd.height ?? 1] });
      m.set(279, { tag: 279, type: 4, value: [ifd.pixels.length] });
    }
    if (ifd.tiles) {
      m.set(TILE_OFFSETS, { tag: TILE_OFFSETS, type: 4, value: ifd.tiles.map(() => 0) });
      m.set(325, { tag: 325, type: 4, value: ifd.tiles.map((t) => t.length) });
    }
    const node: Placed = { list: [], at: 0, subs: [], ...(ifd.pixels ? { pixels: ifd.pixels } : {}), ...(ifd.tiles ? { tiles: ifd.tiles } : {}) };
    nodes.push(node);
    if (ifd.exif?.length) {
      node.exif = add({ entries: ifd.exif });
      m.set(EXIF_IFD, { tag: EXIF_IFD, type: 4, value: [0] });
    }
    if (ifd.subIfds?.length) {
      node.subs = ifd.subIfds.map(add);
      m.set(SUB_IFDS, { tag: SUB_IFDS, type: 4, value: node.subs.map(() => 0) });
    }
    node.list = [...m.values()].sort((a, b) => a.tag - b.tag);
    return node;
  };
  add(root);
  let cursor = 8;
  for (const n of nodes) {
    n.at = cursor;
    cursor += 2 + 12 * n.list.length + 4;
  }
  for (const n of nodes) {
    for (const e of n.list) {
      if (e.tag === EXIF_IFD && n.exif) e.value = [n.exif.at];
      if (e.tag === SUB_IFDS) e.value = n.subs.map((sub) => sub.at);
    }
  }
  // Tile data goes right after the IFDs, so the TileOffsets values are known before the
  // out-of-line values (which hold them when there is more than one tile) are laid out.
  const strips: { at: number; bytes: Uint8Array }[] = [];
  for (const n of nodes) {
    if (!n.tiles) continue;
    const offsets: number[] = [];
    for (const t of n.tiles) {
      cursor = (cursor + 15) & ~15;
      offsets.push(cursor);
      strips.push({ at: cursor, bytes: t });
      cursor += t.length;
    }
    n.list.find((e) => e.tag === TILE_OFFSETS)!.value = offsets;
  }
  const blobs: { at: number; bytes: Uint8Array }[] = [];
  const where = new Map<TiffEntry, number>();
  for (const n of nodes) {
    for (const e of n.list) {
      const b = valueBytes(e);
      if (b.length > 4) {
        cursor += cursor & 1;
        where.set(e, cursor);
        blobs.push({ at: cursor, bytes: b });
        cursor += b.length;
      }
    }
  }
  for (const n of nodes) {
    if (!n.pixels) continue;
    cursor = (cursor + 15) & ~15;
    n.list.find((e) => e.tag === STRIP_OFFSETS)!.value = [cursor];
    strips.push({ at: cursor, bytes: n.pixels });
    cursor += n.pixels.length;
  }
  const out = new Uint8Array(cursor);
  const v = new DataView(out.buffer);
  out[0] = 0x49; out[1] = 0x49; v.setUint16(2, 42, true); v.setUint32(4, 8, true);
  for (const n of nodes) {
    v.setUint16(n.at, n.list.length, true);
    n.list.forEach((e, i) => {
      const p = n.at + 2 + 12 * i;
      v.setUint16(p, e.tag, true);
      v.setUint16(p + 2, e.type, true);
      v.setUint32(p + 4, countOf(e), true);
      if (where.has(e)) v.setUint32(p + 8, where.get(e)!, true);
      else out.set(valueBytes(e), p + 8);
    });
    v.setUint32(n.at + 2 + 12 * n.list.length, 0, true);
  }
  for (const b of [...blobs, ...strips]) out.set(b.bytes, b.at);
  return out;
}

/** A TIFF with one IFD holding `entries` and one strip of `pixels`, plus an Exif IFD when `exif` has entries. */
export function writeTiff(entries: TiffEntry[], pixels: Uint8Array, height: number, exif: TiffEntry[] = []): Uint8Array {
  return writeTiffTree({ entries, pixels, height, exif });
}
