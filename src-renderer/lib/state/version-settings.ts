/**
 * A result's settings (Version.settings: the request it was made with) shown back to the user
 * and put back into the panel's controls when that result is on screen. Generic over the
 * fields, so a field the denoise request gains shows up and is restored without more code here.
 */

/** One line of the "made with" summary. */
export interface SettingLine {
  key: string;
  label: string;
  value: string;
}

const LABELS: Record<string, string> = { model: 'Model', sigma: 'Noise level', passes: 'Passes', grain: 'Match grain' };

/** "someField" -> "Some field". */
function labelOf(key: string): string {
  return LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (_, c: string) => ` ${c.toLowerCase()}`);
}

function valueOf(key: string, v: unknown, modelName: (id: string) => string): string {
  if (key === 'model' && typeof v === 'string') return modelName(v);
  if (key === 'sigma') return v === 'auto' ? 'automatic' : `${v}`;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return `${Math.round(v * 100) / 100}`;
  return String(v);
}

/** The settings in reading order (model first), skipping unset fields. */
export function settingLines(settings: Record<string, unknown> | undefined, modelName: (id: string) => string): SettingLine[] {
  if (!settings) return [];
  const keys = Object.keys(settings).filter((k) => settings[k] !== undefined && settings[k] !== null);
  keys.sort((a, b) => (a === 'model' ? -1 : b === 'model' ? 1 : 0));
  return keys.map((k) => ({ key: k, label: labelOf(k), value: valueOf(k, settings[k], modelName) }));
}

/**
 * Puts a result's settings into a form's fields: every field of the same name and type, plus
 * the denoise request's `sigma` ('auto' or a level), which the form keeps as a mode and a level.
 * Returns the names of the fields it changed.
 */
export function restoreSettings(settings: Record<string, unknown> | undefined, form: Record<string, unknown>): string[] {
  if (!settings) return [];
  const changed: string[] = [];
  const set = (k: string, v: unknown): void => {
    if (form[k] !== v) {
      form[k] = v;
      changed.push(k);
    }
  };
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'sigma' && 'sigmaMode' in form) {
      // An Amount in the request means the level was set by hand, whatever sigma says.
      if (v === 'auto') set('sigmaMode', typeof settings.amount === 'number' && 'amount' in form ? 'manual' : 'auto');
      else if (typeof v === 'number') {
        set('sigmaMode', 'manual');
        if ('manualSigma' in form) set('manualSigma', v);
      }
    } else if (k in form && typeof form[k] === typeof v) set(k, v);
  }
  return changed;
}
