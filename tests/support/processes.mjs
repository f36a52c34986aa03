// Starting and stopping the built servers, for the end-to-end stack and the benchmarks. Plain JavaScript so the
// .mjs benchmarks can import it unbuilt.
import { spawn } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Starts a built script of this repository with Node and resolves once its output matches `pattern`.
 * @param {string} script
 * @param {NodeJS.ProcessEnv} env
 * @param {string} pattern
 * @returns {Promise<{ child: import('node:child_process').ChildProcess; match: RegExpExecArray }>}
 */
export function startProcessUntil(script, env, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      output += chunk.toString();
      const match = new RegExp(pattern).exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready:\n${output}`)));
  });
}

/**
 * Starts a built server and resolves with the first URL it prints after `marker`.
 * @param {string} script
 * @param {NodeJS.ProcessEnv} env
 * @param {string} marker
 * @returns {Promise<{ child: import('node:child_process').ChildProcess; url: string }>}
 */
export async function startProcess(script, env, marker) {
  const { child, match } = await startProcessUntil(script, env, `${marker} (http://[^\\s/]+)`);
  return { child, url: /** @type {string} */ (match[1]) };
}

/**
 * Stops the processes one after the other, each waited for (so their files can be removed afterwards).
 * @param {import('node:child_process').ChildProcess[]} children
 */
export async function stopProcesses(children) {
  for (const child of children) {
    child.removeAllListeners('exit');
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
