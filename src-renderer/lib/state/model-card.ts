/**
 * Model cards for the Models page: key facts from card.json (read defensively: the card comes
 * from a file a user may have imported) and a small, safe markdown reader for card.md that
 * yields blocks the page renders as elements (never as HTML).
 */
import type { ModelDetails, ModelSummary } from '../../../src-main/shared/api.js';
import { formatCount, formatDuration } from '../format.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const numb = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export const TASK_LABEL: Record<ModelSummary['task'], string> = {
  denoise: 'Denoise',
  inpaint: 'Inpaint',
  reconstruct: 'Reconstruct',
};

export const channelsLabel = (c: number): string => (c === 1 ? 'Grey' : c === 3 ? 'Colour' : `${c} channels`);

/** The Default badge's tooltip: which photos the registry uses the model for. */
export function defaultTitle(s: Pick<ModelSummary, 'defaultFor'>): string {
  const kinds = [...s.defaultFor].sort().map((c) => (c === 1 ? 'grey' : 'colour'));
  return `Used by default for ${kinds.join(' and ')} photos`;
}

/** "residual · width 40 · depth 10 · noise-map input". */
export function archText(arch: unknown, fallback = ''): string {
  if (!isObj(arch)) return fallback;
  const parts: string[] = [str(arch.kind) ?? fallback];
  for (const k of ['width', 'depth', 'levels', 'blocks', 'codeChannels'] as const) {
    const v = numb(arch[k]);
    if (v !== undefined) parts.push(`${k === 'codeChannels' ? 'code channels' : k} ${v}`);
  }
  const cond = str(arch.conditioning);
  if (cond && cond !== 'none') parts.push(`${cond} input`);
  const act = str(arch.codeActivation);
  if (act && act !== 'relu') parts.push(`${act} code`);
  return parts.filter(Boolean).join(' · ');
}

export interface Fact {
  label: string;
  value: string;
  /** Monospace (paths, commands). */
  mono?: boolean;
}

export interface EvalRowView {
  set: string;
  condition: string;
  images: string;
  inputPsnr: string;
  psnr: string;
  gain: string;
  ssim: string;
}

export interface CardView {
  facts: Fact[];
  training: Fact[];
  /** Each `mend train` command of the run (resumed runs have several). */
  commands: string[];
  evalRows: EvalRowView[];
}

/** Key facts of a model from its summary and card, with "–" never shown for missing ones. */
export function cardView(details: ModelDetails): CardView {
  const s = details.summary;
  const card: Obj = isObj(details.card) ? details.card : {};
  const facts: Fact[] = [
    { label: 'Task', value: TASK_LABEL[s.task] ?? String(s.task) },
    { label: 'Channels', value: channelsLabel(s.channels) },
    { label: 'Architecture', value: archText(card.arch, s.arch) },
  ];
  const params = numb(card.params) ?? s.params;
  if (params !== undefined) facts.push({ label: 'Parameters', value: formatCount(params) });
  const flops = numb(card.flopsPerPixel) ?? s.flopsPerPixel;
  if (flops !== undefined) facts.push({ label: 'FLOPs per pixel', value: formatCount(flops) });
  const range = Array.isArray(card.sigmaRange) ? card.sigmaRange : s.sigmaRange;
  if (Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === 'number')) {
    facts.push({ label: 'Noise levels', value: `sigma ${range[0]}–${range[1]}` });
  }
  if (s.headline) facts.push({ label: 'Best score', value: s.headline });
  const created = str(card.created);
  if (created && !Number.isNaN(Date.parse(created))) facts.push({ label: 'Created', value: new Date(created).toISOString().slice(0, 10) });

  const training: Fact[] = [];
  const commands: string[] = [];
  const t = card.training;
  if (isObj(t)) {
    const data = str(t.data);
    const images = numb(t.images);
    if (data) training.push({ label: 'Data', value: images !== undefined ? `${data} (${images} images)` : data, mono: true });
    const steps = numb(t.steps);
    const batch = numb(t.batch);
    const patch = numb(t.patch);
    if (steps !== undefined) {
      let v = `${steps.toLocaleString('en')} steps`;
      if (batch !== undefined) v += ` × ${batch} patches`;
      if (patch !== undefined) v += ` of ${patch}×${patch}`;
      training.push({ label: 'Steps', value: v });
    }
    const noise = str(t.noise);
    if (noise) training.push({ label: 'Corruption', value: noise, mono: true });
    const reg = str(t.regularizer);
    if (reg) training.push({ label: 'Regularizer', value: numb(t.lambda) !== undefined ? `${reg}, lambda ${t.lambda}` : reg });
    const wall = numb(t.wallSeconds);
    if (wall !== undefined) {
      const pps = numb(t.patchesPerSecond);
      const backend = str(t.backend);
      let v = formatDuration(wall);
      if (pps !== undefined) v += `, ${pps.toFixed(1)} patches/s`;
      if (backend) v += ` on ${backend}`;
      training.push({ label: 'Training time', value: v });
    }
    const val = numb(t.valPsnr);
    if (val !== undefined) training.push({ label: 'Validation PSNR', value: `${val.toFixed(2)} dB` });
    const loss = numb(t.finalLoss);
    if (loss !== undefined) training.push({ label: 'Final loss', value: loss.toPrecision(3) });
    const cmd = str(t.command);
    if (cmd) commands.push(...cmd.split('\n').map((c) => c.trim()).filter(Boolean));
  }

  const evalRows: EvalRowView[] = [];
  if (Array.isArray(card.eval)) {
    for (const row of card.eval) {
      if (!isObj(row)) continue;
      const psnr = numb(row.psnr);
      const input = numb(row.inputPsnr);
      const sigma = numb(row.sigma);
      evalRows.push({
        set: str(row.set) ?? '?',
        condition: sigma !== undefined ? `sigma ${sigma}` : str(row.masks) ?? '',
        images: numb(row.images)?.toString() ?? '',
        inputPsnr: input !== undefined ? input.toFixed(2) : '',
        psnr: psnr !== undefined ? psnr.toFixed(2) : '',
        gain: psnr !== undefined && input !== undefined ? `+${(psnr - input).toFixed(2)}` : '',
        ssim: numb(row.ssim)?.toFixed(4) ?? '',
      });
    }
  }
  return { facts, training, commands, evalRows };
}

// ---- card.md -------------------------------------------------------------------------------

export type Inline = { text: string; code?: boolean; strong?: boolean };
export type Block =
  | { kind: 'heading'; level: number; inline: Inline[] }
  | { kind: 'paragraph'; inline: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'code'; text: string }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] };

/** `code` and **strong** spans; everything else is plain text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push({ text: text.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ text: m[1], code: true });
    else out.push({ text: m[2], strong: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

const tableCells = (line: string): string[] =>
  line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
const isDivider = (line: string): boolean => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);

/** Headings, paragraphs, lists, fenced code and pipe tables: what model cards use. */
export function parseMarkdown(md: string): Block[] {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = (): void => {
    if (para.length) blocks.push({ kind: 'paragraph', inline: parseInline(para.join(' ')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      blocks.push({ kind: 'heading', level: h[1].length, inline: parseInline(h[2].trim()) });
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && isDivider(lines[i + 1])) {
      flush();
      const head = tableCells(line).map(parseInline);
      const rows: Inline[][][] = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i++) rows.push(tableCells(lines[i]).map(parseInline));
      i--;
      blocks.push({ kind: 'table', head, rows });
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      flush();
      const items: Inline[][] = [];
      for (; i < lines.length && /^\s*[-*]\s+/.test(lines[i]); i++) items.push(parseInline(lines[i].replace(/^\s*[-*]\s+/, '')));
      i--;
      blocks.push({ kind: 'list', items });
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line.trim());
  }
  flush();
  return blocks;
}

/** Model names users give: 1-60 characters with a letter or digit. Returns an error or undefined. */
export function modelNameError(name: string): string | undefined {
  const n = name.trim();
  if (n === '') return 'The name cannot be empty.';
  if (n.length > 60) return 'Keep the name to 60 characters or fewer.';
  if (!/[\p{L}\p{N}]/u.test(n)) return 'The name needs at least one letter or digit.';
  return undefined;
}

/**
 * A grey denoiser on a colour photo: the engine denoises the photo's luminance with it and guides
 * the colour by the result (core/infer/luma-chroma.ts).
 */
export function throughLuminance(m: Pick<ModelSummary, 'task' | 'channels'>, channels: number): boolean {
  return m.task === 'denoise' && m.channels === 1 && channels === 3;
}

/**
 * A colour inpainter on a grey photo (old scans, the main dust-and-scratch case): the engine runs
 * it on the grey plane copied to three channels and keeps their mean (core/infer/run-model.ts).
 */
export function throughGreyCopy(m: Pick<ModelSummary, 'task' | 'channels'>, channels: number): boolean {
  return m.task === 'inpaint' && m.channels === 3 && channels === 1;
}

/** Whether `m` can do `task` on a photo of `channels`: its own channel count, through luminance, or as grey RGB. */
export function fitsPhoto(m: ModelSummary, task: ModelSummary['task'], channels: number): boolean {
  return m.task === task && (m.channels === channels || throughLuminance(m, channels) || throughGreyCopy(m, channels));
}

/** Models for a picker: those of the task (that fit a photo of `channels` when given), defaults first. */
export function modelsForTask(models: ModelSummary[], task: ModelSummary['task'], channels?: number): ModelSummary[] {
  return models
    .filter((m) => (channels === undefined ? m.task === task : fitsPhoto(m, task, channels)))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'shipped' ? -1 : 1));
}
