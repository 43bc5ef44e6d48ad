import type { EvalRow, ModelCard } from './card.js';
import { readCard, saveCard } from './store.js';

/** Merges eval rows into a model's card (same set, sigma/masks and passes replaces) and saves it. */
export async function recordEval(dir: string, rows: EvalRow[]): Promise<ModelCard> {
  const card = await readCard(dir);
  const key = (r: EvalRow): string => `${r.set}|${r.sigma ?? ''}|${r.masks ?? ''}|${r.passes ?? 1}`;
  const fresh = new Set(rows.map(key));
  card.eval = [...(card.eval ?? []).filter((r) => !fresh.has(key(r))), ...rows];
  await saveCard(dir, card);
  return card;
}
