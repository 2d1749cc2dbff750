// Loads noVNC's RFB class on demand: scripts/build-console.sh bundles @novnc/novnc into
// /novnc.js next to the console's index.html, so only the Desktop tab pays for it.
export function loadRfb(url) {
  return import(url).then((m) => m.default);
}
