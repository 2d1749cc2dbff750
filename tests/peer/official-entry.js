// @daytonaio/sdk as a browser app would bundle it (see scripts/bench-peer.sh), and the Buffer
// polyfill it needs there (already in the bundle), which its file calls take and return.
export { Daytona } from '@daytonaio/sdk';
export { Buffer } from 'buffer';
