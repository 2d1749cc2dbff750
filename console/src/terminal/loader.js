// Loads xterm.js, its fit addon and its stylesheet on demand: scripts/build-console.sh bundles
// the two modules into /xterm.js next to the console's index.html, so only the Terminal tab
// pays for them. Loaded once; every terminal after the first gets them at once.
let loading;
export function loadXterm() {
  if (!loading) {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/xterm.css';
    // xterm measures its cells when it opens: the stylesheet must be there first.
    const styled = new Promise((resolve) => {
      css.onload = resolve;
      css.onerror = resolve;
    });
    document.head.append(css);
    loading = Promise.all([import('/xterm.js'), styled]).then(([m]) => m);
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
