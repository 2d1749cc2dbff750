// The fixture apps' one scenario (copied next to each app's entry as src/scenario.js by
// bundlers.test.mjs): what a first app does with the SDK (and a first call of a lazily loaded area), against the daytona-local named in
// the page's fragment (#api=…&key=…); with daytona-wasm/image's `Image` (the fixtures whose
// bundler follows its wasm), an image's Dockerfile too. The outcome lands in window.outcome.
export async function scenario(Daytona, Image) {
  try {
    const hash = new URLSearchParams(location.hash.slice(1));
    const daytona = new Daytona({ apiUrl: hash.get('api'), apiKey: hash.get('key') });
    const run = `bundled-${Date.now()}`;
    const sandbox = await daytona.create({ labels: { suite: 'bundlers', run } });
    const exec = await sandbox.process.executeCommand('echo bundled');
    // An area in a module of its own (the code interpreter's, streams), fetched where the bundler put it.
    const code = await sandbox.codeInterpreter.runCode('print(6 * 7)');
    const listed = [];
    for await (const s of daytona.list({ labels: { run } })) listed.push(s.id);
    await sandbox.delete();
    window.outcome = { state: sandbox.state, result: exec.result, code: code.stdout, listed: listed.length === 1 && listed[0] === sandbox.id };
    if (Image) window.outcome.dockerfile = Image.base('busybox').runCommands('true').dockerfile;
  } catch (e) {
    window.outcome = { error: `${e?.name}: ${e?.message}` };
  }
}
