// The absolute path of the built UI (vite build -> dist/), for an agent to serve at /ui/.
import { fileURLToPath } from 'node:url';

export const uiDir = fileURLToPath(new URL('./dist', import.meta.url));
