/* Contexts shaped as the Activepieces engine (framework 0.32, context version 2) builds them, a
   loopback HTTP receiver, and a scripted stand-in for the Ticketry API. */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect } from 'node:net';

export type Auth = { type: 'CUSTOM_AUTH'; props: { base_url: string; api_key: string } };

export function authFor(baseUrl: string, apiKey: string): Auth {
  return { type: 'CUSTOM_AUTH', props: { base_url: baseUrl, api_key: apiKey } };
}

export class MemoryStore {
  readonly data = new Map<string, unknown>();
  async put<T>(key: string, value: T): Promise<T> {
    this.data.set(key, JSON.parse(JSON.stringify(value)));
    return value;
  }
  async get<T>(key: string): Promise<T | null> {
    return this.data.has(key) ? (this.data.get(key) as T) : null;
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}

const server = { apiUrl: 'http://127.0.0.1:3000/api/', publicUrl: 'http://127.0.0.1:8080/', token: 'engine-token' };
const project = { id: 'ap_project', externalId: async () => undefined };
const flows = { list: async () => ({ data: [], next: null, previous: null }), current: { id: 'flow_1', version: { id: 'flowv_1' } } };

export type TriggerPayload = { method: string; headers: Record<string, string>; body: unknown; queryParams: Record<string, string>; rawBody: string };

export function triggerContext(auth: Auth, propsValue: Record<string, unknown>, store: MemoryStore, webhookUrl: string, payload: Partial<TriggerPayload> | Record<string, never> = {}) {
  return {
    auth,
    propsValue: { ...propsValue, auth },
    store,
    webhookUrl,
    payload,
    project,
    server,
    flows,
    step: { name: 'trigger' },
    connections: { get: async () => null },
    files: { write: async () => 'file://x' },
  } as any;
}

export type Waitpoint = { id: string; resumeUrl: string; params: Record<string, unknown> };

export class RunHooks {
  readonly waitpoints: Waitpoint[] = [];
  readonly waited: string[] = [];
  private counter = 0;
  constructor(readonly id: string, private readonly resumeBase: string) {}
  hooks() {
    return {
      id: this.id,
      stop: () => undefined,
      respond: () => undefined,
      createWaitpoint: async (params: Record<string, unknown>) => {
        this.counter += 1;
        const id = `wp_${this.counter}`;
        const resumeUrl = `${this.resumeBase}/v1/flow-runs/${this.id}/waitpoints/${id}`;
        this.waitpoints.push({ id, resumeUrl, params });
        return { id, resumeUrl, buildResumeUrl: () => resumeUrl };
      },
      waitForWaitpoint: (id: string) => {
        this.waited.push(id);
      },
    };
  }
}

export function actionContext(
  auth: Auth,
  propsValue: Record<string, unknown>,
  options: { store?: MemoryStore; run?: RunHooks; executionType?: 'BEGIN' | 'RESUME'; resumePayload?: unknown; stepName?: string } = {},
) {
  const run = options.run ?? new RunHooks('run_1', 'http://127.0.0.1:9');
  return {
    executionType: options.executionType ?? 'BEGIN',
    resumePayload: options.resumePayload,
    store: options.store ?? new MemoryStore(),
    output: { update: async () => undefined },
    flows,
    step: { name: options.stepName ?? 'step_1' },
    auth,
    files: { write: async () => 'file://x' },
    server,
    propsValue: { ...propsValue, auth },
    tags: { add: async () => undefined },
    connections: { get: async () => null },
    agent: { tools: async () => ({}) },
    run: run.hooks(),
    project,
  } as any;
}

export type Received = { method: string; path: string; headers: Record<string, string>; body: string };

/** A loopback receiver that records requests and answers with `status`. */
export class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  private waiters: Array<() => void> = [];
  private constructor(readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let receiver: Receiver;
    const srv = createServer((req, res) => {
      readBody(req).then((body) => {
        receiver.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers as Record<string, string>, body });
        res.writeHead(receiver.status, { 'content-type': 'application/json' });
        res.end('{}');
        receiver.waiters.splice(0).forEach((wake) => wake());
      });
    });
    receiver = new Receiver(srv);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async waitFor(predicate: (r: Received) => boolean, timeoutMs: number): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching request within ${timeoutMs} ms (${this.requests.length} received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The payload the engine hands to a webhook trigger's `run` for a request the receiver got. */
export function payloadOf(received: Received): TriggerPayload {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(received.headers)) headers[k.toLowerCase()] = String(v);
  let body: unknown = received.body;
  try {
    body = JSON.parse(received.body);
  } catch {
    /* keep the text */
  }
  return { method: received.method, headers, body, queryParams: {}, rawBody: received.body };
}

export type Handler = (req: { method: string; path: string; query: URLSearchParams; headers: Record<string, string>; body: any }) =>
  { status: number; body?: unknown } | undefined;

/** A scripted Ticketry API for unit tests: each request is recorded and answered by `handler`. */
export class FakeApi {
  readonly requests: Array<{ method: string; path: string; query: URLSearchParams; headers: Record<string, string>; body: any }> = [];
  private constructor(readonly server: Server, public handler: Handler) {}

  static async start(handler: Handler): Promise<FakeApi> {
    let api: FakeApi;
    const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
      readBody(req).then((text) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const entry = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers as Record<string, string>,
          body: text ? JSON.parse(text) : undefined,
        };
        api.requests.push(entry);
        const answer = api.handler(entry) ?? { status: 404, body: { error: { code: 'not_found', message: 'no such route', details: [] } } };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    api = new FakeApi(srv, handler);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends `message` (headers and body, CRLF line ends) over SMTP, as a mail client would. */
export async function sendMail(smtpUrl: string, from: string, to: string[], message: string): Promise<void> {
  const { hostname, port } = new URL(smtpUrl);
  const socket = connect(Number(port), hostname);
  socket.setEncoding('utf8');
  let pending = '';
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  socket.on('data', (chunk: string) => {
    pending += chunk;
    wake?.();
  });
  socket.on('error', (error) => {
    failure = error;
    wake?.();
  });
  /** The server's next reply (its last line is "NNN text"), which must have `code`. */
  const reply = async (code: number, after: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const complete = pending.match(/^(?:\d{3}-.*\r\n)*(\d{3}) .*\r\n/);
      if (complete) {
        pending = pending.slice(complete[0].length);
        if (Number(complete[1]) !== code) throw new Error(`SMTP after ${after}: ${complete[0].trim()}`);
        return;
      }
      if (failure) throw failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SMTP after ${after}: no answer within 10 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  };
  const command = async (line: string, code: number) => {
    socket.write(`${line}\r\n`);
    await reply(code, line);
  };
  try {
    await reply(220, 'connecting');
    await command('EHLO piece-tests.example.com', 250);
    await command(`MAIL FROM:<${from}>`, 250);
    for (const address of to) await command(`RCPT TO:<${address}>`, 250);
    await command('DATA', 354);
    const stuffed = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    await command(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.`, 250);
    await command('QUIT', 221);
  } finally {
    socket.destroy();
  }
}
