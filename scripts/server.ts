/**
 * Tooling for tests that run the built server as a real process: start it
 * on a free port, wait for it, stop it (politely or not), and poll.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// npm scripts and vitest run from the project root; entry points are relative to it.
const ROOT = process.cwd();

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running server process. */
export interface RunningServer {
  readonly origin: string;
  /** The spawned process's id: the server itself, or taskset when pinned (which then execs the server in place). */
  readonly pid: number;
  readonly output: () => string;
  /** Sends the signal (SIGTERM unless told otherwise) and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Starts an entry point built by `npm run build` (`dist/sightline.js` unless told) on a free port. */
export function startServer(databaseUrl: string, entry = 'dist/sightline.js', env: Record<string, string> = {}): Promise<RunningServer> {
  return startProcess(['--enable-source-maps', entry], { ...env, DATABASE_URL: databaseUrl });
}

/**
 * Starts Node with `args` on a free port (in PORT, and for `{port}` in the
 * args), pinned to one core when `core` is given, and waits until it says
 * it is listening.
 */
export async function startProcess(args: string[], env: Record<string, string>, core?: number): Promise<RunningServer> {
  const port = await freePort();
  const node = [process.execPath, ...args.map((arg) => arg.replace('{port}', String(port)))];
  const [command = '', ...rest] = core === undefined ? node : ['/usr/bin/taskset', '-c', String(core), ...node];
  const child = spawn(command, rest, {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await waitFor(
    () => output.includes('listening'),
    20_000,
    () => `server did not start:\n${output}`,
    child,
  );
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `check` until it is true or `ms` pass. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms: number,
  describe: () => string,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline || child?.exitCode != null) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A TCP port that was free a moment ago, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
