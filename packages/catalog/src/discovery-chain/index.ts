export { compileDiscoveryChain, DiscoveryChainGraphError, isProtocolHttpLike, type CompileRequest, type ConfigEntryView } from './compile.js';
export { relatedServices } from './related.js';
