// Loads a module bundled next to the console's index.html (scripts/build-console.sh), with its
// stylesheet, on first use: pages that never need it never download it. Once per module; a
// failed load is tried again by the next caller.
const loading = new Map();
export function loadStyled(module, css) {
  if (!loading.has(module)) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = css;
    // Both xterm (measuring its cells on open) and KaTeX (its fonts) need the stylesheet first.
    const styled = new Promise((resolve) => {
      link.onload = resolve;
      link.onerror = resolve;
    });
    document.head.append(link);
    const loaded = Promise.all([import(module), styled]).then(([m]) => m);
    loaded.catch(() => loading.delete(module));
    loading.set(module, loaded);
  }
  return loading.get(module);
}
