/**
 * A ZIP archive of files, stored without compression (photos are compressed already, and
 * storing keeps "Download all" as fast as reading the files): the Batch page's one-archive
 * download of a batch's outputs, built in the page from the files it fetches. Plain ZIP (no
 * ZIP64): up to 65535 files and 4 GiB in all, which a browser download of a batch stays under.
 * Names are UTF-8 (flag bit 11), '/' separates folders.
 */
import { crc32 } from '../../../src-main/shared/crc32.js';

export interface ZipEntry {
  /** Path inside the archive, '/' separated. */
  name: string;
  data: Uint8Array;
}

const MAX_BYTES = 0xffffffff;

/** DOS date and time of `d` (ZIP's timestamp). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, d.getFullYear()));
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** The archive of `entries` (stored), as a Blob. Throws a one-line Error when it would not fit plain ZIP. */
export function zipStore(entries: ZipEntry[], when = new Date()): Blob {
  if (entries.length > 0xffff) throw new Error(`Too many files for one archive (${entries.length}; at most 65535)`);
  const enc = new TextEncoder();
  const { time, date } = dosDateTime(when);
  const parts: BlobPart[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name.replace(/\\/g, '/').replace(/^\/+/, ''));
    const crc = crc32(e.data);
    const size = e.data.length;
    if (offset + 30 + name.length + size > MAX_BYTES) throw new Error('The files are over 4 GiB in all: download them one by one');
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true); // version needed: 2.0
    local.setUint16(6, 0x0800, true); // UTF-8 names
    local.setUint16(8, 0, true); // stored
    local.setUint16(10, time, true);
    local.setUint16(12, date, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, size, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    parts.push(local.buffer, name as Uint8Array<ArrayBuffer>, e.data as Uint8Array<ArrayBuffer>);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(8, 0x0800, true);
    cd.setUint16(10, 0, true);
    cd.setUint16(12, time, true);
    cd.setUint16(14, date, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, size, true);
    cd.setUint32(24, size, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(42, offset, true);
    const entry = new Uint8Array(46 + name.length);
    entry.set(new Uint8Array(cd.buffer), 0);
    entry.set(name, 46);
    central.push(entry);
    offset += 30 + name.length + size;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...(central as Uint8Array<ArrayBuffer>[]), end.buffer], { type: 'application/zip' });
}
