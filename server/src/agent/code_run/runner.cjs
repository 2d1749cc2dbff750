// daytona-local code-run runner: `node runner.cjs CODE_FILE [ARGS...]`.
//
// Runs CODE_FILE (JavaScript, or TypeScript when it ends in `.ts`) as a CommonJS module that
// lives in the working directory, as `node -e` code does: `require` resolves from there.
// `process.argv` is `[node, CODE_FILE, ...ARGS]`. TypeScript is transpiled (no type check)
// with the `typescript` package of the working directory or of a global npm root.
'use strict';

const fs = require('fs');
const path = require('path');
const Module = require('module');

function loadTypeScript() {
  const candidates = [
    process.cwd(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules'),
    '/usr/local/lib/node_modules',
  ];
  for (const dir of candidates) {
    try {
      return require(require.resolve('typescript', { paths: [dir] }));
    } catch (_) {
      // try the next place
    }
  }
  process.stderr.write('TypeScript is not installed (npm install -g typescript@5)\n');
  process.exit(1);
}

function transpile(source, file) {
  const ts = loadTypeScript();
  const out = ts.transpileModule(source, {
    fileName: path.basename(file),
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  const errors = (out.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
    process.stderr.write(ts.formatDiagnostics(errors, host));
    process.exit(1);
  }
  return out.outputText;
}

const [file, ...args] = process.argv.slice(2);
let source = fs.readFileSync(file, 'utf8');
if (file.endsWith('.ts')) {
  source = transpile(source, file);
}
const filename = path.join(process.cwd(), '[code]');
process.argv = [process.argv[0], file, ...args];
const main = new Module(filename, null);
main.filename = filename;
main.paths = Module._nodeModulePaths(process.cwd());
process.mainModule = main;
main._compile(source, filename);
