/// <reference lib="esnext.disposable" />
export * from './init.js';
