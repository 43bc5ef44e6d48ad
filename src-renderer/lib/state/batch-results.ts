/**
 * What the Batch page does with a batch's outputs: open one in Edit (fetched through its
 * download URL and added as a photo, in web mode and in the desktop app alike) and download all
 * of them as one ZIP archive built in the page (files/zip.ts).
 */
import { api } from '../api';
import { zipStore } from '../files/zip';
import { addFiles } from './editor.svelte';
import { baseName } from '../format';

async function fetchOutput(outDir: string, name: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(api.batchOutputUrl(outDir, name), { cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new Error(`Cannot fetch ${name}: ${(e as Error).message || 'network error'}`, { cause: e });
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    let message = `${res.status} ${res.statusText}`.trim();
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(`Cannot fetch ${name}: ${message}`);
  }
  return res.blob();
}

/** Opens a batch output on the Edit page (as a new photo there) and goes to it. */
export async function openResultInEditor(outDir: string, name: string): Promise<boolean> {
  const blob = await fetchOutput(outDir, name);
  const added = await addFiles([new File([blob], baseName(name), { type: blob.type })]);
  if (added > 0) document.querySelector<HTMLButtonElement>('header button[data-page="editor"]')?.click();
  return added > 0;
}

/** Fetches every output and saves them as one `<folder>.zip` download; `progress` gets (done, total). */
export async function downloadAllOutputs(outDir: string, names: string[], progress: (done: number, total: number) => void): Promise<string> {
  const entries: { name: string; data: Uint8Array }[] = [];
  for (const [i, name] of names.entries()) {
    progress(i, names.length);
    entries.push({ name, data: new Uint8Array(await (await fetchOutput(outDir, name)).arrayBuffer()) });
  }
  progress(names.length, names.length);
  const zip = zipStore(entries);
  const folder = baseName(outDir.replace(/^workspace:/, 'mend-batch-').replace(/[\\/]+$/, '')) || 'mend-batch';
  const fileName = `${folder}.zip`;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(zip);
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  return fileName;
}
