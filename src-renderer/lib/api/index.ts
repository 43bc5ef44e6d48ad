/**
 * The one module that talks to the engine. In the Electron window the preload provides
 * `window.mend`; in a browser the web bridge talks to `mend serve`. Both implement MendApi.
 */
import type { MendApi } from '../../../src-main/shared/api.js';
import { createWebApi } from './web.js';

declare global {
  interface Window {
    mend?: MendApi;
  }
}

export const api: MendApi = window.mend ?? createWebApi();
export type * from '../../../src-main/shared/api.js';
