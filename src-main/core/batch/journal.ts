/**
 * The batch journal: one JSON line per finished file, appended (and fsynced) right after the
 * output was atomically renamed into place. A re-run reads it and skips a file when
 *   - the input's content hash is the recorded one (the photo did not change),
 *   - the settings hash is the recorded one (same model weights, sigma, strength, format, ...),
 *   - the recorded output still exists with the recorded size (nobody deleted or cut it).
 *
 * Input hash: SHA-256 of the whole file. Size + mtime would be cheaper but lies when a shoot is
 * copied with preserved times, restored from a backup, or edited in place by a tool that keeps the
 * size; a partial hash misses edits in the part not hashed. A full hash costs one sequential read
 * (the file is read again right after for decoding, from the page cache) at about 1-2 GB/s: a few
 * ms for a 20 MB photo, against seconds of inference for it, so well under 1% of a batch.
 *
 * A kill -9 can leave at most a cut last line; it is ignored (that file is simply redone).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { unwritableError, writeFileAtomic } from '../image/atomic-write.js';

export const JOURNAL_NAME = 'mend-batch-journal.jsonl';
export const JOURNAL_VERSION = 1;

export interface JournalEntry {
  v: number;
  /** Absolute input path when it was processed. */
  input: string;
  /** sha256 hex of the input file. */
  inputHash: string;
  inputSize: number;
  /** Output, relative to OUTDIR with '/' separators. */
  output: string;
  outputSize: number;
  /** sha256 hex of the canonical settings JSON (see settingsHash). */
  settingsHash: string;
  /** The settings themselves, for people reading the journal. */
  settings: BatchSettingsKey;
  /** ISO time the output was written. */
  finished: string;
  /** Seconds spent on the file (read, inference, write). */
  seconds: number;
}

/** Everything that changes the bytes of an output. */
export interface BatchSettingsKey {
  task: 'denoise' | 'inpaint';
  model: string;
  /** The model card's creation time and a hash of its weights + topology: a retrained model with the same id differs. */
  modelCreated: string;
  modelHash: string;
  /** Denoise only: requested sigma ('auto' is deterministic given the input hash). */
  sigma?: number | 'auto';
  /** Denoise only: Amount (0-100) when set, Detail when above 0. */
  amount?: number;
  detail?: number;
  strength?: number;
  /** Denoise only, when above 1: network passes averaged. */
  passes?: number;
  /** Inpaint only: sha256 of the mask file used for this input. */
  maskHash?: string;
  format: string;
  quality: number | null;
  depth: number | null;
  keepMetadata: boolean;
  tile: number;
  /** Bumped when the engine's output for the same settings changes. */
  engine: number;
}

/** Stable JSON (sorted keys) so equal settings always hash equal. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function settingsHash(s: BatchSettingsKey): string {
  return createHash('sha256').update(canonicalJson(s)).digest('hex');
}

/** sha256 hex of a file, streamed. */
export function hashFile(file: string): Promise<{ hash: string; size: number }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    let size = 0;
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => {
        size += chunk.length;
        h.update(chunk);
      })
      .on('error', reject)
      .on('end', () => resolve({ hash: h.digest('hex'), size }));
  });
}

/** Parses journal text: bad or cut lines are ignored; for each output the last entry wins. */
export function parseJournal(text: string): JournalEntry[] {
  const byOutput = new Map<string, JournalEntry>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let e: JournalEntry;
    try {
      e = JSON.parse(line) as JournalEntry;
    } catch {
      continue;
    }
    if (!e || e.v !== JOURNAL_VERSION || typeof e.output !== 'string' || typeof e.inputHash !== 'string' || typeof e.settingsHash !== 'string') continue;
    byOutput.delete(e.output); // keep insertion order = last write order
    byOutput.set(e.output, e);
  }
  return [...byOutput.values()];
}

export class Journal {
  private fh: FileHandle | undefined;
  private needsNewline = false;
  private chain: Promise<void> = Promise.resolve();
  readonly byOutput = new Map<string, JournalEntry>();
  readonly byInput = new Map<string, JournalEntry>();

  private constructor(readonly file: string) {}

  private text = '';
  private entryCount = 0;

  /** Reads the journal in `outDir`, if any (nothing is created yet). */
  static async load(outDir: string): Promise<Journal> {
    const j = new Journal(path.join(outDir, JOURNAL_NAME));
    try {
      j.text = await readFile(j.file, 'utf8');
    } catch {
      // first run
    }
    const entries = parseJournal(j.text);
    j.entryCount = entries.length;
    for (const e of entries) {
      j.byOutput.set(e.output, e);
      j.byInput.set(e.input, e);
    }
    return j;
  }

  /** Opens the journal for appending (OUTDIR must exist); first compacts it when it is mostly stale lines. */
  async begin(): Promise<void> {
    const lines = this.text.split('\n').filter((l) => l.trim() !== '').length;
    if (lines > 2 * this.entryCount + 50) {
      const entries = parseJournal(this.text);
      await writeFileAtomic(this.file, Buffer.from(entries.map((e) => JSON.stringify(e) + '\n').join('')));
      this.text = entries.length > 0 ? 'x\n' : '';
    }
    this.needsNewline = this.text.length > 0 && !this.text.endsWith('\n');
    this.text = '';
    this.fh = await open(this.file, 'a');
  }

  /** The entry that makes `outputRel` finished for this input and settings, if any (output size checked by the caller). */
  match(outputRel: string, inputHash: string, settings: string): JournalEntry | undefined {
    const e = this.byOutput.get(outputRel);
    return e && e.inputHash === inputHash && e.settingsHash === settings ? e : undefined;
  }

  /** Appends one entry and syncs it to disk; appends are serialized. */
  append(e: JournalEntry): Promise<void> {
    const line = (this.needsNewline ? '\n' : '') + JSON.stringify(e) + '\n';
    this.needsNewline = false;
    this.byOutput.set(e.output, e);
    this.byInput.set(e.input, e);
    const run = async (): Promise<void> => {
      if (!this.fh) throw new Error('journal closed');
      try {
        await this.fh.appendFile(line);
        await this.fh.datasync();
      } catch (e) {
        // A full disk can leave part of the line: the next entry starts on a line of its own.
        this.needsNewline = true;
        throw unwritableError(this.file, e);
      }
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
    this.fh = undefined;
  }
}
