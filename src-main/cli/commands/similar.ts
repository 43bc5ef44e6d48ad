/** `mend similar index|find|groups`: similar-image search by autoencoder codes (core/lab/similar.ts). */
import path from 'node:path';
import {
  codeOfFile, DEFAULT_GROUP_DISTANCE, defaultIndexFile, indexFolder, loadIndex, nearDuplicateGroups, nearest, type SimilarIndex,
} from '../../core/lab/similar.js';
import { MendError } from '../../shared/errors.js';
import { num, parse, required } from '../args.js';
import type { CommandContext } from '../context.js';

export const similarHelp = `mend similar index DIR | find IMG --index DIR | groups DIR
  Finds similar images and near-duplicate groups (bursts) in a folder by autoencoder codes.
  An autoencoder trained on the folder's thumbnails
  (to ignore crops, small shifts, exposure changes and grain) gives each image a short code.
  index DIR            index (or update the index of) a folder, recursively; unchanged files
                       are not read again (the index is cached per folder, keyed by path,
                       size and modification time)   --retrain   retrain the encoder anyway
  find IMG --index DIR the indexed images nearest to IMG (any image file)   -k N (default 5)
  groups DIR           near-duplicate groups (bursts, re-crops, brackets) of an indexed folder
                       --distance D   code distance that links two images (default ${DEFAULT_GROUP_DISTANCE})
  --index-file F       keep the index in F instead of the cache folder (MEND_CACHE_DIR)`;

async function indexFor(dir: string, file: string | undefined): Promise<SimilarIndex> {
  const index = await loadIndex(file ?? (await defaultIndexFile(dir)));
  if (!index) throw new MendError('not-found', `${dir} is not indexed yet: run \`mend similar index ${dir}\` first`);
  return index;
}

export async function similarCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  const { values: v, positionals } = parse(rest, {
    index: { type: 'string' }, 'index-file': { type: 'string' }, k: { type: 'string', short: 'k' }, retrain: { type: 'boolean' },
    distance: { type: 'string' },
  });
  const one = (what: string): string => {
    if (positionals.length !== 1) throw new MendError('usage', `mend similar ${sub}: give exactly one ${what}`);
    return positionals[0]!;
  };
  if (sub === 'index') {
    const dir = one('folder');
    const rep = await indexFolder(dir, { ...ctx.job, retrain: v.retrain === true, ...(v['index-file'] ? { indexFile: v['index-file'] } : {}) });
    ctx.reporter.done();
    ctx.reporter.result({
      task: 'similar-index', folder: rep.index.folder, indexFile: rep.indexFile, images: rep.index.entries.length, decoded: rep.decoded,
      reused: rep.reused, removed: rep.removed, retrained: rep.retrained, failed: rep.failed, seconds: rep.seconds,
    });
    if (!ctx.json) {
      console.log(`${rep.index.entries.length} images indexed (${rep.decoded} read, ${rep.reused} unchanged, ${rep.removed} gone)` +
        `${rep.retrained ? ', encoder trained' : ''} in ${rep.seconds.toFixed(1)} s; index ${rep.indexFile}`);
      for (const f of rep.failed) console.log(`  skipped ${f.path}: ${f.reason}`);
    }
    return 0;
  }
  if (sub === 'find') {
    const img = one('image');
    const dir = required(v.index, 'index');
    const index = await indexFor(dir, v['index-file']);
    const k = num(v.k, 'k', 5, { int: true, min: 1 });
    const { code, entry } = await codeOfFile(index, img);
    const matches = nearest(index, code, k, entry?.path).map((m) => ({ path: path.join(index.folder, ...m.path.split('/')), distance: m.distance }));
    ctx.reporter.done();
    ctx.reporter.result({ task: 'similar-find', query: img, matches });
    if (!ctx.json) for (const m of matches) console.log(`${m.distance.toFixed(4)}  ${m.path}`);
    return 0;
  }
  if (sub === 'groups') {
    const dir = one('folder');
    const index = await indexFor(dir, v['index-file']);
    const groups = nearDuplicateGroups(index, num(v.distance, 'distance', DEFAULT_GROUP_DISTANCE, { min: 0, max: 2 }))
      .map((g) => g.map((p) => path.join(index.folder, ...p.split('/'))));
    ctx.reporter.done();
    ctx.reporter.result({ task: 'similar-groups', folder: index.folder, groups });
    if (!ctx.json) {
      if (groups.length === 0) console.log('No near-duplicates found.');
      groups.forEach((g, i) => console.log(`group ${i + 1} (${g.length}):\n${g.map((p) => `  ${p}`).join('\n')}`));
    }
    return 0;
  }
  throw new MendError('usage', `mend similar: unknown subcommand "${sub ?? ''}"; use index, find or groups`);
}
