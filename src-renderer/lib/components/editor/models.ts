/** Picking a model for a photo: the line under the picker, and the one to preselect. The list itself is modelsForTask (state/model-card.ts). */
import type { ModelSummary } from '../../api';
import { throughGreyCopy, throughLuminance } from '../../state/model-card';

/**
 * The line under the model picker: how the model treats this photo (`raw`: a camera RAW photo),
 * then its description, in plain words. Benchmark scores are for the Models page's Details, not for choosing here.
 */
export function modelLine(model: ModelSummary, channels: number, raw = false): string {
  // A camera RAW photo is denoised in its mosaic (engine/raw-images.ts): only grey models are offered.
  const route = raw ? 'RAW: denoised before demosaicing, a grey model on each colour plane. '
    : throughLuminance(model, channels) ? 'On this colour photo: brightness through the network, colour cleaned along its edges. '
    : throughGreyCopy(model, channels) ? 'On this grey photo: the colour model fills it as grey RGB; the result stays grey. ' : '';
  return route + model.description;
}

/** The remembered choice if it fits, else the registry default for images of `channels`, else the first. */
export function pickModel(list: ModelSummary[], remembered: string, channels: number): ModelSummary | undefined {
  return list.find((m) => m.id === remembered) ?? list.find((m) => m.defaultFor.includes(channels)) ?? list[0];
}
