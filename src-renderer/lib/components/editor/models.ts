/** Picking a model for a photo: the models for a task and channel count, and the one to preselect. */
import type { ModelSummary } from '../../api';

export function modelsFor(all: ModelSummary[], task: ModelSummary['task'], channels: number): ModelSummary[] {
  return all.filter((m) => m.task === task && m.channels === channels);
}

/** The remembered choice if it fits, else the registry default, else the first. */
export function pickModel(list: ModelSummary[], remembered: string): ModelSummary | undefined {
  return list.find((m) => m.id === remembered) ?? list.find((m) => m.isDefault) ?? list[0];
}
