// Runs a module the way Electron's utilityProcess runs it: with process.parentPort (messages as
// {data}), not with a fork() channel, so the engine (src-main/engine/main.ts) takes the same
// transport it takes in the desktop app. Started by test/helpers/utility-process.ts.
import { pathToFileURL } from 'node:url';

const send = process.send.bind(process);
process.parentPort = {
  on(event, handler) {
    if (event === 'message') process.on('message', (data) => handler({ data, ports: [] }));
  },
  postMessage(message) {
    if (process.connected) send(message, undefined, undefined, () => undefined);
  },
};
// Electron ends a utility process with its parent; here the parent is the test.
process.on('disconnect', () => process.exit(0));
await import(pathToFileURL(process.env.MEND_UTILITY_ENTRY).href);
