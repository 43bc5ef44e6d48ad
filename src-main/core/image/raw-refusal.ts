// Camera RAW files are refused, by name and by signature, wherever an image is read as pixels
// (`mend denoise` sends DNG files to its raw route, core/raw, before it gets here). Most RAW
// formats (DNG, NEF, ARW, CR2, PEF, ...) are TIFF containers whose first image is a small
// preview: sharp opens them as TIFF and returns that preview, so without this check a 24 MP
// RAW would be "denoised" as its 160x120 thumbnail without a word.
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { MendError } from '../../shared/errors.js';

/** File extensions of camera RAW formats (lower case, no dot). */
export const RAW_EXTENSIONS: ReadonlySet<string> = new Set([
  '3fr', 'ari', 'arw', 'bay', 'cr2', 'cr3', 'crw', 'dcr', 'dng', 'erf', 'fff', 'iiq', 'k25', 'kdc', 'mef', 'mos', 'mrw',
  'nef', 'nrw', 'orf', 'pef', 'raf', 'raw', 'rw2', 'rwl', 'sr2', 'srf', 'srw', 'x3f',
]);

const TAG_NEW_SUBFILE_TYPE = 254;
const TAG_SUB_IFDS = 330;
const TAG_DNG_VERSION = 50706;

/** The RAW format a file's first bytes show (signatures that are not plain TIFF), if any. */
function rawBySignature(b: Uint8Array): string | undefined {
  const ascii = (from: number, to: number): string => String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));
  if (ascii(0, 15) === 'FUJIFILMCCD-RAW') return 'RAF';
  if (ascii(4, 8) === 'ftyp' && ascii(8, 12) === 'crx ') return 'CR3';
  if (ascii(0, 4) === 'IIRO' || ascii(0, 4) === 'IIRS' || ascii(0, 4) === 'MMOR') return 'ORF';
  if (ascii(0, 4) === 'IIU\0') return 'RW2';
  if (ascii(0, 4) === 'II*\0' && ascii(8, 10) === 'CR') return 'CR2';
  return undefined;
}

/**
 * Reads the first IFD of a TIFF: a DNG names its version there (DNGVersion); other TIFF-based
 * RAW formats put a reduced-resolution preview first (NewSubfileType bit 0) and the sensor data
 * in sub-IFDs, which a photo saved as TIFF by an editor does not.
 */
async function rawTiffKind(path: string, head: Uint8Array): Promise<string | undefined> {
  const le = head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x2a && head[3] === 0;
  const be = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && head[3] === 0x2a;
  if ((!le && !be) || head.length < 8) return undefined;
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const view = (buf: Buffer): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const ifd = view(Buffer.from(head.subarray(0, 8))).getUint32(4, le);
    const countBuf = Buffer.alloc(2);
    if ((await fh.read(countBuf, 0, 2, ifd)).bytesRead < 2) return undefined;
    const count = Math.min(view(countBuf).getUint16(0, le), 1000);
    const entries = Buffer.alloc(count * 12);
    const { bytesRead } = await fh.read(entries, 0, entries.length, ifd + 2);
    const v = view(entries);
    let preview = false;
    let subIfds = false;
    for (let i = 0; i + 12 <= bytesRead; i += 12) {
      const tag = v.getUint16(i, le);
      if (tag === TAG_DNG_VERSION) return 'DNG';
      if (tag === TAG_SUB_IFDS) subIfds = true;
      if (tag === TAG_NEW_SUBFILE_TYPE) {
        const type = v.getUint16(i + 2, le);
        const value = type === 3 ? v.getUint16(i + 8, le) : v.getUint32(i + 8, le);
        preview = (value & 1) === 1;
      }
    }
    return preview && subIfds ? 'RAW' : undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Throws MendError 'unsupported' naming `path` when it is a camera RAW file (by its extension,
 * or by its first bytes `head` whatever it is called).
 */
export async function refuseRaw(path: string, head: Uint8Array): Promise<void> {
  const ext = extname(path).slice(1).toLowerCase();
  const kind = RAW_EXTENSIONS.has(ext) ? ext.toUpperCase() : (rawBySignature(head) ?? (await rawTiffKind(path, head)));
  if (kind === undefined) return;
  throw new MendError(
    'unsupported',
    `${path} is a camera RAW file (${kind}): \`mend denoise\`, \`mend batch\` and the editor denoise RAW files; for this, export it to TIFF or JPEG first`,
  );
}
