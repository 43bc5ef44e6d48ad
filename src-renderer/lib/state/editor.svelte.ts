/**
 * The Edit page's state: the photos opened in it (one session each), every result computed from
 * them (a chain of versions to step back through), and the one job running at a time.
 *
 * Pixels never live here: images are engine ids, drawn by the viewer from their URLs.
 */
import {
  api,
  type DamageKind,
  type ExportOptions,
  type ImageComparison,
  type ImageId,
  type ImageInfo,
  type JobResultFor,
  type JobSpec,
} from '../api';
import { anomalyRequest, corruptRequest, denoiseRequest, exportRequest, inpaintRequest, type DenoiseSettings, type ExportChoice } from '../api/requests';
import { addImageInfo, images } from './images.svelte';
import { models } from './models.svelte';
import { errorMessage, notify, reportError } from './toasts.svelte';
import { beginActivity } from './activity.svelte';
import { estimateEta } from '../../../src-main/shared/eta.js';
import { progressFraction } from '../format';
import { isImageFile } from '../canvas/files';
import { forgetBitmaps } from '../canvas/bitmaps';

export type VersionKind = 'original' | 'corrupted' | 'denoised' | 'inpainted';

export interface Version {
  key: string;
  kind: VersionKind;
  image: ImageInfo;
  /** The version this one was computed from. */
  parent?: string;
  title: string;
  detail: string;
  /** Denoise strength 0..1 (the viewer and export blend with the parent); 1 for the rest. */
  strength: number;
  /** Against the clean original, for versions that descend from a synthetic corruption. */
  metrics?: ImageComparison;
  /** The same inside the damage mask (damage corruptions only). */
  maskMetrics?: ImageComparison;
  /** Corrupted: the damage mask; inpainted: the mask that was filled. */
  mask?: ImageInfo;
  corruption?: { kind: 'noise' | 'damage'; spec: string; sigma?: number };
  /**
   * The settings the result was made with, as sent to the engine (a denoise: model, sigma,
   * passes, and whatever fields the request gains), so the panel can show them again.
   */
  settings?: Record<string, unknown>;
}

export interface Session {
  id: ImageId;
  original: ImageInfo;
  versions: Version[];
  current: string;
  heatmap?: ImageInfo;
  anomalyMask?: ImageInfo;
  flaggedPixels?: number;
  /** Export format and depth the user picked for this photo (else those of the input file). */
  exportChoice?: { format: ExportOptions['format']; depth: 8 | 16 };
}

export type JobKind = 'corrupt' | 'denoise' | 'inpaint' | 'anomaly';

export interface EditorJob {
  kind: JobKind;
  label: string;
  session: ImageId;
  /** 0..1, or -1 until the job says how much work there is. */
  fraction: number;
  etaSeconds?: number;
  stage: string;
  detail: string;
  startedAt: number;
  cancelling: boolean;
}

/** 'original', 'input' (the shown version's parent) or a version key: what the result is compared with. */
export type CompareWith = string;

/** What Denoise and Inpaint run on: the original photo, or the version on screen. */
export type ApplyTo = 'original' | 'current';

export const editor = $state<{
  sessions: Session[];
  selected: ImageId | null;
  job: EditorJob | null;
  /** Uploads in flight (the filmstrip shows a placeholder for each). */
  adding: number;
  compareWith: CompareWith;
  applyTo: ApplyTo;
}>({ sessions: [], selected: null, job: null, adding: 0, compareWith: 'original', applyTo: 'original' });

const ORIGINAL_KEY = 'original';
let versionCounter = 0;
let cancelRequested: (() => Promise<void>) | null = null;

// ---- Look-ups (plain functions: called inside $derived they track what they read) ---------

export function getSession(id: ImageId | null): Session | undefined {
  return id ? editor.sessions.find((s) => s.id === id) : undefined;
}

export function selectedSession(): Session | undefined {
  return getSession(editor.selected);
}

export function versionOf(s: Session, key: string | undefined): Version | undefined {
  return key ? s.versions.find((v) => v.key === key) : undefined;
}

export function currentVersion(s: Session): Version {
  return versionOf(s, s.current) ?? s.versions[0]!;
}

export function parentOf(s: Session, v: Version): Version | undefined {
  return versionOf(s, v.parent);
}

/** A version as pickers name it: "Original", or its number, kind and model ("2 · Denoised · Colour denoiser"). */
export function versionLabel(s: Session, v: Version): string {
  const i = s.versions.indexOf(v);
  if (i <= 0) return 'Original';
  const model = typeof v.settings?.model === 'string' ? modelName(v.settings.model) : '';
  return `${i} · ${v.title}${model ? ` · ${model}` : ''}`;
}

/** The version the next Denoise or Inpaint runs on (Apply to: the original unless asked otherwise). */
export function sourceVersion(s: Session): Version {
  return editor.applyTo === 'current' ? currentVersion(s) : s.versions[0]!;
}

/** The synthetic corruption this version descends from (itself included), if any. */
export function corruptedAncestor(s: Session, v: Version): Version | undefined {
  for (let cur: Version | undefined = v; cur; cur = parentOf(s, cur)) if (cur.kind === 'corrupted') return cur;
  return undefined;
}

function modelName(id: string): string {
  return models.find((m) => m.id === id)?.name ?? id;
}

/**
 * The name a new photo is shown under: its file name, or "name (2).ext" when a photo of that
 * name is already open (two cameras' IMG_0001.JPG, the same file twice), so no two look alike.
 */
export function distinctName(name: string, taken: string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  if (!lower.has(name.toLowerCase())) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}

function newSession(raw: ImageInfo): Session {
  const info = { ...raw, name: distinctName(raw.name, editor.sessions.map((s) => s.original.name)) };
  return {
    id: info.id,
    original: info,
    versions: [{ key: ORIGINAL_KEY, kind: 'original', image: info, title: 'Original', detail: describeImage(info), strength: 1 }],
    current: ORIGINAL_KEY,
  };
}

export function describeImage(info: ImageInfo): string {
  const colour = info.channels === 1 ? 'grey' : 'colour';
  return `${info.width} × ${info.height} · ${colour} · ${info.bitDepth}-bit ${info.format.toUpperCase()}`;
}

// ---- Loading and removing photos ----------------------------------------------------------

/** Uploads image files (drop, picker, paste); other files are skipped with a note. */
export async function addFiles(files: File[]): Promise<number> {
  const wanted = files.filter((f) => isImageFile(f));
  const skipped = files.filter((f) => !isImageFile(f)).map((f) => `“${f.name}”`);
  if (skipped.length > 0) {
    const names = skipped.length <= 3 ? skipped.join(', ') : `${skipped.slice(0, 3).join(', ')} and ${skipped.length - 3} more`;
    notify('info', `${names} ${skipped.length === 1 ? 'is' : 'are'} not a photo and ${skipped.length === 1 ? 'was' : 'were'} skipped`);
  }
  let added = 0;
  editor.adding += wanted.length;
  for (const file of wanted) {
    try {
      const info = await api.addImage(file.name, file);
      addImageInfo(info);
      if (!getSession(info.id)) editor.sessions.push(newSession(info));
      if (added === 0) editor.selected = info.id;
      added++;
    } catch (e) {
      // Name the file unless the engine's message already does.
      const message = errorMessage(e);
      notify('error', message.includes(file.name) ? message : `${file.name}: ${message}`);
    } finally {
      editor.adding--;
    }
  }
  return added;
}

/** Shows images the engine already opened (the desktop app's File > Open, double-clicked files). */
export function openInEditor(infos: ImageInfo[]): void {
  for (const [i, info] of infos.entries()) {
    addImageInfo(info);
    if (!getSession(info.id)) editor.sessions.push(newSession(info));
    if (i === 0) editor.selected = info.id;
  }
}

/** Hooks other editor stores register to drop per-photo state (the mask) with the photo. */
const removeHooks: ((id: ImageId) => void)[] = [];
export function onSessionRemoved(hook: (id: ImageId) => void): void {
  removeHooks.push(hook);
}

export async function removeSession(id: ImageId): Promise<void> {
  const i = editor.sessions.findIndex((s) => s.id === id);
  if (i < 0) return;
  if (editor.job?.session === id) await cancelJob();
  const s = editor.sessions[i]!;
  const ids = new Set<ImageId>();
  for (const v of s.versions) {
    ids.add(v.image.id);
    if (v.mask) ids.add(v.mask.id);
  }
  if (s.heatmap) ids.add(s.heatmap.id);
  if (s.anomalyMask) ids.add(s.anomalyMask.id);
  editor.sessions.splice(i, 1);
  if (editor.selected === id) editor.selected = editor.sessions[Math.min(i, editor.sessions.length - 1)]?.id ?? null;
  for (const hook of removeHooks) hook(id);
  const removeOne = async (imageId: ImageId): Promise<void> => {
    try {
      await api.removeImage(imageId);
    } catch (e) {
      // A derived image the engine already dropped with its parent is not worth a message.
      if (imageId === id && (e as { code?: string }).code !== 'not-found') reportError(e);
    }
    const k = images.findIndex((x) => x.id === imageId);
    if (k >= 0) images.splice(k, 1);
    forgetBitmaps((url) => url.includes(encodeURIComponent(imageId)));
  };
  // Results first, then the original.
  for (const imageId of ids) if (imageId !== id) await removeOne(imageId);
  await removeOne(id);
}

export function selectSession(id: ImageId): void {
  if (getSession(id)) editor.selected = id;
}

export function selectNeighbour(dir: 1 | -1): void {
  const n = editor.sessions.length;
  if (n === 0) return;
  const i = editor.sessions.findIndex((s) => s.id === editor.selected);
  editor.selected = editor.sessions[(i + dir + n) % n]!.id;
}

export function selectVersion(s: Session, key: string): void {
  if (versionOf(s, key)) s.current = key;
}

export function setStrength(v: Version, strength: number): void {
  v.strength = Math.min(1, Math.max(0, strength));
}

function addVersion(s: Session, v: Omit<Version, 'key'>): Version {
  const version: Version = { ...v, key: `v${++versionCounter}` };
  s.versions.push(version);
  s.current = version.key;
  addImageInfo(v.image);
  if (v.mask) addImageInfo(v.mask);
  return s.versions[s.versions.length - 1]!;
}

// ---- Jobs ---------------------------------------------------------------------------------

async function runJob<S extends JobSpec>(kind: JobKind, s: Session, label: string, spec: S): Promise<JobResultFor<S> | undefined> {
  if (editor.job) {
    notify('info', 'Another job is running: wait for it or cancel it first');
    return undefined;
  }
  const startedAt = performance.now();
  editor.job = { kind, label, session: s.id, fraction: -1, stage: '', detail: '', startedAt, cancelling: false };
  const activity = beginActivity(label);
  try {
    const handle = await api.startJob(spec, (e) => {
      activity.event(e);
      const job = editor.job;
      if (!job) return;
      if (e.type === 'progress') {
        job.fraction = e.total > 0 ? progressFraction(e.done, e.total) : -1;
        job.etaSeconds = e.etaSeconds ?? estimateEta((performance.now() - startedAt) / 1000, e.done, e.total);
        job.stage = e.stage;
        job.detail = e.detail ?? '';
      } else if (e.type === 'log' && e.level === 'warn') {
        notify('info', e.message);
      }
    });
    cancelRequested = () => handle.cancel();
    // Cancel pressed while the job was being submitted.
    if (editor.job?.cancelling) void handle.cancel().catch(() => undefined);
    return await handle.done;
  } catch (e) {
    reportError(e);
    return undefined;
  } finally {
    cancelRequested = null;
    editor.job = null;
    activity.end();
  }
}

export async function cancelJob(): Promise<void> {
  if (!editor.job || editor.job.cancelling) return;
  editor.job.cancelling = true;
  try {
    await cancelRequested?.();
  } catch (e) {
    reportError(e);
  }
}

async function compareSafe(reference: ImageId, image: ImageId, mask?: ImageId): Promise<ImageComparison | undefined> {
  try {
    return await api.compare(reference, image, mask);
  } catch (e) {
    notify('error', `Could not measure the result: ${errorMessage(e)}`);
    return undefined;
  }
}

export interface CorruptChoice {
  noise?: string;
  damage?: DamageKind;
  seed?: number;
  /** Gaussian sigma, remembered so Denoise can use the true level. */
  sigma?: number;
  /** "Gaussian σ 25", "Scratches". */
  label: string;
}

/** Adds synthetic noise or damage to the clean original (which stays the reference). */
export async function corrupt(s: Session, c: CorruptChoice): Promise<Version | undefined> {
  const r = await runJob('corrupt', s, `Corrupting ${s.original.name}`, corruptRequest(s.original.id, c));
  if (!r) return undefined;
  const maskMetrics = r.mask ? await compareSafe(s.original.id, r.image.id, r.mask.id) : undefined;
  return addVersion(s, {
    kind: 'corrupted',
    image: r.image,
    parent: ORIGINAL_KEY,
    title: 'Corrupted',
    detail: c.label,
    strength: 1,
    metrics: r.comparison,
    maskMetrics,
    mask: r.mask,
    corruption: { kind: c.damage ? 'damage' : 'noise', spec: c.noise ?? c.damage ?? '', sigma: c.sigma },
  });
}

/** Metrics of a result against the clean original when its chain starts from a corruption. */
async function measure(s: Session, parent: Version, image: ImageId): Promise<Pick<Version, 'metrics' | 'maskMetrics'>> {
  const corrupted = corruptedAncestor(s, parent);
  if (!corrupted) return {};
  const metrics = await compareSafe(s.original.id, image);
  const maskMetrics = corrupted.mask ? await compareSafe(s.original.id, image, corrupted.mask.id) : undefined;
  return { metrics, maskMetrics };
}

export type { DenoiseSettings, ExportChoice };

/** Denoises `from` (by default what Apply to names) with `params`; the result remembers them. */
export async function denoise(s: Session, params: DenoiseSettings, from: Version = sourceVersion(s)): Promise<Version | undefined> {
  const input = from;
  const r = await runJob('denoise', s, `Denoising ${s.original.name}`, denoiseRequest(input.image.id, params));
  if (!r) return undefined;
  const passes = params.passes ?? 1;
  const m = await measure(s, input, r.image.id);
  return addVersion(s, {
    kind: 'denoised',
    image: r.image,
    parent: input.key,
    title: 'Denoised',
    // The model is in the title (versionLabel); the detail says the rest in words.
    detail: `${r.estimated && params.amount === undefined ? 'measured' : 'set'} amount ${r.amount}${params.detail ? ` · detail ${params.detail}` : ''}${passes > 1 ? ` · ${passes} passes` : ''} · ${r.seconds.toFixed(1)} s`,
    strength: 1,
    settings: { ...params, model: r.model },
    ...m,
  });
}

export async function inpaint(
  s: Session, mask: ImageInfo, model: string | undefined, grain: boolean, from: Version = sourceVersion(s),
  removal: { exclude?: ImageInfo; seed?: number } = {},
): Promise<Version | undefined> {
  const input = from;
  const request = inpaintRequest(input.image.id, mask.id, model, grain, { exclude: removal.exclude?.id, seed: removal.seed });
  const r = await runJob('inpaint', s, `Inpainting ${s.original.name}`, request);
  if (!r) return undefined;
  const m = await measure(s, input, r.image.id);
  return addVersion(s, {
    kind: 'inpainted',
    image: r.image,
    parent: input.key,
    title: 'Inpainted',
    detail: `${modelName(r.model)} · ${r.maskedPixels.toLocaleString()} px filled · ${r.seconds.toFixed(1)} s`,
    strength: 1,
    mask,
    settings: { model: r.model, grain },
    ...m,
  });
}

/** Runs anomaly detection on the current version; keeps its heat map and suggested mask. */
export async function detectAnomalies(s: Session, model?: string): Promise<ImageInfo | undefined> {
  const input = currentVersion(s);
  const r = await runJob('anomaly', s, `Looking for damage in ${s.original.name}`, anomalyRequest(input.image.id, model));
  if (!r) return undefined;
  s.heatmap = r.heatmap;
  s.anomalyMask = r.mask;
  s.flaggedPixels = r.flaggedPixels;
  addImageInfo(r.heatmap);
  addImageInfo({ ...r.mask, role: 'mask' });
  return r.mask;
}

/** Exports the current version (with its denoise strength) under a new name. */
export async function exportCurrent(s: Session, c: ExportChoice): Promise<string | undefined> {
  const v = currentVersion(s);
  const parent = parentOf(s, v);
  const blend = v.kind === 'denoised' && v.strength < 1 && parent;
  const opts = exportRequest(v.image.id, c, { source: s.original.id, blend: blend ? { base: parent.image.id, strength: v.strength } : undefined });
  try {
    const name = await api.exportImage(opts);
    notify('success', `Saved as ${name}`);
    return name;
  } catch (e) {
    reportError(e);
    return undefined;
  }
}
