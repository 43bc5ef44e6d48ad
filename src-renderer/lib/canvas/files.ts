/** File names: which dropped files are images, and what an export is called. */

/** Camera RAW files the engine opens (DNG by Mend, the others by LibRaw) as their default rendering. */
export const RAW_EXTENSIONS = ['dng', 'cr2', 'cr3', 'nef', 'nrw', 'arw', 'raf', 'orf', 'rw2', 'pef', 'srw'];

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tif', 'tiff', 'webp', 'avif', 'heic', 'heif', 'gif', 'bmp', ...RAW_EXTENSIONS];

/** The file pickers' `accept`: browsers know no MIME type for most RAW formats, so by extension. */
export const IMAGE_ACCEPT = ['image/*', '.tif', '.tiff', '.heic', '.heif', '.avif', ...RAW_EXTENSIONS.map((e) => `.${e}`)].join(',');

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function stemOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** True for files worth sending to the engine (by MIME type, else by extension). */
export function isImageFile(file: { name: string; type?: string }): boolean {
  if (file.type && file.type.startsWith('image/')) return true;
  return IMAGE_EXTENSIONS.includes(extensionOf(file.name));
}

export const EXPORT_EXTENSIONS: Record<string, string> = {
  jpeg: 'jpg',
  png: 'png',
  tiff: 'tif',
  webp: 'webp',
  avif: 'avif',
  dng: 'dng',
};

/**
 * `<stem>.mend.<ext>`: next to the original, never the original's own name. A stem that already
 * ends in `.mend` (exporting an export) is not doubled.
 */
export function exportFileName(originalName: string, format: string): string {
  const stem = stemOf(originalName).replace(/\.mend$/i, '') || 'image';
  return `${stem}.mend.${EXPORT_EXTENSIONS[format] ?? format}`;
}

/** Makes a user-typed name end in the chosen format's extension. */
export function withExtension(name: string, format: string): string {
  const ext = EXPORT_EXTENSIONS[format] ?? format;
  const trimmed = name.trim();
  if (!trimmed) return `image.mend.${ext}`;
  const cur = extensionOf(trimmed);
  if (cur === ext || (format === 'jpeg' && cur === 'jpeg') || (format === 'tiff' && cur === 'tiff')) return trimmed;
  if (Object.values(EXPORT_EXTENSIONS).includes(cur) || cur === 'jpeg' || cur === 'tiff') return `${trimmed.slice(0, -cur.length)}${ext}`;
  return `${trimmed}.${ext}`;
}

/** Name for an image pasted from the clipboard, e.g. "pasted-2026-03-04-101502.png". */
export function pastedName(date: Date, type: string): string {
  const ext = type === 'image/jpeg' ? 'jpg' : type === 'image/webp' ? 'webp' : 'png';
  const p = (n: number) => String(n).padStart(2, '0');
  return `pasted-${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}.${ext}`;
}
