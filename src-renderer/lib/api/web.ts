import type { MendApi } from '../../../src-main/shared/api.js';
// Placeholder: the web bridge (HTTP + server-sent events to `mend serve`) is written with the server.
export function createWebApi(): MendApi {
  throw new Error('web bridge not written yet');
}
