/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of PNG chunks (core/image/
 * metadata.ts) and of ZIP entries (the Batch page's download, src-renderer/lib/files/zip.ts).
 * Here in shared/ because both the core and the renderer use it; no Node or DOM.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
