// The Batch page's "Download all" archive: a stored ZIP read back by its own central directory,
// with the CRCs checked by Node's zlib.crc32 (an independent implementation).
import { crc32 as nodeCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src-main/shared/crc32.js';
import { zipStore } from '../../../src-renderer/lib/files/zip.js';

interface Read { name: string; data: Uint8Array; crc: number; flags: number }

/** Reads a ZIP through its end record and central directory, checking each local header. */
function readZip(buf: Uint8Array): Read[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const end = buf.length - 22;
  expect(dv.getUint32(end, true)).toBe(0x06054b50);
  const count = dv.getUint16(end + 10, true);
  let p = dv.getUint32(end + 16, true);
  const out: Read[] = [];
  for (let i = 0; i < count; i++) {
    expect(dv.getUint32(p, true)).toBe(0x02014b50);
    const flags = dv.getUint16(p + 8, true);
    const crc = dv.getUint32(p + 16, true);
    const size = dv.getUint32(p + 20, true);
    const nameLen = dv.getUint16(p + 28, true);
    const local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen));
    expect(dv.getUint32(local, true)).toBe(0x04034b50);
    expect(dv.getUint16(local + 8, true)).toBe(0); // stored
    const lName = dv.getUint16(local + 26, true);
    const start = local + 30 + lName + dv.getUint16(local + 28, true);
    out.push({ name, data: buf.subarray(start, start + size), crc, flags });
    p += 46 + nameLen;
  }
  return out;
}

describe('zipStore', () => {
  it('writes every file whole, with its name (sub-folders, UTF-8) and a correct CRC', async () => {
    const a = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    const b = new TextEncoder().encode('grüße');
    const blob = zipStore([{ name: 'photo-1.mend.png', data: a }, { name: 'sub/Été.tif', data: b }, { name: 'empty.txt', data: new Uint8Array(0) }]);
    const files = readZip(new Uint8Array(await blob.arrayBuffer()));
    expect(files.map((f) => f.name)).toEqual(['photo-1.mend.png', 'sub/Été.tif', 'empty.txt']);
    expect(Buffer.compare(Buffer.from(files[0]!.data), Buffer.from(a))).toBe(0);
    expect(new TextDecoder().decode(files[1]!.data)).toBe('grüße');
    for (const f of files) {
      expect(f.crc).toBe(nodeCrc32(f.data));
      expect(f.flags & 0x0800).toBe(0x0800);
    }
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
