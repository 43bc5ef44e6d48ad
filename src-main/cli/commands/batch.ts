/** `mend batch`: many photos in, one output folder out, resumable (core/batch does the work). */
import path from 'node:path';
import { getPreset, presetsFile, savePreset } from '../../core/batch/presets.js';
import { BatchJob } from '../../core/batch/run.js';
import type { BatchSummary, BatchTask } from '../../core/batch/types.js';
import type { ImageFormat } from '../../core/image/io.js';
import { MendError } from '../../shared/errors.js';
import { depthOption, num, oneOf, parse, passesOption, qualityOption, required } from '../args.js';
import type { CommandContext } from '../context.js';
import { formatDuration } from '../progress.js';

export const batchHelp = `mend batch IN... -o OUTDIR [--recursive] [--task denoise|inpaint] [--model ID] [options]
  Denoises or inpaints many photos: any mix of files and folders, into one output folder.
  -o, --output OUTDIR  output folder (created); outputs keep their input names (clashes get -2, -3, ...)
  -r, --recursive      include sub-folders, mirrored under OUTDIR
  --task denoise|inpaint   (default denoise)
  --model ID|PATH      model (default: the registry default for each image's kind)
  --amount A           denoise: how much noise to remove, 0-100, the same for every image
                       (default: read from each photo, as \`mend denoise\` does)
  --detail D           denoise: 0-100, give back part of the fine brightness texture (default 0)
  --sigma N|auto       denoise: noise level on the 0-255 scale instead of --amount (for scripts)
  --strength S         denoise: 0 = keep the input, 1 = full denoise (default 1)
  --passes 1|2|4|8     denoise: average the network over turned copies (on colour, plus one pass
                       per colour plane): cleaner, N (N+2) times the time (default 1)
  --mask M.png         inpaint: one mask for every image (e.g. a sensor dust spot)
  --masks DIR          inpaint: one mask per image, matched by file name without extension
  --format same|jpeg|png|tiff|webp|avif   output format (default same as each input)
  --quality Q          1-100 for lossy formats   --depth 8|16   output bit depth
  --strip-metadata     do not copy EXIF/ICC/XMP (default: each output gets its input's metadata)
  --skip-existing      skip files whose output already exists
  --jobs N             images processed at once (default 1)
  --tile N             tile size (default 512)
  --preset NAME        the settings of a saved preset (Batch page, or --save-preset); options
                       given on the command line win over the preset's
  --save-preset NAME   also save this run's settings (task, model, amount, detail, sigma, strength, passes,
                       format, quality, depth, metadata, skip) as preset NAME
  Non-images are skipped and listed; a file that fails is recorded and the batch goes on.
  Camera RAW files (DNG, CR2, NEF, ARW, ...) are denoised in the raw domain and written as
  NAME.dng, a linear DNG (with --format: the default rendering in that format).
  Re-running the same command resumes: files finished with the same settings are not redone
  (journal ${'mend-batch-journal.jsonl'} in OUTDIR). A JSON report is written to OUTDIR.
  Exit status: 0 all done, 1 some files failed, 130 cancelled (Ctrl-C).`;

const FORMATS = ['same', 'jpeg', 'png', 'tiff', 'webp', 'avif', 'heif'] as const;

export function formatSummary(s: BatchSummary, maxFailures = 20): string {
  const lines: string[] = [];
  const head = s.status === 'cancelled' ? 'Cancelled' : 'Finished';
  lines.push(`${head}: ${s.done} done, ${s.skipped} skipped, ${s.failed} failed` +
    (s.notProcessed > 0 ? `, ${s.notProcessed} not reached` : '') + ` of ${s.total} images in ${formatDuration(s.seconds)}` +
    (s.megapixelsPerSecond > 0 ? ` (${s.megapixelsPerSecond.toFixed(2)} MP/s)` : ''));
  if (s.skipped > 0) {
    const reasons = new Map<string, number>();
    for (const f of s.skippedFiles) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
    for (const [r, n] of reasons) lines.push(`  skipped ${n}: ${r}`);
  }
  if (s.failed > 0) {
    lines.push('Failed:');
    for (const f of s.failures.slice(0, maxFailures)) lines.push(`  ${f.input}: ${f.reason}`);
    if (s.failures.length > maxFailures) lines.push(`  ... and ${s.failures.length - maxFailures} more (see the report)`);
  }
  if (s.notImages.length > 0) {
    lines.push(`Not processed (not images): ${s.notImages.length}`);
    for (const n of s.notImages.slice(0, 10)) lines.push(`  ${n.path}: ${n.reason}`);
    if (s.notImages.length > 10) lines.push(`  ... and ${s.notImages.length - 10} more (see the report)`);
  }
  lines.push(`Report: ${s.report}`);
  return lines.join('\n');
}

export async function batchCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    recursive: { type: 'boolean', short: 'r' },
    task: { type: 'string' },
    model: { type: 'string' },
    sigma: { type: 'string' },
    amount: { type: 'string' },
    detail: { type: 'string' },
    strength: { type: 'string' },
    passes: { type: 'string' },
    mask: { type: 'string' },
    masks: { type: 'string' },
    format: { type: 'string' },
    quality: { type: 'string' },
    depth: { type: 'string' },
    'strip-metadata': { type: 'boolean' },
    'skip-existing': { type: 'boolean' },
    jobs: { type: 'string' },
    tile: { type: 'string' },
    preset: { type: 'string' },
    'save-preset': { type: 'string' },
  });
  if (positionals.length === 0) throw new MendError('usage', 'Give at least one input file or folder');
  if (v.preset !== undefined) {
    // The preset fills in what the command line leaves out; denoise settings only for denoising.
    const p = await getPreset(v.preset);
    v.task ??= p.task;
    v.model ??= p.model;
    if ((v.task ?? 'denoise') === 'denoise' && p.task === 'denoise') {
      // A level given on the command line (Amount or sigma) replaces the preset's, whichever it is.
      if (v.amount === undefined && v.sigma === undefined) {
        if (p.amount !== undefined) v.amount = String(p.amount);
        else if (p.sigma !== undefined) v.sigma = String(p.sigma);
      }
      if (p.detail !== undefined) v.detail ??= String(p.detail);
      if (p.strength !== undefined) v.strength ??= String(p.strength);
      if (p.passes !== undefined) v.passes ??= String(p.passes);
    }
    if (p.format !== undefined) v.format ??= p.format;
    if (p.quality !== undefined) v.quality ??= String(p.quality);
    if (p.depth !== undefined) v.depth ??= String(p.depth);
    if (p.keepMetadata === false) v['strip-metadata'] = true;
    if (p.skipExisting) v['skip-existing'] = true;
  }
  const outDir = required(v.output, 'output');
  const task = oneOf<BatchTask>(v.task, 'task', ['denoise', 'inpaint'] as const, 'denoise');
  if (task === 'inpaint' && [v.sigma, v.amount, v.detail, v.strength, v.passes].some((x) => x !== undefined)) {
    throw new MendError('usage', '--amount, --detail, --sigma, --strength and --passes are for --task denoise');
  }
  if (task === 'inpaint' && !v.mask === !v.masks) throw new MendError('usage', 'An inpaint batch needs --mask M.png or --masks DIR (one of them)');
  if (task === 'denoise' && (v.mask || v.masks)) throw new MendError('usage', '--mask and --masks are for --task inpaint');
  const format = oneOf(v.format === 'jpg' ? 'jpeg' : v.format, 'format', FORMATS, 'same');
  const sigma = v.sigma === undefined || v.sigma === 'auto' ? 'auto' as const : num(v.sigma, 'sigma', 25, { min: 0, max: 255 });
  const amount = v.amount === undefined ? undefined : num(v.amount, 'amount', 50, { min: 0, max: 100 });
  if (amount !== undefined && sigma !== 'auto') throw new MendError('usage', 'Give --amount or --sigma, not both.');
  const detail = num(v.detail, 'detail', 0, { min: 0, max: 100 });
  const strength = num(v.strength, 'strength', 1, { min: 0, max: 1 });
  const passes = passesOption(v.passes);
  const quality = qualityOption(v.quality);
  const depth = depthOption(v.depth);
  if (v['save-preset'] !== undefined) {
    await savePreset({
      name: v['save-preset'], task, ...(v.model ? { model: v.model } : {}),
      ...(task === 'denoise' ? { ...(amount !== undefined ? { amount } : { sigma }), ...(detail > 0 ? { detail } : {}), strength, passes } : {}),
      format, ...(quality !== undefined ? { quality } : {}), ...(depth !== undefined ? { depth } : {}),
      keepMetadata: !v['strip-metadata'], skipExisting: !!v['skip-existing'],
    });
    if (!ctx.json) console.log(`Saved preset "${v['save-preset']}" in ${presetsFile()}`);
  }
  const job = new BatchJob({
    inputs: positionals,
    outDir,
    recursive: v.recursive,
    task,
    model: v.model,
    sigma,
    amount,
    detail,
    strength,
    passes,
    mask: v.mask,
    masks: v.masks,
    format: format as ImageFormat | 'same',
    quality,
    depth,
    keepMetadata: !v['strip-metadata'],
    skipExisting: v['skip-existing'],
    jobs: num(v.jobs, 'jobs', 1, { min: 1, max: 64, int: true }),
    tileSize: v.tile ? num(v.tile, 'tile', 512, { min: 64, int: true }) : undefined,
    signal: ctx.job.signal,
    onEvent: ctx.job.onEvent,
    commandLine: ctx.commandLine,
  });
  const summary = await job.run();
  ctx.reporter.done();
  // The JSON result stays one reasonable line: per-file details are in the report.
  const { files: _files, skippedFiles: _skipped, ...brief } = summary;
  ctx.reporter.result({ task, ...brief, outDir: path.resolve(outDir) });
  if (!ctx.json) console.log(formatSummary(summary));
  return summary.status === 'cancelled' ? 130 : summary.failed > 0 ? 1 : 0;
}
