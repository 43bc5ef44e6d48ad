/** "New folder" in web mode's folder picker: a sub-folder of a folder under the roots. */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MakeFolderSchema } from '../shared/schema/presets.js';
import { checkRequest } from '../shared/schema/parse.js';
import { EngineError } from '../host/errors.js';
import { resolveUnderRoots } from '../host/roots.js';

/** Creates `name` inside `parent` (both checked: the parent under the roots, the name a plain name); returns its path. */
export async function makeFolder(parent: unknown, name: unknown, roots: string[] | undefined): Promise<string> {
  const checked = checkRequest(MakeFolderSchema, { parent, name }, 'the new folder');
  if (!checked.ok) throw new EngineError('usage', checked.reason);
  const dir = await resolveUnderRoots(checked.value.parent, roots, 'Folder');
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new EngineError('not-found', `Folder not found: ${checked.value.parent}`);
  const target = path.join(dir, checked.value.name);
  try {
    await mkdir(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new EngineError('usage', `${checked.value.name} already exists in ${dir}`);
    throw new EngineError('unwritable', `Cannot create ${target}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message}`);
  }
  return target;
}
