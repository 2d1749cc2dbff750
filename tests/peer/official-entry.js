// @daytonaio/sdk as a browser app would bundle it (see scripts/bench-peer.sh).
export { Daytona } from '@daytonaio/sdk';
