// Running the built `seqwasm` binary as a user would: `node dist/cli/bin.js …` in a child process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory (a temp dir): relative outputs land here, and the download cache is below it. */
  cwd: string;
  /** Written to standard input; otherwise stdin is closed at once, as at the end of a pipeline. */
  input?: string;
  timeout?: number;
}

/**
 * Runs the binary and collects its output. Asynchronous (not spawnSync), so the test process can serve a
 * loopback mirror the child downloads from; a child still running after `timeout` is killed and fails.
 */
export function runCli(args: string[], { cwd, input, timeout = 90_000 }: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // a cache of its own, no mirror from the environment and no colours: nothing outside the test counts
    const env = { ...process.env, NO_COLOR: '1', SEQWASM_CACHE: join(cwd, 'seqwasm-cache'), SEQWASM_MIRROR: '' };
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`seqwasm ${args.join(' ')}: still running after ${timeout} ms\n${stderr}`));
    }, timeout);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
