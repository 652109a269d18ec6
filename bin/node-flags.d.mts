/** The V8 flags a zerotouch server runs with (see node-flags.mjs). */
export declare function serverNodeFlags(env?: NodeJS.ProcessEnv): string[];
/** The V8 flags `zerotouch audit` runs with (see node-flags.mjs). */
export declare function auditNodeFlags(): string[];
