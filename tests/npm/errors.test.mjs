// The JS error classes against the Rust list they mirror: every `ErrorKind` of the SDK
// (sdk-wasm/src/error.rs) has a class exported by sdk-wasm/js/errors.js, declared in
// pkg/errors.d.ts, and reachable by name from Rust (createDaytonaError), so no kind added on
// one side can be forgotten on another.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT } from '../support/daytona-local.js';

const read = (path) => readFileSync(join(ROOT, path), 'utf8');

test('every Rust error kind has its JS class, declaration and lookup', async () => {
  const rust = [...read('sdk-wasm/src/error.rs').matchAll(/Self::\w+ => "(Daytona\w*Error)"/g)].map((m) => m[1]);
  assert.ok(rust.length >= 16, `error kinds found in error.rs: ${rust}`);
  const declared = new Set([...read('pkg/errors.d.ts').matchAll(/export declare class (\w+)/g)].map((m) => m[1]));
  const errors = await import(join(ROOT, 'sdk-wasm/js/errors.js'));
  for (const name of rust) {
    assert.equal(typeof errors[name], 'function', `${name} is exported by errors.js`);
    assert.ok(declared.has(name), `${name} is declared in pkg/errors.d.ts`);
    const made = errors.createDaytonaError(name, 'm', 418, 'CODE', 'DAYTONA_API');
    assert.ok(made instanceof errors[name], `createDaytonaError('${name}') makes a ${name}`);
    assert.ok(made instanceof errors.DaytonaError && made instanceof Error);
    assert.deepEqual([made.name, made.message, made.statusCode, made.code, made.source], [name, 'm', 418, 'CODE', 'DAYTONA_API']);
  }
  // The daemon's git codes pick classes of their own, whatever the status made of them, each a
  // subclass of its status's class (GIT_AUTH_FAILED → DaytonaGitAuthFailedError, a 401).
  const gitCodes = [...read('models/src/git.rs').matchAll(/=> "(GIT_\w+)"/g)].map((m) => m[1]);
  assert.equal(gitCodes.length, 9, `git codes in models/src/git.rs: ${gitCodes}`);
  const gitClasses = gitCodes.map((c) => `DaytonaGit${c.slice(4).toLowerCase().replace(/(^|_)(\w)/g, (_, __, l) => l.toUpperCase())}Error`);
  for (const [i, code] of gitCodes.entries()) {
    const made = errors.createDaytonaError('DaytonaError', 'm', 409, code, 'DAYTONA_DAEMON');
    assert.equal(made.name, gitClasses[i], code);
    assert.ok(made instanceof errors[gitClasses[i]] && made instanceof errors.DaytonaError && declared.has(gitClasses[i]));
    assert.notEqual(Object.getPrototypeOf(errors[gitClasses[i]]), errors.DaytonaError, `${gitClasses[i]} extends its status's class`);
  }
  // And nothing exported or declared that Rust never makes (but the validation base class).
  const exported = Object.keys(errors).filter((k) => /^Daytona\w*Error$/.test(k));
  const extra = exported.filter((k) => !rust.includes(k) && !gitClasses.includes(k) && k !== 'DaytonaValidationError');
  assert.deepEqual(extra, [], 'JS error classes no Rust kind maps to');
  assert.deepEqual([...declared].sort(), [...exported].sort(), 'errors.d.ts declares exactly what errors.js exports');
});
