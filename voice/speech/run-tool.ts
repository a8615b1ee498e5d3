// Runs a command-line tool (sox, pocketsphinx) to completion: its stdout, or an error
// carrying the end of its stderr. The signal kills it, so a job past its deadline or a
// stopping server never leaves a recogniser running.
import { spawn } from 'node:child_process';

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export class ToolError extends Error {
  constructor(
    readonly tool: string,
    readonly code: number | null,
    readonly stderrTail: string,
    readonly missing = false,
  ) {
    super(missing ? `${tool} is not installed` : `${tool} failed (exit ${code ?? 'signal'}): ${stderrTail}`);
    this.name = 'ToolError';
  }
}

/** Output beyond this is dropped; a transcript or an error message is far smaller. */
const MAX_OUTPUT = 1024 * 1024;

export function runTool(cmd: string, args: string[], signal: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < MAX_OUTPUT) out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(signal.reason);
      else if (e.code === 'ENOENT') reject(new ToolError(cmd, null, '', true));
      else reject(new ToolError(cmd, null, e.message));
    });
    child.once('close', (code) => {
      if (signal.aborted) reject(signal.reason);
      else if (code === 0) resolve({ stdout: out, stderr: err });
      else reject(new ToolError(cmd, code, err.trim().split('\n').slice(-3).join(' | ')));
    });
  });
}
