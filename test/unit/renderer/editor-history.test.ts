import { describe, expect, it } from 'vitest';
import { UndoStack, applyPatch, createMaskHistory, makePatch, patchBytes } from '../../../src-renderer/lib/canvas/history.js';
import { createMask, fullRect, stampBrush, invertMask } from '../../../src-renderer/lib/canvas/mask.js';

describe('UndoStack', () => {
  it('undo and redo walk the steps in order; a new push drops the redo side', () => {
    const s = new UndoStack<number>(10);
    s.push(1); s.push(2); s.push(3);
    expect(s.undo()).toBe(3);
    expect(s.undo()).toBe(2);
    expect(s.redo()).toBe(2);
    expect(s.canRedo).toBe(true);
    s.push(4);
    expect(s.canRedo).toBe(false);
    expect(s.undo()).toBe(4);
    expect(s.undo()).toBe(2);
    expect(s.undo()).toBe(1);
    expect(s.undo()).toBeUndefined();
    expect(s.canUndo).toBe(false);
  });

  it('is capped by count, dropping the oldest', () => {
    const s = new UndoStack<number>(3);
    for (let i = 1; i <= 5; i++) s.push(i);
    expect(s.size).toBe(3);
    expect([s.undo(), s.undo(), s.undo(), s.undo()]).toEqual([5, 4, 3, undefined]);
  });

  it('is capped by memory but always keeps the newest step', () => {
    const s = new UndoStack<number>(100, 10, (n) => n);
    s.push(4); s.push(4); s.push(4);
    expect(s.size).toBe(2);
    expect(s.memory).toBe(8);
    s.push(50);
    expect(s.size).toBe(1);
    expect(s.undo()).toBe(50);
  });
});

describe('mask history', () => {
  it('undo restores the exact previous mask and redo the exact next one', () => {
    const m = createMask(64, 48);
    const h = createMaskHistory();
    const states: Uint8Array[] = [m.data.slice()];
    const strokes = [[10, 10, 5], [30, 20, 8], [60, 45, 12], [12, 12, 3]] as const;
    for (const [x, y, r] of strokes) {
      const before = m.data.slice();
      const rect = stampBrush(m, x, y, r, 0.4, 'paint')!;
      h.push(makePatch(before, m, rect));
      states.push(m.data.slice());
    }
    // an erase stroke
    const before = m.data.slice();
    const rect = stampBrush(m, 30, 20, 6, 0, 'erase')!;
    h.push(makePatch(before, m, rect));
    states.push(m.data.slice());

    for (let i = states.length - 2; i >= 0; i--) {
      applyPatch(m, h.undo()!, 'before');
      expect(m.data).toEqual(states[i]);
    }
    for (let i = 1; i < states.length; i++) {
      applyPatch(m, h.redo()!, 'after');
      expect(m.data).toEqual(states[i]);
    }
  });

  it('a whole-mask edit (invert) is one step', () => {
    const m = createMask(20, 20);
    stampBrush(m, 5, 5, 4, 0, 'paint');
    const before = m.data.slice();
    const inv = invertMask(m);
    m.data.set(inv.data);
    const p = makePatch(before, m, fullRect(m));
    expect(patchBytes(p)).toBe(800);
    applyPatch(m, p, 'before');
    expect(m.data).toEqual(before);
  });
});
