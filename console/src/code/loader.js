// Loads the code editor (CodeMirror 6, console/src/code/codemirror.js) on demand:
// scripts/build-console.sh bundles it into /cm/ next to the console's index.html (the core,
// and a chunk per language), so only pages with an editor or a diff pay for it. Loaded once.
let loading;
function load() {
  if (!loading) {
    loading = import('/cm/codemirror.js');
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

export async function openEditor(parent, opts) {
  return (await load()).openEditor(parent, opts);
}

export async function connectLsp(send, rootUri, displayFile) {
  return (await load()).connectLsp(send, rootUri, displayFile);
}

export async function openDiff(parent, original, modified, path, sideBySide) {
  return (await load()).openDiff(parent, original, modified, path, sideBySide);
}
