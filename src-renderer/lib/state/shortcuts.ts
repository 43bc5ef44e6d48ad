/**
 * Keyboard shortcuts, listed once: the overlay (`?`) shows this table, and the editor's key
 * handler uses the same key names, so the help cannot drift from what the keys do.
 */
export interface Shortcut {
  /** Keys pressed together ("Ctrl", "Z"), or alternatives when `either` is set ("[", "]"). */
  keys: string[];
  action: string;
  either?: boolean;
}

export interface ShortcutGroup {
  title: string;
  items: Shortcut[];
}

export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'General',
    items: [
      { keys: ['?'], action: 'Show or hide this list' },
      { keys: ['Ctrl', 'O'], action: 'Open photos' },
      { keys: ['Ctrl', 'V'], action: 'Paste an image from the clipboard' },
      { keys: ['Ctrl', 'S'], action: 'Export the current result' },
      { keys: ['←', '→'], action: 'Previous / next photo in the filmstrip', either: true },
      { keys: ['Esc'], action: 'Close dialogs' },
    ],
  },
  {
    title: 'View',
    items: [
      { keys: ['F'], action: 'Fit to window' },
      { keys: ['1'], action: '100% (real pixels)' },
      { keys: ['+', '−'], action: 'Zoom in / out', either: true },
      { keys: ['Wheel'], action: 'Zoom around the pointer' },
      { keys: ['Space', 'drag'], action: 'Pan (any tool)' },
      { keys: ['H'], action: 'Hand tool (drag to pan)' },
      { keys: ['Double-click'], action: 'Toggle fit and 100% at the pointer' },
    ],
  },
  {
    title: 'Compare',
    items: [
      { keys: ['Y'], action: 'Next compare mode (single, split, side by side, difference)' },
      { keys: ['\\', 'O'], action: 'Hold to see the original', either: true },
      { keys: ['A'], action: 'Toggle the anomaly heat map' },
    ],
  },
  {
    title: 'Mask',
    items: [
      { keys: ['B'], action: 'Brush' },
      { keys: ['E'], action: 'Eraser' },
      { keys: ['[', ']'], action: 'Smaller / larger brush', either: true },
      { keys: ['Shift', '[ ]'], action: 'Softer / harder brush' },
      { keys: ['M'], action: 'Show or hide the mask' },
      { keys: ['Ctrl', 'Z'], action: 'Undo mask edit' },
      { keys: ['Ctrl', 'Shift', 'Z'], action: 'Redo mask edit' },
    ],
  },
];

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
