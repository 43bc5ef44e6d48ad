/**
 * Keyboard shortcuts, listed once: the overlay (`?`) shows this table, and the key handlers
 * (the editor's, the shell's `?`) look the pressed key up in it (commandFor), so the keys the
 * help lists are the keys that work. The editor's actions are a Record over EditorCommand, so a
 * command added here without an action there fails to type-check.
 */

/** What a key does; the editor maps each to one function, the shell runs 'help'. */
export type Command =
  | 'help' | 'open' | 'export' | 'denoise' | 'inpaint' | 'prev-photo' | 'next-photo'
  | 'fit' | 'actual-size' | 'zoom-in' | 'zoom-out' | 'pan' | 'hand'
  | 'next-compare' | 'hold-original' | 'heatmap' | 'loupe'
  | 'brush' | 'eraser' | 'brush-smaller' | 'brush-larger' | 'brush-softer' | 'brush-harder' | 'toggle-mask' | 'undo' | 'redo';

/** The commands the Edit page runs (everything but the shell's 'help'). */
export type EditorCommand = Exclude<Command, 'help'>;

export interface Shortcut {
  /** Keys pressed together ("Ctrl", "Z"), or alternatives when `either` is set ("[", "]"). */
  keys: string[];
  action: string;
  either?: boolean;
  /**
   * The presses that run a command (see comboOf: "ctrl+shift+z", "f", "arrowleft"); none for
   * what the viewer does with the mouse.
   */
  run?: { command: Command; press: string[] }[];
}

export interface ShortcutGroup {
  title: string;
  items: Shortcut[];
}

const one = (command: Command, ...press: string[]) => [{ command, press }];

export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'General',
    items: [
      { keys: ['?'], action: 'Show or hide this list', run: one('help', '?') },
      { keys: ['Ctrl', 'O'], action: 'Open photos', run: one('open', 'ctrl+o') },
      { keys: ['Ctrl', 'V'], action: 'Paste an image from the clipboard' },
      { keys: ['←', '→'], action: 'Previous / next photo in the filmstrip', either: true, run: [{ command: 'prev-photo', press: ['arrowleft'] }, { command: 'next-photo', press: ['arrowright'] }] },
      { keys: ['Esc'], action: 'Close dialogs' },
    ],
  },
  {
    title: 'Run',
    items: [
      { keys: ['Ctrl', 'D'], action: 'Denoise (with the Denoise panel’s settings)', run: one('denoise', 'ctrl+d') },
      { keys: ['Ctrl', 'I'], action: 'Inpaint the masked area', run: one('inpaint', 'ctrl+i') },
      { keys: ['Ctrl', 'S'], action: 'Export the result on screen', run: one('export', 'ctrl+s') },
    ],
  },
  {
    title: 'View',
    items: [
      { keys: ['F'], action: 'Fit to window', run: one('fit', 'f') },
      { keys: ['Ctrl', '0'], action: 'Fit to window', run: one('fit', 'ctrl+0') },
      { keys: ['1'], action: '100% (real pixels)', run: one('actual-size', '1') },
      { keys: ['+', '−'], action: 'Zoom in / out', either: true, run: [{ command: 'zoom-in', press: ['+', '='] }, { command: 'zoom-out', press: ['-', '_'] }] },
      { keys: ['Wheel'], action: 'Zoom around the pointer' },
      { keys: ['Space', 'drag'], action: 'Pan (any tool)', run: one('pan', 'space') },
      { keys: ['H'], action: 'Hand tool (drag to pan)', run: one('hand', 'h') },
      { keys: ['Double-click'], action: 'Toggle fit and 100% at the pointer' },
    ],
  },
  {
    title: 'Compare',
    items: [
      { keys: ['Y'], action: 'Next compare mode (single, split, side by side, difference)', run: one('next-compare', 'y') },
      { keys: ['\\', 'O'], action: 'Hold to see the original', either: true, run: one('hold-original', '\\', 'o') },
      { keys: ['L'], action: 'Loupe: real pixels under the pointer (off, 100%, 200%, 400%)', run: one('loupe', 'l') },
      { keys: ['A'], action: 'Toggle the anomaly heat map', run: one('heatmap', 'a') },
    ],
  },
  {
    title: 'Mask',
    items: [
      { keys: ['B'], action: 'Brush', run: one('brush', 'b') },
      { keys: ['E'], action: 'Eraser', run: one('eraser', 'e') },
      { keys: ['[', ']'], action: 'Smaller / larger brush', either: true, run: [{ command: 'brush-smaller', press: ['['] }, { command: 'brush-larger', press: [']'] }] },
      { keys: ['Shift', '[ ]'], action: 'Softer / harder brush', run: [{ command: 'brush-softer', press: ['{'] }, { command: 'brush-harder', press: ['}'] }] },
      { keys: ['M'], action: 'Show or hide the mask', run: one('toggle-mask', 'm') },
      { keys: ['Ctrl', 'Z'], action: 'Undo mask edit', run: one('undo', 'ctrl+z') },
      { keys: ['Ctrl', 'Shift', 'Z'], action: 'Redo mask edit', run: one('redo', 'ctrl+shift+z') },
      { keys: ['Ctrl', 'Y'], action: 'Redo mask edit', run: one('redo', 'ctrl+y') },
    ],
  },
];

/**
 * A key press as the table writes it: "ctrl+" (Ctrl or Cmd), "alt+", then "shift+" only with
 * Ctrl or for named keys (Shift+[ arrives as "{", Shift+F as "F"), then the key in lower case
 * ("space" for the space bar).
 */
export function comboOf(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean; shiftKey?: boolean }): string {
  const ctrl = !!(e.ctrlKey || e.metaKey);
  const named = e.key.length > 1;
  const parts: string[] = [];
  if (ctrl) parts.push('ctrl');
  if (e.altKey) parts.push('alt');
  if (e.shiftKey && (ctrl || named)) parts.push('shift');
  parts.push(e.key === ' ' ? 'space' : e.key.toLowerCase());
  return parts.join('+');
}

const BY_PRESS = new Map<string, Command>();
for (const g of SHORTCUTS) for (const s of g.items) for (const r of s.run ?? []) for (const p of r.press) BY_PRESS.set(p, r.command);

/** The command a key press runs, if the table has one. */
export function commandFor(e: Parameters<typeof comboOf>[0]): Command | undefined {
  return BY_PRESS.get(comboOf(e));
}

/** True when a key press belongs to a text field, not to the shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    // Sliders and checkboxes do not take text: shortcuts still work while they have focus.
    return !['range', 'checkbox', 'radio', 'button', 'submit', 'file', 'color'].includes(type);
  }
  return false;
}
