/** Picking a model for a photo: the models for a task and channel count, and the one to preselect. */
import type { ModelSummary } from '../../api';

/**
 * The models that can do `task` on an image of `channels`: those of its channel count, and for
 * colour images also the grey denoisers (they denoise the luminance; the engine guides the
 * colour by it).
 */
export function modelsFor(all: ModelSummary[], task: ModelSummary['task'], channels: number): ModelSummary[] {
  return all.filter((m) => m.task === task && (m.channels === channels || (task === 'denoise' && channels === 3 && m.channels === 1)));
}

/** The remembered choice if it fits, else the registry default for images of `channels`, else the first. */
export function pickModel(list: ModelSummary[], remembered: string, channels: number): ModelSummary | undefined {
  return list.find((m) => m.id === remembered) ?? list.find((m) => m.defaultFor.includes(channels)) ?? list[0];
}
