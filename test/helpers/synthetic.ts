// Deterministic photo-like test images (see src-main/core/lab/scenes.ts, where they live so the
// autoencoder lab can train on them too).
export { naturalImage } from '../../src-main/core/lab/scenes.js';
