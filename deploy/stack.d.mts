// Types of stack.mjs for the e2e tests (TypeScript).
export declare const deployDir: string;
export declare const DEFAULT_TOPOLOGY: 'single' | 'cluster';
export declare function topology(env?: NodeJS.ProcessEnv): 'single' | 'cluster';
export declare function composeFile(t?: 'single' | 'cluster'): string;
export declare const PROJECT: string;
export declare const PORTS: Array<{ name: string; variable: string; fallback: number; protocols: Array<'tcp' | 'udp'> }>;
export declare function hostPorts(env?: NodeJS.ProcessEnv): { lb: number; http: number; dns: number };
export declare function composeCommand(): string[] | undefined;
