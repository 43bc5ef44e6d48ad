/**
 * Opening dropped and pasted photos in the Edit page: files as they are, folders walked
 * (sub-folders too) for their photos, up to FOLDER_LIMIT per folder (the Batch page is the place
 * for whole folders), images on the clipboard under a dated name.
 */
import { isImageFile, pastedName } from '../canvas/files';
import { addFiles } from './editor.svelte';
import { isTypingTarget } from './shortcuts';
import { errorMessage, notify } from './toasts.svelte';

const FOLDER_LIMIT = 200;

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries returns the listing in chunks; an empty chunk means the end.
    const next = (): void =>
      reader.readEntries((chunk) => {
        if (chunk.length === 0) resolve(all);
        else {
          all.push(...chunk);
          next();
        }
      }, reject);
    next();
  });
}

async function filesIn(dir: FileSystemDirectoryEntry, out: File[], limit: number): Promise<void> {
  for (const entry of await readAllEntries(dir)) {
    if (out.length >= limit) return;
    if (entry.isDirectory) await filesIn(entry as FileSystemDirectoryEntry, out, limit);
    else if (entry.isFile && isImageFile({ name: entry.name })) {
      out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    }
  }
}

/** Opens what was dropped. Call it while the drop event is handled: entries are taken synchronously. */
export async function openDropped(dt: DataTransfer): Promise<void> {
  const dirs: FileSystemDirectoryEntry[] = [];
  const files: File[] = [];
  const items = [...(dt.items ?? [])].filter((i) => i.kind === 'file');
  if (items.length) {
    for (const item of items) {
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      if (entry?.isDirectory) dirs.push(entry as FileSystemDirectoryEntry);
      else {
        const f = item.getAsFile();
        if (f) files.push(f);
      }
    }
  } else {
    files.push(...dt.files);
  }
  let fromFolders = 0;
  for (const dir of dirs) {
    const found: File[] = [];
    try {
      await filesIn(dir, found, FOLDER_LIMIT);
    } catch (e) {
      notify('error', `Could not read the folder “${dir.name}”: ${errorMessage(e)}`);
    }
    if (found.length >= FOLDER_LIMIT) notify('info', `Only the first ${FOLDER_LIMIT} photos of “${dir.name}” are opened here`);
    fromFolders += found.length;
    files.push(...found);
  }
  if (!files.length) {
    if (dirs.length) notify('info', 'The dropped folder has no photos in it');
    return;
  }
  const added = await addFiles(files);
  if (dirs.length && added > 0) {
    notify('info', `Opened ${fromFolders} photo${fromFolders === 1 ? '' : 's'} from ${dirs.length === 1 ? `“${dirs[0]!.name}”` : `${dirs.length} folders`}. To process a whole folder at once, use the Batch page.`);
  }
}

function hasFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
}

/**
 * Listens on the window for files dragged in, dropped and pasted while the page is `visible`;
 * `onDropActive` shows or hides the drop hint. Listens until `signal` aborts.
 */
export function listenForDropAndPaste(visible: () => boolean, onDropActive: (active: boolean) => void, signal: AbortSignal): void {
  let dragDepth = 0;
  const onDragEnter = (e: DragEvent) => {
    if (!visible() || !hasFiles(e)) return;
    e.preventDefault();
    dragDepth++;
    onDropActive(true);
  };
  const onDragOver = (e: DragEvent) => {
    if (!visible() || !hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    onDropActive(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!visible()) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0 || e.relatedTarget === null) {
      dragDepth = 0;
      onDropActive(false);
    }
  };
  const onDrop = (e: DragEvent) => {
    dragDepth = 0;
    onDropActive(false);
    if (!visible() || !e.dataTransfer || e.defaultPrevented) return;
    e.preventDefault();
    void openDropped(e.dataTransfer);
  };
  const onPaste = (e: ClipboardEvent) => {
    if (!visible() || isTypingTarget(e.target) || !e.clipboardData) return;
    const images = [...e.clipboardData.items]
      .filter((i) => i.kind === 'file' && i.type.startsWith('image/'))
      .map((i) => i.getAsFile())
      .filter((f): f is File => !!f);
    if (!images.length) return;
    e.preventDefault();
    const now = new Date();
    void addFiles(images.map((f) => new File([f], pastedName(now, f.type), { type: f.type })));
  };
  const on = { signal };
  window.addEventListener('dragenter', onDragEnter, on);
  window.addEventListener('dragover', onDragOver, on);
  window.addEventListener('dragleave', onDragLeave, on);
  window.addEventListener('drop', onDrop, on);
  window.addEventListener('paste', onPaste, on);
}
