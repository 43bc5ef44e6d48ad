/**
 * The desktop app's extras (api.desktop, from the Electron preload; absent in a browser):
 * images the app opened for the window (File > Open, Open Recent, double-clicked files, a second
 * launch), commands from the native menus, and news of an engine restart. Wired once, from
 * main.ts. The menus hand the page actions it already has keys for, so a command here presses
 * that key, and the page's own handler does the rest (help, export, undo stay in one place).
 */
import { api, type EngineStatus, type MenuCommand } from '../api';
import type { FolderPurpose } from './folder-choice.svelte';
import { openInEditor } from './editor.svelte';
import { isTypingTarget } from './shortcuts';
import { notify } from './toasts.svelte';

/** True in the desktop app: folders come from native dialogs there, not from `mend serve --root`. */
export const desktop = api.desktop;

/** The page's key handlers listen on window; from the body, a focused text field cannot swallow the key. */
function pressKey(key: string, opts: { ctrl?: boolean; shift?: boolean } = {}): void {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, ctrlKey: !!opts.ctrl, shiftKey: !!opts.shift, bubbles: true, cancelable: true }));
}

function click(selector: string): void {
  document.querySelector<HTMLElement>(selector)?.click();
}

export function runMenuCommand(command: MenuCommand): void {
  switch (command) {
    case 'undo':
    case 'redo':
      // In a text field the menu edits the text; elsewhere it is the mask's undo (Ctrl+Z).
      if (isTypingTarget(document.activeElement)) document.execCommand(command);
      else pressKey('z', { ctrl: true, shift: command === 'redo' });
      return;
    case 'export':
      click('header button[data-page="editor"]');
      // After the page switch has rendered: the editor acts on keys only while it is shown.
      setTimeout(() => pressKey('s', { ctrl: true }), 0);
      return;
    case 'shortcuts':
      click('[data-testid="shortcuts-button"]');
      return;
    default:
      click(`header button[data-page="${command.slice('page:'.length)}"]`);
  }
}

function engineNotice(s: EngineStatus): void {
  // A kill after cancel is reported by the cancelled job itself.
  if (s.planned) return;
  notify('error', 'Mend’s engine stopped unexpectedly and has been restarted. Your images are kept; start the job again.');
}

/** Listens to the desktop app's events; a no-op in a browser. */
export function initDesktop(): void {
  if (!desktop) return;
  desktop.onImagesOpened((images, failures) => {
    if (images.length) {
      click('header button[data-page="editor"]');
      openInEditor(images);
    }
    for (const f of failures) notify('error', f.message);
  });
  desktop.onMenuCommand(runMenuCommand);
  desktop.onEngineStatus(engineNotice);
}

/**
 * Asks for a folder: the native dialog in the desktop app (resolves with its path, or undefined
 * when cancelled); in a browser, undefined without asking (the page shows its server-folder
 * dialog instead).
 */
export async function chooseNativeFolder(purpose: FolderPurpose): Promise<string | undefined> {
  if (!desktop) return undefined;
  try {
    return await desktop.chooseFolder(purpose);
  } catch (e) {
    notify('error', (e as { message?: string })?.message ?? 'Could not open the folder dialog');
    return undefined;
  }
}
