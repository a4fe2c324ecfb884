import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../src/cli/io';

/** A command's io for an in-process run: what it prints is kept, and `stop()` aborts it as a signal would. */
export function bufferedIo(env: NodeJS.ProcessEnv = {}): CommandIo & { stdoutText: () => string; stderrText: () => string; stopNow: () => void } {
  const out: string[] = [];
  const err: string[] = [];
  const stopping = new AbortController();
  const errStream = new PassThrough();
  errStream.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  return {
    out: (line) => void out.push(`${line}\n`),
    err: (line) => void err.push(`${line}\n`),
    errStream,
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stop: stopping.signal,
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
    stopNow: () => stopping.abort(),
  };
}
