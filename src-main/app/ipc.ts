/**
 * Registers one ipcMain.handle per channel of ipc-contract.ts, each going through dispatch.ts
 * (sender check, payload validation, handler, reply envelope). No ipcMain.on listeners: the
 * window has nothing to fire and forget.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Handlers } from './desktop-host.js';
import { dispatch } from './dispatch.js';
import { INVOKE_CHANNELS } from './ipc-contract.js';
import type { SenderInfo } from './security.js';

function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return { frameUrl: frame?.url, isMainFrame: !!frame && !frame.parent, webContentsId: event.sender.id };
}

export function registerIpc(handlers: Handlers, appWebContents: ReadonlySet<number>): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => dispatch(channel, senderInfo(event), payload, { handlers, appWebContents }));
  }
}
