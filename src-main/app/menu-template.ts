/**
 * The native menus, as data: menu.ts turns this into Electron's Menu and wires the actions.
 *
 * Shortcuts the page already handles itself (Ctrl+O, Ctrl+S, Ctrl+Z, Ctrl+Shift+Z, as in a
 * browser) are shown in the menus but not registered with the system (registerAccelerator
 * false): a registered accelerator would reach the page on some platforms and not on others
 * (macOS menus take key equivalents first). Choosing them with the mouse hands the action to
 * the page (a MenuCommand) or, for Open, shows the native dialog in main. The clipboard and
 * window items are Electron's standard roles.
 */
import path from 'node:path';
import type { MenuCommand } from '../shared/api.js';

export type MenuAction =
  | { kind: 'command'; command: MenuCommand }
  | { kind: 'open' }
  | { kind: 'open-recent'; path: string }
  | { kind: 'clear-recent' };

export type MenuRole =
  | 'appMenu' | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit' | 'close' | 'cut' | 'copy' | 'paste'
  | 'selectAll' | 'togglefullscreen' | 'minimize' | 'zoom' | 'front' | 'reload' | 'toggleDevTools' | 'windowMenu';

export interface MenuItemSpec {
  label?: string;
  role?: MenuRole;
  type?: 'separator';
  accelerator?: string;
  registerAccelerator?: boolean;
  enabled?: boolean;
  submenu?: MenuItemSpec[];
  action?: MenuAction;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Recent files, newest first. */
  recent: readonly string[];
  /** Development build: reload and developer tools. */
  dev: boolean;
}

const sep: MenuItemSpec = { type: 'separator' };
const cmd = (label: string, command: MenuCommand, accelerator?: string, pageHandlesKey = false): MenuItemSpec => ({
  label, action: { kind: 'command', command }, ...(accelerator ? { accelerator } : {}), ...(pageHandlesKey ? { registerAccelerator: false } : {}),
});

export function menuTemplate(o: MenuOptions): MenuItemSpec[] {
  const mac = o.platform === 'darwin';
  const recent: MenuItemSpec[] = o.recent.length
    ? [
        ...o.recent.map((p): MenuItemSpec => ({ label: `${path.basename(p)} — ${path.dirname(p)}`, action: { kind: 'open-recent', path: p } })),
        sep,
        { label: 'Clear Recent', action: { kind: 'clear-recent' } },
      ]
    : [{ label: 'No Recent Files', enabled: false }];
  const file: MenuItemSpec = {
    label: '&File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', registerAccelerator: false, action: { kind: 'open' } },
      { label: 'Open Recent', submenu: recent },
      sep,
      cmd('Export…', 'export', 'CmdOrCtrl+S', true),
      sep,
      mac ? { role: 'close' } : { role: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q' },
    ],
  };
  const edit: MenuItemSpec = {
    label: '&Edit',
    submenu: [
      cmd('Undo', 'undo', 'CmdOrCtrl+Z', true),
      cmd('Redo', 'redo', mac ? 'Shift+CmdOrCtrl+Z' : 'CmdOrCtrl+Shift+Z', true),
      sep,
      { role: 'cut' },
      { role: 'copy' },
      // The page's paste handler takes images from the clipboard (and text in text fields).
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemSpec = {
    label: '&View',
    submenu: [
      cmd('Edit', 'page:editor', 'CmdOrCtrl+1'),
      cmd('Batch', 'page:batch', 'CmdOrCtrl+2'),
      cmd('Train', 'page:train', 'CmdOrCtrl+3'),
      cmd('Models', 'page:models', 'CmdOrCtrl+4'),
      sep,
      { role: 'togglefullscreen' },
      ...(o.dev ? [sep, { role: 'reload' } as MenuItemSpec, { role: 'toggleDevTools' } as MenuItemSpec] : []),
    ],
  };
  const windowMenu: MenuItemSpec = { role: 'windowMenu' };
  const help: MenuItemSpec = {
    label: '&Help',
    submenu: [cmd('Keyboard Shortcuts', 'shortcuts'), ...(mac ? [] : [sep, { role: 'about', label: 'About Mend' } as MenuItemSpec])],
  };
  return [...(mac ? [{ role: 'appMenu' } as MenuItemSpec] : []), file, edit, view, ...(mac ? [windowMenu] : []), help];
}
