/**
 * Choosing a folder, the same way on every page that takes one (Batch, Train, the Lab panels).
 * The desktop app asks through the native dialog, for any folder; a browser can only reach the
 * folders the server allows (`mend serve --root`), so the page shows FolderDialog over those.
 * A page keeps one FolderChoice, says where a chosen folder goes, and wires FolderDialog to it.
 */
import { appInfo } from './app-info.svelte';
import { chooseNativeFolder, desktop } from './desktop.svelte';

/** What the folder is for: the native dialog's title and remembered place depend on it. */
export type FolderPurpose = 'input' | 'output' | 'train';

export class FolderChoice<P extends FolderPurpose = FolderPurpose> {
  /** The server's --root folders: where the browser's FolderDialog may walk. */
  roots = $derived(appInfo.info?.roots ?? []);
  /** Whether a folder can be chosen at all. */
  usable = $derived(!!desktop || this.roots.length > 0);
  /** Tooltip for a folder option that is off: how to turn it on. */
  hint = $derived(this.usable ? '' : 'Start mend serve with --root DIR to use a folder');
  /** The server has answered, and allows no folder; before it answers, a folder source may stay chosen. */
  unavailable = $derived(!!appInfo.info && !this.usable);
  /** What the browser's FolderDialog is open for; undefined while it is closed. */
  asking = $state<P | undefined>(undefined);

  readonly #put: (path: string, purpose: P) => void;

  /** `put` stores a chosen folder; it is not called when the user cancels. */
  constructor(put: (path: string, purpose: P) => void) {
    this.#put = put;
  }

  get open(): boolean {
    return this.asking !== undefined;
  }

  /** Asks for a folder for `purpose`: the native dialog now, or the server folder dialog opens. */
  async ask(purpose: P): Promise<void> {
    if (!desktop) {
      this.asking = purpose;
      return;
    }
    const path = await chooseNativeFolder(purpose);
    if (path) this.#put(path, purpose);
  }

  // Arrow fields, so they can be handed to FolderDialog's onpick and onclose as they are.
  pick = (path: string): void => {
    if (this.asking !== undefined) this.#put(path, this.asking);
    this.asking = undefined;
  };

  close = (): void => {
    this.asking = undefined;
  };
}
