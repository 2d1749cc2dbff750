// The code editor's JavaScript side: CodeMirror 6 with its languages, its LSP client and its
// merge view, composed into the few calls console/src/code/mod.rs binds. scripts/build-console.sh
// bundles this file into /cm/codemirror.js; loader.js imports it when the first editor opens.
import { basicSetup, EditorView } from 'codemirror';
import { EditorState, Compartment } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { LSPClient, LSPPlugin, languageServerExtensions } from '@codemirror/lsp-client';
import DOMPurify from 'dompurify';

// Languages (and the merge view) are chunks of their own, loaded when a file needs them.
const py = () => import('@codemirror/lang-python').then((m) => m.python());
const js = (o) => () => import('@codemirror/lang-javascript').then((m) => m.javascript(o));
const md = () => import('@codemirror/lang-markdown').then((m) => m.markdown());
const web = () => import('@codemirror/lang-html').then((m) => m.html());
const yml = () => import('@codemirror/lang-yaml').then((m) => m.yaml());

/** Language support by file extension (console/src/code/mod.rs picks the LSP language). */
const LANGUAGES = {
  py: py,
  pyi: py,
  ts: js({ typescript: true }),
  mts: js({ typescript: true }),
  cts: js({ typescript: true }),
  tsx: js({ typescript: true, jsx: true }),
  js: js({}),
  mjs: js({}),
  cjs: js({}),
  jsx: js({ jsx: true }),
  json: () => import('@codemirror/lang-json').then((m) => m.json()),
  md: md,
  markdown: md,
  rs: () => import('@codemirror/lang-rust').then((m) => m.rust()),
  html: web,
  htm: web,
  css: () => import('@codemirror/lang-css').then((m) => m.css()),
  yaml: yml,
  yml: yml,
  go: () => import('@codemirror/lang-go').then((m) => m.go()),
};

/** The CodeMirror language support for `path` (none for unknown kinds, or if it cannot load). */
async function language(path) {
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
  const load = LANGUAGES[ext];
  return load ? load().catch(() => []) : [];
}

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: '#f9fafb', borderRight: '1px solid #e3e6eb', color: '#9ca3af' },
  '&.cm-focused': { outline: 'none' },
});

/**
 * An editor of `opts.doc` (file `opts.path`) in `parent`. `opts.onDirty(bool)` hears when the
 * text starts or stops differing from the saved text, `opts.onChange()` every edit, and
 * `opts.onSave()` Ctrl/Cmd+S. With `opts.lsp` (from `connectLsp`) the file is opened in
 * that language server as `opts.uri` with language `opts.languageId`.
 */
export async function openEditor(parent, opts) {
  const lang = await language(opts.path);
  // A file with Windows line ends keeps them (CodeMirror would write \n otherwise).
  const lineEnds = EditorState.lineSeparator.of(opts.doc.includes('\r\n') ? '\r\n' : '\n');
  const textOf = (doc) => EditorState.create({ doc, extensions: lineEnds }).doc;
  let saved = textOf(opts.doc);
  let dirty = false;
  const readOnly = new Compartment();
  const extensions = [
    basicSetup,
    lineEnds,
    keymap.of([
      { key: 'Mod-s', preventDefault: true, run: () => (opts.onSave(), true) },
      indentWithTab,
    ]),
    lang,
    theme,
    readOnly.of(EditorState.readOnly.of(false)),
    EditorView.updateListener.of((u) => {
      if (!u.docChanged) return;
      opts.onChange();
      const now = !u.state.doc.eq(saved);
      if (now !== dirty) opts.onDirty((dirty = now));
    }),
  ];
  if (opts.lsp) extensions.push(opts.lsp.client.plugin(opts.uri, opts.languageId));
  const view = new EditorView({ doc: opts.doc, extensions, parent });
  return {
    view,
    text: () => view.state.sliceDoc(),
    /** Marks `text` (what was written) as saved. */
    saved(text) {
      saved = textOf(text);
      const now = !view.state.doc.eq(saved);
      if (now !== dirty) opts.onDirty((dirty = now));
    },
    /** Replaces the whole text (a reload from disk) and marks it saved. */
    replace(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      this.saved(text);
    },
    /** Moves the cursor to `line` (1-based) and `column` (1-based), centred. */
    goto(line, column) {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(1, line), doc.lines));
      const pos = Math.min(l.from + Math.max(0, column - 1), l.to);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      view.focus();
    },
    setReadOnly(on) {
      view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(on)) });
    },
    focus: () => view.focus(),
    /** After the editor's element was moved in the page. */
    remeasure: () => view.requestMeasure(),
    /** The document's symbols as a flat outline: `{name, kind, line, depth}`. */
    async symbols() {
      const plugin = LSPPlugin.get(view);
      if (!plugin) return [];
      plugin.client.sync();
      const found = await plugin.client.request('textDocument/documentSymbol', { textDocument: { uri: opts.uri } });
      const flat = [];
      const walk = (list, depth) => {
        for (const s of list ?? []) {
          const range = s.selectionRange ?? s.range ?? s.location?.range;
          flat.push({ name: s.name, kind: s.kind, line: (range?.start?.line ?? 0) + 1, depth });
          walk(s.children, depth + 1);
        }
      };
      walk(found, 0);
      return flat;
    },
    destroy: () => view.destroy(),
  };
}

/**
 * An LSP client over a JSON-RPC connection: `send(message)` sends one message; the returned
 * `receive(message)` must be called with each message from the server. `rootUri` is the
 * project; `displayFile(uri)` opens another file for a jump to it (a promise of its editor's
 * view or null). Documentation from the server is sanitised before it is shown: a sandbox's
 * language server is not trusted.
 */
export function connectLsp(send, rootUri, displayFile) {
  const handlers = new Set();
  const client = new LSPClient({
    rootUri,
    timeout: 15000,
    // Text, code and links only: no styles, forms, images or media a hostile server could use
    // to restyle the page, fake a prompt or track the reader.
    sanitizeHTML: (dirty) =>
      DOMPurify.sanitize(dirty, {
        FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'button', 'img', 'svg', 'math', 'video', 'audio', 'iframe'],
        FORBID_ATTR: ['style', 'class', 'id'],
      }),
    extensions: languageServerExtensions(),
  });
  // A jump into a file (open or not) goes through the console, which shows its tab first.
  client.workspace.displayFile = async (uri) => (await displayFile(uri)) ?? null;
  client.connect({
    send,
    subscribe: (h) => handlers.add(h),
    unsubscribe: (h) => handlers.delete(h),
  });
  return {
    client,
    receive(message) {
      for (const h of handlers) h(message);
    },
    close: () => client.disconnect(),
  };
}

/**
 * A diff of `original` against `modified` (file `path`, for its highlighting) in `parent`,
 * side by side or inline; read-only.
 */
export async function openDiff(parent, original, modified, path, sideBySide) {
  const [lang, { MergeView, unifiedMergeView }] = await Promise.all([language(path), import('@codemirror/merge')]);
  const common = [basicSetup, lang, theme, EditorState.readOnly.of(true), EditorView.editable.of(false)];
  if (sideBySide) {
    const merge = new MergeView({
      a: { doc: original, extensions: common },
      b: { doc: modified, extensions: common },
      parent,
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
    return { destroy: () => merge.destroy() };
  }
  const view = new EditorView({
    doc: modified,
    extensions: [
      ...common,
      unifiedMergeView({ original, mergeControls: false, collapseUnchanged: { margin: 3, minSize: 6 } }),
    ],
    parent,
  });
  return { destroy: () => view.destroy() };
}
