// The built API and worker (dist/main.js, dist/worker.js) as child processes, for tests that need a real process:
// one that can be signalled, killed and restarted, and whose exit a test can see.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../../../../', import.meta.url).pathname;
export const MAIN = join(ROOT, 'apps/server/dist/main.js');
export const WORKER = join(ROOT, 'apps/server/dist/worker.js');
export const SHUTDOWN = join(ROOT, 'apps/server/dist/shutdown.js');
/** What `npm run serve` prints once the API listens; the first group is its URL. */
export const API_READY = /API ready at (http:\/\/\S+)/;

export interface StartedProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The match of `ready` in its output. */
  match: RegExpExecArray;
}

const started: ChildProcess[] = [];

/** Starts `node ...args` and resolves once its output matches `ready`; rejects if it exits first. */
export function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<StartedProcess> {
  if (!existsSync(MAIN)) throw new Error('apps/server/dist is missing: run `npx tsc -b` first');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal, at: Date.now() })),
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ child, output: () => output, exited, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) =>
      reject(new Error(`exited with ${code ?? signal} before it was ready:\n${output}`)),
    );
  });
}

/** SIGKILLs every process startProcess started that is still running (for afterEach). */
export function killStartedProcesses(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
