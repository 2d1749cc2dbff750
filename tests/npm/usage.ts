// Type-checked (tsc --noEmit) use of the npm package's declarations.
import {
  Daytona,
  DaytonaError,
  DaytonaNotFoundError,
  DaytonaGitAuthFailedError,
  type GitCommitInfo,
  type CompletionList,
  type LspDiagnostic,
  type LspLocation,
  type LspSymbol,
  type GitCommitResponse,
  type GitStatus,
  type ListBranchResponse,
  type AccessibilityNode,
  type AccessibilityTreeResponse,
  type ComputerUseStartResponse,
  type ContextState,
  type CreateSandboxParams,
  type ExecuteResponse,
  type ExecutionError,
  type ExecutionResult,
  type InterpreterContext,
  type ListRecordingsResponse,
  type OutputMessage,
  type RichOutput,
  type FileInfo,
  type Position,
  type Recording,
  type Sandbox,
  type ScreenshotOptions,
  type ScreenshotRegion,
  type ScreenshotResponse,
  type SignedPortPreviewUrl,
  type SandboxState,
  type SshAccessDto,
  type SshAccessValidationDto,
  type SandboxMetrics,
  type NumberedSandboxPage,
  type PaginatedSnapshots,
  type Snapshot,
  type Volume,
  type SystemMetrics,
} from '../../pkg/index.js';
import { Image, readDirectory, type PipInstallOptions } from '../../pkg/image.js';
import { Image as LaterImage, initImage } from '../../pkg/image-init.js';

export async function demo(apiUrl: string, apiKey: string): Promise<number> {
  const daytona = new Daytona({ apiUrl, apiKey });
  await initImage(new URL('/wasm/daytona_image_bg.wasm', apiUrl));
  const same: typeof Image = LaterImage;
  const params: CreateSandboxParams = { name: 'typed', labels: { a: 'b' }, resources: { cpu: 1 } };
  const sandbox: Sandbox = await daytona.create(params, { timeout: 30 });
  const state: SandboxState = sandbox.state;
  const labels: Record<string, string> = sandbox.labels;
  const res: ExecuteResponse = await sandbox.process.executeCommand('echo hi', undefined, { A: '1' }, 5);
  const ssh: SshAccessDto = await sandbox.createSshAccess(30);
  const command: string = ssh.sshCommand;
  const valid: SshAccessValidationDto = await sandbox.validateSshAccess(ssh.token);
  await sandbox.revokeSshAccess(valid.valid ? ssh.token : undefined);
  await sandbox.setPublic(false);
  await sandbox.pause(30);
  await sandbox.start();
  await sandbox.createSnapshot('kept', 30);
  await sandbox.updateEnv({ A: '1' }, { unset: ['B'] });
  await sandbox.waitForResizeComplete(30);
  const forked: Sandbox = await sandbox.fork({ name: 'forked' }, 30);
  await forked.delete();
  await sandbox.updateNetworkSettings({ networkBlockAll: false, networkAllowList: '10.0.0.0/8' });
  const metrics: SystemMetrics = await sandbox.getMetricsLatest();
  const snap: Snapshot = await daytona.snapshot.create({ name: 'typed', image: 'alpine:3', resources: { cpu: 1 } }, { timeout: 60 });
  const pip: PipInstallOptions = { indexUrl: 'https://pypi.example/simple', pre: true };
  const image: Image = Image.debianSlim('3.12')
    .pipInstall(['numpy'], pip)
    .addLocalFile(new File(['x'], 'x.txt'), '/app/')
    .addLocalDir([['a.txt', new Blob(['a'])]], '/data')
    .addLocalDir(await readDirectory(await navigator.storage.getDirectory()), '/opfs')
    .addLocalDir(await navigator.storage.getDirectory(), '/opfs-handle')
    .runCommands('echo hi', ['sh', '-c', 'true'])
    .env({ A: '1' })
    .workdir('/app');
  const dockerfile: string = image.dockerfile;
  const built: Sandbox = await daytona.create(
    { image, labels: { a: 'b' } },
    { onSnapshotCreateLogs: (line: string) => void line, onProgress: (p) => void p.loaded, timeout: 0 },
  );
  const fromName: Sandbox = await daytona.create({ image: 'alpine:3' });
  const builtSnap: Snapshot = await daytona.snapshot.create({ name: 'built', image, entrypoint: ['sleep', 'infinity'] }, { onLogs: (line) => void line });
  void [dockerfile, built, fromName, builtSnap];
  const snaps: PaginatedSnapshots = await daytona.snapshot.list(1, 10);
  await daytona.snapshot.activate(snaps.items[0] ?? snap.name);
  await daytona.snapshot.delete(snap);
  const dispose: () => Promise<void> = () => daytona[Symbol.asyncDispose]();
  daytona.close();
  await dispose();
  const vol: Volume = await daytona.volume.get('data', true);
  const vols: Volume[] = await daytona.volume.list();
  await daytona.volume.delete(vols[0] ?? vol);
  const history: SandboxMetrics[] = await sandbox.getMetrics(new Date(0), '2030-01-01T00:00:00Z');
  const used: number = metrics.cpuUsedPct + metrics.memUsed + command.length + (history[0]?.diskUsed ?? 0);
  void used;
  for await (const s of daytona.list({ labels, states: [state] })) {
    const id: string = s.id;
    void id;
  }
  const numbered: NumberedSandboxPage = await daytona.list({ labels }, 2, 5);
  const onPage: Sandbox[] = numbered.items;
  void (onPage.length + numbered.total + numbered.page + numbered.totalPages);
  try {
    await daytona.get('missing');
  } catch (e) {
    if (e instanceof DaytonaNotFoundError) return e.statusCode ?? 404;
    if (e instanceof DaytonaError) throw e;
  }
  await sandbox.delete();
  return res.exitCode;
}

export async function files(sandbox: Sandbox, signal: AbortSignal): Promise<string> {
  await sandbox.fs.uploadFile(new Uint8Array([104, 105]), 'a.txt', {
    signal,
    onProgress: ({ loaded, total }) => console.log(loaded, total ?? 0),
  });
  const infos: FileInfo[] = await sandbox.fs.listFiles('.');
  const stream: ReadableStream<Uint8Array> = await sandbox.fs.downloadFileStream('a.txt');
  void stream;
  const blob: Blob = await sandbox.fs.downloadFile('a.txt', { timeout: 10 });
  return infos.map((f) => f.name).join(',') + (await blob.text());
}

export async function notebook(sandbox: Sandbox, signal: AbortSignal): Promise<string> {
  const ci = sandbox.codeInterpreter;
  const ctx: InterpreterContext = await ci.createContext('/tmp');
  const result: ExecutionResult = await ci.runCode('1 + 1', {
    context: ctx,
    envs: { A: '1' },
    timeout: 10,
    signal,
    onStdout: (m: OutputMessage) => console.log(m.output),
    onError: (e: ExecutionError) => console.log(e.name, e.value, e.traceback),
    onResult: (r: RichOutput) => console.log(r.png ?? r.html ?? r.text, r.data['text/plain']),
    onInput: async (prompt: string, password: boolean) => (password ? '' : prompt),
  });
  const state: ContextState | undefined = (await ci.getContext(ctx)).state;
  await ci.interruptContext(ctx.id);
  await ci.restartContext();
  await ci.deleteContext(ctx);
  const contexts: InterpreterContext[] = await ci.listContexts();
  return `${result.stdout}${result.error?.name ?? ''}${result.results.length}${state}${contexts.length}`;
}

export async function desktop(sandbox: Sandbox, signal: AbortSignal): Promise<string> {
  const cu = sandbox.computerUse;
  const started: ComputerUseStartResponse = await cu.start();
  const at: Position = await cu.mouse.move(10, 20);
  const scrolled: boolean = await cu.mouse.scroll(at.x, at.y, 'down', 3);
  await cu.mouse.click(1, 2, 'right', false);
  await cu.keyboard.press('c', ['ctrl']);
  const region: ScreenshotRegion = { x: 0, y: 0, width: 10, height: 10 };
  const options: ScreenshotOptions = { format: 'jpeg', quality: 80, scale: 0.5, showCursor: true };
  const shot: ScreenshotResponse = await cu.screenshot.takeCompressedRegion(region, options);
  const rec: Recording = await cu.recording.start('demo');
  const list: ListRecordingsResponse = await cu.recording.list();
  const video: Blob = await cu.recording.download(rec.id, { signal, onProgress: (p) => console.log(p.loaded) });
  const windows = (await cu.display.getWindows()).windows.map((w) => w.title);
  const tree: AccessibilityTreeResponse = await cu.accessibility.getTree({ scope: 'all', maxDepth: 2 });
  const found: AccessibilityNode[] = (await cu.accessibility.findNodes({ role: 'push button', nameMatch: 'exact' })).matches;
  await cu.accessibility.invokeNode(found[0].id, 'click');
  await cu.accessibility.setNodeValue(tree.root.id, 'text');
  return `${started.message}${scrolled}${shot.screenshot.length}${list.recordings.length}${video.size}${windows}${found[0].bounds?.width}`;
}

export async function share(sandbox: Sandbox): Promise<string> {
  const signed: SignedPortPreviewUrl = await sandbox.getSignedPreviewUrl(3000, 3600);
  await sandbox.expireSignedPreviewUrl(signed.port, signed.token);
  return signed.url;
}

export async function sourceControl(sandbox: Sandbox, password: string): Promise<string> {
  const git = sandbox.git;
  try {
    await git.clone('https://example.org/r.git', 'r', 'main', undefined, 'me', password, false, 1);
  } catch (e) {
    if (!(e instanceof DaytonaGitAuthFailedError)) throw e;
  }
  const status: GitStatus = await git.status('r');
  const changed = status.fileStatus.map((f) => `${f.name}:${f.staging}/${f.worktree}${f.extra}`);
  await git.add('r', ['.']);
  const commit: GitCommitResponse = await git.commit('r', 'msg', 'Me', 'me@example.org', true);
  await git.push('r', 'me', password, undefined, 'origin', true);
  const branches: ListBranchResponse = await git.branches('r');
  const log: GitCommitInfo[] = await git.history('r');
  const url: string | undefined = await git.remoteGet('r', 'origin');
  const name: string | undefined = await git.getConfig('user.name', 'local', 'r');
  return `${changed}${commit.sha}${branches.current}${log[0]?.timestamp}${url}${name}${status.ahead ?? 0}`;
}

export async function languageServer(sandbox: Sandbox): Promise<string> {
  const lsp = await sandbox.createLspServer('python', 'proj');
  await lsp.start();
  await lsp.didOpen('/home/daytona/proj/main.py');
  const list: CompletionList = await lsp.completions('/home/daytona/proj/main.py', { line: 1, character: 4 });
  const symbols: LspSymbol[] = await lsp.sandboxSymbols('main');
  const problems: LspDiagnostic[] = await lsp.diagnostics('/home/daytona/proj/main.py');
  const defs: LspLocation[] = await lsp.definition('/home/daytona/proj/main.py', { line: 0, character: 0 });
  await lsp.stop();
  return `${list.items[0]?.label}${symbols.length}${problems[0]?.severity}${defs[0]?.uri}`;
}
