// Starts a real Switchboard process (the built dist/app/main.js) on free ports with
// its own data directory, the way a user runs it, and talks to it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'dist/app/main.js');
const CLI = path.join(ROOT, 'dist/app/cli.js');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'switchboard-test-'));
}

export interface RunningServer {
  baseUrl: string;
  port: number;
  /** SIP UDP (and TCP) port. */
  sipPort: number;
  /** Every SIP listener by transport. */
  sip: Record<string, number>;
  dataDir: string;
  /** The key printed at first start (undefined on later starts). */
  firstKey: string | undefined;
  stdout: () => string;
  stderr: () => string;
  process: ChildProcess;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_HTTP_HOST: '127.0.0.1',
      SWITCHBOARD_HTTP_PORT: '0',
      SWITCHBOARD_SIP_HOST: '127.0.0.1',
      SWITCHBOARD_SIP_PORT: '0',
      SWITCHBOARD_SIP_TLS_PORT: '0',
      SWITCHBOARD_SIP_WS_PORT: '0',
      SWITCHBOARD_SIP_WSS_PORT: '0',
      // One media worker on loopback, and an RTP port block of its own so servers running
      // side by side rarely meet (a port in use is skipped anyway).
      SWITCHBOARD_MEDIA_ADDRESS: '127.0.0.1',
      SWITCHBOARD_MEDIA_WORKERS: '1',
      ...rtpBlock(),
      SWITCHBOARD_LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  // 'close' (not 'exit'): stdout and stderr are fully read by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  let sip: Record<string, number> = {};
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 20_000);
    const check = (): void => {
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const rec = JSON.parse(line) as { msg?: string; http?: { port: number }; sip?: { transport: string; port: number }[] };
        if (rec.msg === 'switchboard started' && rec.http) {
          sip = Object.fromEntries((rec.sip ?? []).map((a) => [a.transport, a.port]));
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(rec.http.port);
          return;
        }
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
  const firstKey = /API key \(shown only this once, store it now\): (\S+)/.exec(out)?.[1];
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    sipPort: sip.UDP ?? 0,
    sip,
    dataDir,
    firstKey,
    stdout: () => out,
    stderr: () => err,
    process: child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runNode(CLI, args, { SWITCHBOARD_DATA_DIR: dataDir, ...env });
}

/** Runs the server entry point expecting it to exit (bad configuration). */
export function runMain(env: Record<string, string>): Promise<CliResult> {
  return runNode(MAIN, [], env);
}

function runNode(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A random block of 400 RTP ports between 30000 and 58399. */
function rtpBlock(): { SWITCHBOARD_RTP_PORT_MIN: string; SWITCHBOARD_RTP_PORT_MAX: string } {
  const min = 30000 + 400 * Math.floor(Math.random() * 71);
  return { SWITCHBOARD_RTP_PORT_MIN: String(min), SWITCHBOARD_RTP_PORT_MAX: String(min + 399) };
}
