/** Absolute path of the built web UI directory (`dist/`, holding index.html and assets/). */
export declare const uiDir: string;
