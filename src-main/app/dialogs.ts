/**
 * Native open, folder and save dialogs on the app's window (electron-importing glue). Each
 * starts in the folder the same kind of dialog used last (settings.ts).
 */
import path from 'node:path';
import { app, dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { Dialogs } from './desktop-host.js';
import { IMAGE_EXTENSIONS } from './argv.js';
import type { SettingsStore } from './settings.js';

const FORMAT_FILTERS: Record<string, { name: string; extensions: string[] }> = {
  jpeg: { name: 'JPEG image', extensions: ['jpg', 'jpeg'] },
  png: { name: 'PNG image', extensions: ['png'] },
  tiff: { name: 'TIFF image', extensions: ['tif', 'tiff'] },
  webp: { name: 'WebP image', extensions: ['webp'] },
  avif: { name: 'AVIF image', extensions: ['avif'] },
};

const FOLDER_TITLES = {
  input: 'Add a folder to process',
  output: 'Choose the output folder',
  train: 'Choose a folder of training images',
} as const;

export function nativeDialogs(window: () => BrowserWindow | undefined, settings: SettingsStore): Dialogs {
  const open = async (options: OpenDialogOptions): Promise<string[]> => {
    const win = window();
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  };
  return {
    async openImages() {
      const files = await open({
        title: 'Open photos',
        defaultPath: settings.value.lastDirs.open ?? app.getPath('pictures'),
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Images', extensions: [...IMAGE_EXTENSIONS] }, { name: 'All files', extensions: ['*'] }],
      });
      if (files[0]) settings.update((s) => void (s.lastDirs.open = path.dirname(files[0]!)));
      return files;
    },
    async chooseFolder(purpose) {
      const [folder] = await open({
        title: FOLDER_TITLES[purpose],
        defaultPath: settings.value.lastDirs.folder ?? app.getPath('pictures'),
        properties: ['openDirectory', ...(purpose === 'output' ? (['createDirectory'] as const) : [])],
        buttonLabel: purpose === 'output' ? 'Write here' : 'Choose',
      });
      if (folder) settings.update((s) => void (s.lastDirs.folder = path.dirname(folder)));
      return folder;
    },
    async saveFile({ defaultName, kind, format }) {
      const options: SaveDialogOptions = {
        title: kind === 'model' ? 'Export the model' : 'Export the image',
        defaultPath: path.join(settings.value.lastDirs.save ?? app.getPath(kind === 'model' ? 'documents' : 'pictures'), defaultName),
        filters: kind === 'model' ? [{ name: 'Mend model', extensions: ['mendmodel'] }] : [FORMAT_FILTERS[format ?? ''] ?? { name: 'Image', extensions: ['*'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const win = window();
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return undefined;
      settings.update((s) => void (s.lastDirs.save = path.dirname(r.filePath)));
      return r.filePath;
    },
  };
}
