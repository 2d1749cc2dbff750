// Injected by esbuild wherever the official SDK uses Node's global `Buffer` (what a web
// developer must add to use @daytonaio/sdk in a browser).
export { Buffer } from 'buffer';
