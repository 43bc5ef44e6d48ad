/**
 * The images loaded in the app (the engine's workspace), shared by every page: the editor opens
 * and shows them, Batch and Train can use them as inputs. Only what the user loaded or the app
 * computed is here; the engine owns the pixels, the renderer keeps the ImageInfo.
 */
import { api, type ImageInfo } from '../api';
import { reportError } from './toasts.svelte';

export const images = $state<ImageInfo[]>([]);

/** Adds an image the engine already knows (an upload, a job's result), replacing one with its id. */
export function addImageInfo(info: ImageInfo): void {
  const i = images.findIndex((x) => x.id === info.id);
  if (i >= 0) images[i] = info;
  else images.push(info);
}

/** Uploads files into the workspace; each failure is reported and the others go on. */
export async function uploadImages(files: Iterable<File>): Promise<ImageInfo[]> {
  const added: ImageInfo[] = [];
  for (const file of files) {
    try {
      const info = await api.addImage(file.name, file);
      addImageInfo(info);
      added.push(info);
    } catch (e) {
      reportError(e);
    }
  }
  return added;
}

/** Opens a server-side/desktop path into the workspace. */
export async function openImagePath(path: string): Promise<ImageInfo | undefined> {
  try {
    const info = await api.openPath(path);
    addImageInfo(info);
    return info;
  } catch (e) {
    reportError(e);
    return undefined;
  }
}

/** Photos the user loaded (not results, masks or heat maps): what Batch and Train take. */
export function loadedPhotos(): ImageInfo[] {
  return images.filter((x) => x.role === 'original' || x.role === 'corrupted');
}

/** Masks in the workspace (drawn in the editor, suggested by anomaly detection, uploaded). */
export function loadedMasks(): ImageInfo[] {
  return images.filter((x) => x.role === 'mask');
}
