// wrk, the load generator: installed when missing, run on core 1.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { CONNECTIONS, TASKSET } from './options.js';

export interface Run {
  requests: number;
  non2xx: number;
  /** wrk's socket errors (connect, read, write, timeout) summed: requests that got no answer at all. */
  socketErrors: number;
  perSecond: number;
  p99ms: number;
}

/** Runs wrk on core 1 without blocking this process, which samples and fetches meanwhile. */
export function wrk(url: string, script: string, seconds: number, seed: number): Promise<Run> {
  const args = ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, url, '--', String(seed)];
  return new Promise((resolve, reject) => {
    const child = spawn(TASKSET, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}:\n${out}`));
        return;
      }
      const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
      const value = Number(p99?.[1] ?? Number.NaN);
      resolve({
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
        perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
        p99ms: p99?.[2] === 'us' ? value / 1000 : p99?.[2] === 's' ? value * 1000 : value,
        socketErrors: [...(/Socket errors:(.*)/.exec(out)?.[1] ?? '').matchAll(/\d+/g)].reduce((sum, m) => sum + Number(m[0]), 0),
      });
    });
  });
}

export function ensureWrk(): void {
  if (spawnSync('wrk', ['-v']).error === undefined) return;
  if (process.getuid?.() !== 0) throw new Error('bench:soak needs wrk: apt-get install wrk');
  console.log('bench:soak: installing wrk (apt-get install wrk)');
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
}
