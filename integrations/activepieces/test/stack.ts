/* The whole local product (`python -m chalicelib.local.stack`) in a child process on free ports,
   with a state directory of its own, as chalicelib/local/stack_process.py runs it for pytest. */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..', '..');

export type StackInfo = { api_url: string; project_id: string; api_key: string; aws_endpoint_url: string };

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export class LocalStack {
  private child: ChildProcess | null = null;
  readonly stateDir = mkdtempSync(join(tmpdir(), 'ticketry-piece-'));
  readonly log = join(this.stateDir, 'stack-output.log');

  async start(readyTimeoutMs = 180_000): Promise<StackInfo> {
    const python = process.env['TICKETRY_PYTHON'] || join(ROOT, '.venv', 'bin', 'python');
    if (python.includes('/') && !existsSync(python)) throw new Error(`no Python at ${python}: set TICKETRY_PYTHON or run make .venv/.installed`);
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? this.stateDir,
      STATE_DIR: this.stateDir,
      PYTHONUNBUFFERED: '1',
      SEED: '0', // an empty demo project: what the tests find there is their own
      PORT: String(await freePort()),
      AWS_PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      SMTP_PORT: String(await freePort()),
    };
    const output = openSync(this.log, 'a');
    this.child = spawn(python, ['-m', 'chalicelib.local.stack'], { cwd: ROOT, env, stdio: ['ignore', output, output] });
    const stackFile = join(this.stateDir, 'stack.json');
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`the stack exited with ${this.child.exitCode}:\n${readFileSync(this.log, 'utf8')}`);
      }
      if (existsSync(stackFile)) {
        try {
          return JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo;
        } catch {
          /* being written */
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the stack did not get ready:\n${readFileSync(this.log, 'utf8')}`);
  }

  /** SIGINT (a clean stop), then SIGKILL if it lingers; removes the state directory. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
