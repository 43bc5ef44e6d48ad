/**
 * The application menu from menu-template.ts, with its actions wired (electron-importing glue).
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuAction, type MenuItemSpec, type MenuOptions } from './menu-template.js';

function toElectron(item: MenuItemSpec, run: (a: MenuAction) => void): MenuItemConstructorOptions {
  const { action, submenu, ...rest } = item;
  return {
    ...rest,
    ...(submenu ? { submenu: submenu.map((s) => toElectron(s, run)) } : {}),
    ...(action ? { click: () => run(action) } : {}),
  };
}

export function installMenu(opts: MenuOptions, run: (a: MenuAction) => void): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(opts).map((i) => toElectron(i, run))));
}
