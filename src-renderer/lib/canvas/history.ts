/**
 * Undo/redo. A generic capped stack, and the mask edit it stores: only the rectangle an edit
 * changed, before and after, so a long session of brush strokes on a 24 MP mask costs the
 * strokes' area rather than a full copy of the mask per step.
 */
import { readRect, writeRect, type Mask, type Rect } from './mask.js';

export class UndoStack<T> {
  private done: T[] = [];
  private undone: T[] = [];
  private bytes = 0;

  /**
   * @param maxItems most steps kept
   * @param maxBytes most memory kept (oldest steps are dropped first; the newest always stays)
   * @param sizeOf memory one step holds
   */
  constructor(
    private readonly maxItems = 50,
    private readonly maxBytes = Infinity,
    private readonly sizeOf: (item: T) => number = () => 0,
  ) {}

  /** Records a new step; anything undone before it can no longer be redone. */
  push(item: T): void {
    for (const u of this.undone) this.bytes -= this.sizeOf(u);
    this.undone = [];
    this.done.push(item);
    this.bytes += this.sizeOf(item);
    while (this.done.length > 1 && (this.done.length > this.maxItems || this.bytes > this.maxBytes)) {
      this.bytes -= this.sizeOf(this.done.shift()!);
    }
  }

  /** The step to revert, moved to the redo side; undefined when there is none. */
  undo(): T | undefined {
    const item = this.done.pop();
    if (item !== undefined) this.undone.push(item);
    return item;
  }

  /** The step to re-apply, moved back to the undo side. */
  redo(): T | undefined {
    const item = this.undone.pop();
    if (item !== undefined) this.done.push(item);
    return item;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  get size(): number {
    return this.done.length;
  }
  get memory(): number {
    return this.bytes;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.bytes = 0;
  }
}

/** One mask edit: the rectangle it touched, as it was and as it became. */
export interface MaskPatch {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

/** A patch from a copy of the mask taken before the edit and the mask after it. */
export function makePatch(before: Uint8Array, after: Mask, rect: Rect): MaskPatch {
  const old: Mask = { width: after.width, height: after.height, data: before };
  return { rect, before: readRect(old, rect), after: readRect(after, rect) };
}

/** Puts the patch's `which` side back into the mask. */
export function applyPatch(m: Mask, p: MaskPatch, which: 'before' | 'after'): void {
  writeRect(m, p.rect, which === 'before' ? p.before : p.after);
}

export function patchBytes(p: MaskPatch): number {
  return p.before.byteLength + p.after.byteLength;
}

/** Mask history: 60 steps or 256 MB, whichever comes first. */
export function createMaskHistory(): UndoStack<MaskPatch> {
  return new UndoStack<MaskPatch>(60, 256 * 1024 * 1024, patchBytes);
}
