// Types for electron-binary.mjs (imported by the desktop end-to-end test).
export declare const REPO_ROOT: string;
export declare const ELECTRON_PACKAGE: string;
export declare function executableIn(distDir: string, platform?: NodeJS.Platform): string;
export declare function findElectron(env?: NodeJS.ProcessEnv): { path: string; missing?: undefined } | { path?: undefined; missing: string };
export declare function electronVersion(): string | undefined;
