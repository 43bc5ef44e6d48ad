/**
 * Settings that persist between sessions (localStorage: the same in the Electron window and in
 * the browser). Each page keeps its own section; unknown or damaged stored values fall back to
 * the defaults instead of breaking the interface.
 */
const KEY = 'mend.settings.v1';

export interface Settings {
  compareMode: 'split' | 'side' | 'single' | 'diff';
  denoiseModel: string;
  inpaintModel: string;
  /** Grain in the fill of a noisy photo (InpaintJob.grain). */
  inpaintGrain: boolean;
  brushSize: number;
  brushSoftness: number;
  exportFormat: 'jpeg' | 'png' | 'tiff' | 'webp' | 'avif';
  exportQuality: number;
  exportDepth: 8 | 16;
  exportKeepMetadata: boolean;
  diffGain: number;
  batch: Record<string, unknown>;
  train: Record<string, unknown>;
}

export const DEFAULT_SETTINGS: Settings = {
  compareMode: 'split',
  denoiseModel: '',
  inpaintModel: '',
  inpaintGrain: true,
  brushSize: 24,
  brushSoftness: 0.3,
  exportFormat: 'jpeg',
  exportQuality: 92,
  exportDepth: 8,
  exportKeepMetadata: true,
  diffGain: 8,
  batch: {},
  train: {},
};

function load(): Settings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return { ...DEFAULT_SETTINGS };
    const stored = JSON.parse(raw) as Partial<Settings>;
    const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const [k, v] of Object.entries(stored)) {
      const d = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[k];
      if (d !== undefined && typeof v === typeof d) merged[k] = v;
    }
    return merged as unknown as Settings;
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export const settings = $state<Settings>(load());

/** Call after changing settings (or from an $effect that reads them). */
export function saveSettings(): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Storage full or disabled: settings just do not persist.
  }
}
