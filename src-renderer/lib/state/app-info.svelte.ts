/**
 * What the app is running on (version, web or desktop, backend, allowed server folders),
 * fetched once and shared by the pages that need it.
 */
import { api, type AppInfo } from '../api';
import { errorMessage } from './toasts.svelte';

export const appInfo = $state<{ info?: AppInfo; error: string }>({ error: '' });

let loading: Promise<AppInfo | undefined> | undefined;

export function loadAppInfo(): Promise<AppInfo | undefined> {
  loading ??= api.info().then(
    (info) => {
      appInfo.info = info;
      appInfo.error = '';
      return info;
    },
    (e: unknown) => {
      appInfo.error = errorMessage(e);
      loading = undefined;
      return undefined;
    },
  );
  return loading;
}
