/**
 * The Edit page's own remembered choices that are not in the shared settings: which panels are
 * open, the last corruption, the noise-level mode, the split position. Same rules as
 * settings.svelte.ts: damaged or unknown stored values fall back to the defaults.
 */
import type { DamageKind, NoiseKind } from '../api';
import { PASS_COUNTS } from '../../../src-main/shared/api.js';

const KEY = 'mend.editor.v1';

export interface EditorPrefs {
  panels: Record<string, boolean>;
  corruptWhat: 'noise' | 'damage';
  noiseKind: NoiseKind;
  gaussianSigma: number;
  pgA: number;
  pgB: number;
  saltPepper: number;
  damage: DamageKind;
  sigmaMode: 'auto' | 'manual';
  manualSigma: number;
  /** Manual level as the photographer's Amount (0-100), and Detail (0-100). */
  amount: number;
  detail: number;
  /** Denoise passes (network over turned copies, averaged): 1, 2, 4 or 8. */
  passes: number;
  morphRadius: number;
  split: number;
}

export const DEFAULT_PREFS: EditorPrefs = {
  panels: {},
  corruptWhat: 'noise',
  noiseKind: 'gaussian',
  gaussianSigma: 25,
  pgA: 0.01,
  pgB: 0.0004,
  saltPepper: 0.05,
  damage: 'scratches',
  sigmaMode: 'auto',
  manualSigma: 25,
  amount: 40,
  detail: 0,
  passes: 1,
  morphRadius: 4,
  split: 0.5,
};

function load(): EditorPrefs {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return structuredClone(DEFAULT_PREFS);
    const stored = JSON.parse(raw) as Record<string, unknown>;
    const merged = structuredClone(DEFAULT_PREFS) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(stored)) {
      const d = (DEFAULT_PREFS as unknown as Record<string, unknown>)[k];
      if (d !== undefined && typeof v === typeof d && v !== null) merged[k] = v;
    }
    if (!PASS_COUNTS.includes(merged.passes as number)) merged.passes = DEFAULT_PREFS.passes;
    return merged as unknown as EditorPrefs;
  } catch {
    return structuredClone(DEFAULT_PREFS);
  }
}

export const prefs = $state<EditorPrefs>(load());

export function savePrefs(): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Storage full or disabled: choices just do not persist.
  }
}
