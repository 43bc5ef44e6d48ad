/**
 * The decoded bitmaps one view needs now, by URL, as reactive state: `keep` drops the others
 * and loads what is missing (canvas/bitmaps.ts fetches, decodes and caches). Raw state: bitmaps
 * are not to be proxied, so the map is replaced whole on every change.
 */
import { untrack } from 'svelte';
import { loadBitmap } from './bitmaps';

export class ViewBitmaps {
  private loaded = $state.raw(new Map<string, ImageBitmap>());
  /** URLs that failed to load: not retried, and not "loading" any more. */
  private readonly failed = new Set<string>();
  private needed: string[] = [];

  constructor(private readonly onError: (e: unknown) => void) {}

  /** Keeps the bitmaps of `needed` ('' entries are ignored), drops the rest, loads what is missing. */
  keep(needed: string[]): void {
    const urls = needed.filter((u) => u !== '');
    this.needed = urls;
    const current = untrack(() => this.loaded);
    const kept = new Map([...current].filter(([u]) => urls.includes(u)));
    if (kept.size !== current.size) this.loaded = kept;
    for (const u of urls) {
      if (kept.has(u) || this.failed.has(u)) continue;
      loadBitmap(u).then(
        (b) => {
          // Still wanted? The view may have moved on while it decoded.
          if (this.needed.includes(u)) this.loaded = new Map(this.loaded).set(u, b);
        },
        (e: unknown) => {
          this.failed.add(u);
          this.onError(e);
        },
      );
    }
  }

  get(url: string): ImageBitmap | undefined {
    return url ? this.loaded.get(url) : undefined;
  }

  /** Some of these URLs are still decoding. */
  pending(urls: string[]): boolean {
    return urls.some((u) => u !== '' && !this.loaded.has(u) && !this.failed.has(u));
  }
}
