/**
 * Decoded images for the viewer. Each URL is fetched once and decoded with createImageBitmap,
 * which decodes off the main thread, so opening a 24 MP result never blocks the interface.
 * Recently used bitmaps are kept up to a pixel budget; older ones are dropped (not closed: a
 * view may still be drawing one, and the garbage collector frees it once nobody does).
 */
const BUDGET_PIXELS = 160e6;

interface Entry {
  promise: Promise<ImageBitmap>;
  pixels: number;
  used: number;
}

const cache = new Map<string, Entry>();
let clock = 0;

function evict(): void {
  let total = 0;
  for (const e of cache.values()) total += e.pixels;
  if (total <= BUDGET_PIXELS) return;
  const oldest = [...cache.entries()].sort((a, b) => a[1].used - b[1].used);
  for (const [key, e] of oldest) {
    if (total <= BUDGET_PIXELS || cache.size <= 4) break;
    cache.delete(key);
    total -= e.pixels;
  }
}

async function fetchBitmap(url: string, signal?: AbortSignal): Promise<ImageBitmap> {
  const res = await fetch(url, { signal, credentials: 'omit' });
  if (!res.ok) {
    let message = `The image could not be loaded (${res.status})`;
    try {
      const body = (await res.json()) as { message?: string };
      if (body.message) message = body.message;
    } catch {
      // not JSON
    }
    throw Object.assign(new Error(message), { code: 'not-found' });
  }
  const blob = await res.blob();
  // colorSpaceConversion 'none': show the engine's 8-bit sRGB pixels as they are, so the
  // 100% view and the difference image agree with the numbers.
  return createImageBitmap(blob, { colorSpaceConversion: 'none' });
}

/** The decoded image at `url` (shared by every caller asking for the same URL). */
export function loadBitmap(url: string): Promise<ImageBitmap> {
  const hit = cache.get(url);
  if (hit) {
    hit.used = ++clock;
    return hit.promise;
  }
  const entry: Entry = { promise: fetchBitmap(url), pixels: 0, used: ++clock };
  cache.set(url, entry);
  entry.promise.then(
    (b) => {
      entry.pixels = b.width * b.height;
      evict();
    },
    () => cache.delete(url),
  );
  return entry.promise;
}

/** Forgets every bitmap of an image that was removed from the workspace. */
export function forgetBitmaps(match: (url: string) => boolean): void {
  for (const key of [...cache.keys()]) if (match(key)) cache.delete(key);
}
