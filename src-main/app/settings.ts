/**
 * The desktop app's own settings, in settings.json under the user-data folder
 * (app.getPath('userData'): ~/.config/Mend, %APPDATA%\Mend, ~/Library/Application Support/Mend):
 * the window's size and position, recent files, folders the user chose in dialogs, and the
 * last folder of each dialog. The interface's own preferences stay in its localStorage.
 *
 * Read tolerantly (a damaged or hand-edited file falls back field by field, never stops the app
 * from starting) and written atomically (temp file + rename). Pure Node, no electron.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface DesktopSettings {
  window?: WindowState;
  /** Newest first. */
  recentFiles: string[];
  /**
   * Folders chosen in a folder dialog, newest first, with when the user last chose them: they
   * stay usable in later sessions until FOLDER_GRANT_DAYS have passed (liveFolderGrants), then
   * the user confirms them again in the dialog (which opens on the last folder).
   */
  grantedFolders: FolderGrant[];
  lastDirs: { open?: string; save?: string; folder?: string };
}

export interface FolderGrant {
  path: string;
  /** When the user chose it in a dialog (ms since the epoch). */
  at: number;
}

export const MAX_RECENT = 10;
/** How long a folder chosen in a dialog stays granted across sessions without being chosen again. */
export const FOLDER_GRANT_DAYS = 30;
export const MAX_GRANTED_FOLDERS = 20;
export const DEFAULT_WINDOW = { width: 1400, height: 900 } as const;
export const MIN_WINDOW = { width: 800, height: 560 } as const;

const isPath = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096 && !v.includes('\0') && path.isAbsolute(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000;

/** Folder grants as stored; entries without a time (older settings files) are dropped: they must be confirmed again. */
function folderGrants(v: unknown): FolderGrant[] {
  if (!Array.isArray(v)) return [];
  const seen = new Set<string>();
  const out: FolderGrant[] = [];
  for (const g of v as { path?: unknown; at?: unknown }[]) {
    if (!g || typeof g !== 'object' || !isPath(g.path) || typeof g.at !== 'number' || !Number.isFinite(g.at) || seen.has(g.path)) continue;
    seen.add(g.path);
    out.push({ path: g.path, at: g.at });
  }
  return out.slice(0, MAX_GRANTED_FOLDERS);
}

/** The folder grants still in date at `now`: main grants these at start, the rest wait for the dialog. */
export function liveFolderGrants(list: readonly FolderGrant[], now: number, days = FOLDER_GRANT_DAYS): string[] {
  const maxAge = days * 24 * 3600 * 1000;
  return list.filter((g) => g.at <= now && now - g.at < maxAge).map((g) => g.path);
}

/** `list` with `folder` confirmed at `now`, at the front. */
export function pushFolderGrant(list: readonly FolderGrant[], folder: string, now: number): FolderGrant[] {
  return [{ path: folder, at: now }, ...list.filter((g) => g.path !== folder)].slice(0, MAX_GRANTED_FOLDERS);
}

function paths(v: unknown, max: number): string[] {
  if (!Array.isArray(v)) return [];
  return [...new Set(v.filter(isPath))].slice(0, max);
}

/** Settings from whatever was in the file; each field that is wrong falls back alone. */
export function parseSettings(raw: unknown): DesktopSettings {
  const r = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const s: DesktopSettings = { recentFiles: paths(r.recentFiles, MAX_RECENT), grantedFolders: folderGrants(r.grantedFolders), lastDirs: {} };
  const w = r.window as Record<string, unknown> | undefined;
  if (w && typeof w === 'object' && isInt(w.width) && isInt(w.height) && w.width > 0 && w.height > 0) {
    s.window = { width: w.width, height: w.height, maximized: w.maximized === true };
    if (isInt(w.x) && isInt(w.y)) {
      s.window.x = w.x;
      s.window.y = w.y;
    }
  }
  const d = r.lastDirs as Record<string, unknown> | undefined;
  if (d && typeof d === 'object') {
    for (const k of ['open', 'save', 'folder'] as const) if (isPath(d[k])) s.lastDirs[k] = d[k];
  }
  return s;
}

/** `list` with `p` moved to the front, at most `max` long. */
export function pushRecent(list: readonly string[], p: string, max = MAX_RECENT): string[] {
  return [p, ...list.filter((x) => x !== p)].slice(0, max);
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where to open the window: the saved bounds when enough of them (a title bar's worth) lies on
 * a display that is still there, else the default size centred by the system. The size is
 * clamped to the display it lands on, so a window saved on a large monitor fits a laptop.
 */
export function restoreWindowBounds(saved: WindowState | undefined, workAreas: readonly Rect[]): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  const fallback = { bounds: { width: DEFAULT_WINDOW.width, height: DEFAULT_WINDOW.height }, maximized: saved?.maximized ?? false };
  if (!saved) return { bounds: { ...fallback.bounds }, maximized: false };
  const width = Math.max(MIN_WINDOW.width, saved.width);
  const height = Math.max(MIN_WINDOW.height, saved.height);
  if (saved.x === undefined || saved.y === undefined) return { bounds: { width, height }, maximized: saved.maximized };
  const titleBar: Rect = { x: saved.x, y: saved.y, width, height: 40 };
  const area = workAreas.find((a) => overlap(a, titleBar) >= Math.min(100, width) * 20);
  if (!area) return { bounds: { width: Math.min(width, workAreas[0]?.width ?? width), height: Math.min(height, workAreas[0]?.height ?? height) }, maximized: saved.maximized };
  const w = Math.min(width, area.width);
  const h = Math.min(height, area.height);
  const x = Math.min(Math.max(saved.x, area.x), area.x + area.width - w);
  const y = Math.min(Math.max(saved.y, area.y), area.y + area.height - h);
  return { bounds: { x, y, width: w, height: h }, maximized: saved.maximized };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** settings.json: loaded once, changed through update(), written a moment after the last change. */
export class SettingsStore {
  private data: DesktopSettings;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // first start, or a damaged file: defaults
    }
    this.data = parseSettings(raw);
  }

  get value(): Readonly<DesktopSettings> {
    return this.data;
  }

  update(change: (s: DesktopSettings) => void): void {
    const next = structuredClone(this.data);
    change(next);
    this.data = parseSettings(next);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 300);
    this.timer.unref();
  }

  /** Writes now (on quit). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const text = `${JSON.stringify(this.data, null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, text);
        await rename(tmp, this.file);
      } catch (e) {
        console.error(`mend: could not save ${this.file}: ${(e as Error).message}`);
      }
    });
    return this.writing;
  }
}
