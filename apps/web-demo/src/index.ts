export { createWebDemo, serverAddress } from './server.js';
