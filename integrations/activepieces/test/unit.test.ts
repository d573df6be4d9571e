/* The piece on its own: engine-shaped contexts against a scripted Ticketry API. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ticketry } from '../src/index';
import { sign, verifySignature } from '../src/lib/common/signature';
import { actionContext, authFor, FakeApi, Handler, MemoryStore, RunHooks, triggerContext } from './helpers';

const PROJECT = 'p0000000000000001';
const KEY = `tkt_${PROJECT}_k1_secret`;
const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const TICKET = {
  id: 't1', number: 7, key: 'OPS-7', project_id: PROJECT, title: 'Disk full', description: '', status: 'new', severity: 'high',
  created_at: '2026-11-27T07:00:00.000Z', updated_at: '2026-11-27T07:00:00.000Z', resolved_at: null, due_date: null,
  reporter: 'u1', assignee: 'u1', source: 'api', tags: ['db'], dedup_key: null, version: 1,
};
const error = (status: number, code: string, message: string) => ({ status, body: { error: { code, message, details: [] } } });
// What GET /v1/ce/session answers for KEY: the piece learns its project here, never from the key.
const SESSION = {
  principal: { kind: 'api_key', key_id: 'k1', actor: 'automation:flows', user_id: null, name: 'flows', email: null },
  projects: [{ id: PROJECT, key: 'OPS', name: 'Ops', role: 'member' }],
};

let api: FakeApi;
let routes: Handler;
const auth = () => authFor(api.url, KEY);

before(async () => {
  api = await FakeApi.start((req) => routes(req));
});
after(async () => api.close());
beforeEach(() => {
  api.requests.length = 0;
  routes = () => undefined;
});

function delivery(body: object, secret = SECRET, at = Math.floor(Date.now() / 1000), id = 'msg_abc') {
  const rawBody = JSON.stringify(body);
  const headers = sign(secret, id, at, rawBody);
  return { method: 'POST', headers, body: JSON.parse(rawBody), queryParams: {}, rawBody };
}

describe('signatures (Standard Webhooks)', () => {
  const raw = '{"type":"TICKET_CREATED"}';
  const now = 1_800_000_000;

  it('accepts a genuine signature, also next to another secret\'s', () => {
    const headers = sign(SECRET, 'msg_1', now, raw);
    assert.deepEqual(verifySignature(SECRET, headers, raw, now), { id: 'msg_1', timestamp: now });
    const other = sign('whsec_' + Buffer.alloc(32, 9).toString('base64'), 'msg_1', now, raw)['webhook-signature'];
    const both = { ...headers, 'webhook-signature': `${other} ${headers['webhook-signature']}` };
    assert.ok(verifySignature(SECRET, both, raw, now));
  });

  it('refuses an altered body, another secret, a stale or future timestamp, missing headers', () => {
    const headers = sign(SECRET, 'msg_1', now, raw);
    assert.equal(verifySignature(SECRET, headers, raw + ' ', now), null);
    assert.equal(verifySignature('whsec_' + Buffer.alloc(32, 1).toString('base64'), headers, raw, now), null);
    assert.equal(verifySignature(SECRET, headers, raw, now + 301), null);
    assert.equal(verifySignature(SECRET, headers, raw, now - 301), null);
    assert.ok(verifySignature(SECRET, headers, raw, now + 299));
    assert.equal(verifySignature(SECRET, { 'webhook-id': 'msg_1' }, raw, now), null);
    assert.equal(verifySignature(SECRET, { ...headers, 'webhook-signature': 'v2,abc' }, raw, now), null);
  });
});

describe('connection', () => {
  it('is valid when the key reads its project', async () => {
    routes = (req) => (req.path === '/v1/ce/session' && req.headers['authorization'] === `Bearer ${KEY}`
      ? { status: 200, body: SESSION } : undefined);
    assert.deepEqual(await ticketry.auth!.validate!({ auth: { base_url: api.url + '/', api_key: KEY }, server: {} } as any), { valid: true });
    assert.equal(api.requests.length, 1);
  });

  it('says what is wrong: key, URL, server', async () => {
    routes = () => error(401, 'unauthorized', 'invalid API key');
    const wrongKey = await ticketry.auth!.validate!({ auth: { base_url: api.url, api_key: KEY }, server: {} } as any);
    assert.match((wrongKey as any).error, /refused the API key/);
    routes = () => undefined;
    const wrongUrl = await ticketry.auth!.validate!({ auth: { base_url: api.url + '/nope', api_key: KEY }, server: {} } as any);
    assert.match((wrongUrl as any).error, /No Ticketry project answered/);
    const down = await ticketry.auth!.validate!({ auth: { base_url: 'http://127.0.0.1:9', api_key: KEY }, server: {} } as any);
    assert.match((down as any).error, /Could not reach Ticketry at http:\/\/127\.0\.0\.1:9/);
    // The API, not the piece, knows what a key looks like: it answers 401 to anything else.
    routes = (req) => (req.path === '/v1/ce/session' ? error(401, 'unauthorized', 'the API key is not valid') : undefined);
    const notAKey = await ticketry.auth!.validate!({ auth: { base_url: api.url, api_key: 'abc' }, server: {} } as any);
    assert.match((notAKey as any).error, /not a Ticketry API key/);
  });
});

describe('the API contract', () => {
  const root = resolve(__dirname, '..', '..');
  // Not spawnSync: a blocked event loop would miss the scripted API closing idle connections.
  const check = (file: string) =>
    promisify(execFile)(process.execPath, [join(root, 'contract.mjs'), '--check', '--out', file])
      .then(() => ({ status: 0, stderr: '' }), (error: { code: number; stderr: string }) => ({ status: error.code, stderr: error.stderr }));

  it('the committed api.ts is what the document generates, and a stale one fails the check', async () => {
    const generated = join(root, 'src', 'lib', 'common', 'api.ts');
    assert.equal((await check(generated)).status, 0);
    const stale = join(mkdtempSync(join(tmpdir(), 'ticketry-contract-')), 'api.ts');
    writeFileSync(stale, readFileSync(generated, 'utf8').replace('"in_progress"', '"working"'));
    const result = await check(stale);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /is stale/);
  });

  it('the project comes from the API\'s session, asked once per connection, whatever the key looks like', async () => {
    routes = (req) => (req.path === '/v1/ce/session' ? { status: 200, body: SESSION } : undefined);
    const opaque = authFor(api.url, 'an-opaque-key');
    const dropdown = (ticketry.getAction('create_ticket')!.props as any).project_id;
    assert.deepEqual((await dropdown.options({ auth: opaque }, {})).options, [{ label: 'Ops (OPS)', value: PROJECT }]);
    await dropdown.options({ auth: opaque }, {});
    assert.equal(api.requests.length, 1);
    assert.equal(api.requests[0].headers['authorization'], 'Bearer an-opaque-key');
    await dropdown.options({ auth: authFor(api.url, 'an-opaque-key') }, {});
    assert.equal(api.requests.length, 2);
  });
});

describe('dropdowns', () => {
  it('offer the key\'s project, and members and teams as assignees', async () => {
    routes = (req) => {
      if (req.path === '/v1/ce/session') return { status: 200, body: SESSION };
      if (req.path.endsWith('/members')) return { status: 200, body: { data: [{ user_id: 'u1', name: 'Ann', email: 'ann@x', role: 'admin' }] } };
      if (req.path.endsWith('/teams')) return { status: 200, body: { data: [{ id: 'tm1', name: 'DBAs' }] } };
      return undefined;
    };
    const action = ticketry.getAction('create_ticket')!;
    const projects = await (action.props as any).project_id.options({ auth: auth() }, {});
    assert.deepEqual(projects.options, [{ label: 'Ops (OPS)', value: PROJECT }]);
    const people = await (action.props as any).assignee.options({ auth: auth(), project_id: PROJECT }, {});
    assert.deepEqual(people.options.map((o: any) => o.value), ['u1', 'team:tm1']);
    const search = await (ticketry.getAction('search_tickets')!.props as any).assignee.options({ auth: auth(), project_id: PROJECT }, {});
    assert.deepEqual(search.options.map((o: any) => o.value), ['none', 'me', 'u1', 'team:tm1']);
  });

  it('fall back to the key\'s own member when it may not list people', async () => {
    routes = (req) => {
      if (req.path.endsWith('/me')) return { status: 200, body: { user_id: 'u2', name: 'Bo', email: 'bo@x', role: 'member' } };
      return error(403, 'forbidden', 'needs the admin role');
    };
    const people = await (ticketry.getAction('update_ticket')!.props as any).assignee.options({ auth: auth(), project_id: PROJECT }, {});
    assert.deepEqual(people.options.map((o: any) => o.value), ['__unassigned__', 'u2']);
    assert.match(people.placeholder, /admin key/);
  });

  it('offer the workflow\'s moves for the ticket', async () => {
    routes = () => ({ status: 200, body: { ...TICKET, allowed_transitions: ['acknowledged', 'canceled'] } });
    const status = await (ticketry.getAction('update_ticket')!.props as any).status.options({ auth: auth(), project_id: PROJECT, ticket_id: 'OPS-7' }, {});
    assert.deepEqual(status.options.map((o: any) => o.value), ['acknowledged', 'canceled']);
    assert.equal(api.requests[0].path, `/v1/ce/projects/${PROJECT}/tickets/OPS-7`);
  });
});

describe('triggers', () => {
  const trigger = ticketry.getTrigger('ticket_created')!;

  it('subscribe with the webhook URL and filters, verify deliveries, unsubscribe', async () => {
    routes = (req) => {
      if (req.method === 'POST' && req.path.endsWith('/webhooks')) return { status: 201, body: { id: 'wh1', secret: SECRET, ...req.body } };
      if (req.method === 'DELETE') return { status: 204 };
      return undefined;
    };
    const store = new MemoryStore();
    const props = { project_id: PROJECT, severity: ['critical'], tags: ['DB'], assignee: 'team:tm1' };
    await trigger.onEnable(triggerContext(auth(), props, store, 'https://ap.example.com/v1/webhooks/flow1', {}));
    const [subscribe] = api.requests;
    assert.deepEqual(subscribe.body, {
      name: 'Activepieces: Ticket Created', event_type: 'TICKET_CREATED', url: 'https://ap.example.com/v1/webhooks/flow1',
      filters: { severity: ['critical'], tags: ['db'], assignee: 'team:tm1' },
    });
    assert.deepEqual(await store.get('ticketry_subscription'), { id: 'wh1', secret: SECRET, project_id: PROJECT });

    const event = { type: 'TICKET_CREATED', timestamp: '2026-11-27T07:00:00.000Z',
      data: { project_id: PROJECT, actor: 'automation:alerts', ticket: TICKET, changes: { title: { old: null, new: 'Disk full' } } } };
    const items = await trigger.run(triggerContext(auth(), props, store, '', delivery(event)));
    assert.equal(items.length, 1);
    assert.deepEqual(items[0], {
      ...TICKET, event_type: 'TICKET_CREATED', event_id: 'msg_abc', event_timestamp: '2026-11-27T07:00:00.000Z',
      changes: { title: { old: null, new: 'Disk full' } }, actor: 'automation:alerts', comment: null,
    });

    const forged = delivery(event, 'whsec_' + Buffer.alloc(32, 1).toString('base64'));
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', forged)), []);
    const altered = delivery(event);
    altered.rawBody = altered.rawBody.replace('Disk full', 'Disk empty');
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', altered)), []);
    const stale = delivery(event, SECRET, Math.floor(Date.now() / 1000) - 301);
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', stale)), []);
    const ping = delivery({ type: 'PING', timestamp: 'x', data: { project_id: PROJECT, webhook_id: 'wh1' } });
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', ping)), []);

    api.requests.length = 0;
    await trigger.onDisable(triggerContext(auth(), props, store, '', {}));
    assert.equal(api.requests[0].method, 'DELETE');
    assert.equal(api.requests[0].path, `/v1/ce/projects/${PROJECT}/webhooks/wh1`);
    assert.equal(await store.get('ticketry_subscription'), null);
  });

  it('ticket_created with a source keeps only tickets from that source, in deliveries and in its test', async () => {
    routes = (req) => (req.method === 'POST' ? { status: 201, body: { id: 'wh5', secret: SECRET, ...req.body } } : undefined);
    const store = new MemoryStore();
    const props = { project_id: PROJECT, source: ' email ', severity: ['high'] };
    await trigger.onEnable(triggerContext(auth(), props, store, 'https://ap/created', {}));
    // The webhooks API has no source filter: the subscription takes every source.
    assert.deepEqual(api.requests[0].body.filters, { severity: ['high'] });
    const created = (ticket: object) => delivery({ type: 'TICKET_CREATED', timestamp: 'T1',
      data: { project_id: PROJECT, actor: 'contact:ana@example.com', ticket: { ...TICKET, ...ticket }, changes: {} } });
    const emailed = created({ source: 'email', requester: 'ana@example.com' });
    const [item] = await trigger.run(triggerContext(auth(), props, store, '', emailed)) as any[];
    assert.deepEqual([item.source, item.requester, item.actor], ['email', 'ana@example.com', 'contact:ana@example.com']);
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', created({ source: 'api' }))), []);
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', created({ source: 'Email' }))), []);
    assert.deepEqual(await trigger.run(triggerContext(auth(), props, store, '', created({ source: 'email-digest' }))), []);
    for (const any of [undefined, '', '  ']) {
      assert.equal((await trigger.run(triggerContext(auth(), { ...props, source: any }, store, '', created({ source: 'api' })))).length, 1);
    }

    api.requests.length = 0;
    const page = [
      ...Array.from({ length: 3 }, (_, n) => ({ ...TICKET, id: `a${n}`, source: 'api' })),
      ...Array.from({ length: 7 }, (_, n) => ({ ...TICKET, id: `e${n}`, source: 'email', requester: `r${n}@example.com` })),
    ];
    routes = () => ({ status: 200, body: { data: page, cursor: null } });
    const shown = await trigger.test!(triggerContext(auth(), props, new MemoryStore(), '')) as any[];
    assert.equal(api.requests[0].query.get('limit'), '100');   // it picks the source's tickets itself
    assert.deepEqual(shown.map((t) => t.id), ['e0', 'e1', 'e2', 'e3', 'e4']);
    api.requests.length = 0;
    const any = await trigger.test!(triggerContext(auth(), { project_id: PROJECT }, new MemoryStore(), '')) as any[];
    assert.equal(api.requests[0].query.get('limit'), '5');
    assert.deepEqual(any.map((t) => t.id), ['a0', 'a1', 'a2', 'e0', 'e1']);
  });

  it('disable is fine when the subscription is already gone', async () => {
    routes = () => error(404, 'not_found', 'webhook not found');
    const store = new MemoryStore();
    await store.put('ticketry_subscription', { id: 'gone', secret: SECRET, project_id: PROJECT });
    await trigger.onDisable(triggerContext(auth(), { project_id: PROJECT }, store, '', {}));
    assert.equal(await store.get('ticketry_subscription'), null);
  });

  it('status and assignment triggers subscribe narrowly and keep only their changes', async () => {
    routes = (req) => (req.method === 'POST' ? { status: 201, body: { id: 'wh2', secret: SECRET } } : undefined);
    const store = new MemoryStore();
    const statusChanged = ticketry.getTrigger('ticket_status_changed')!;
    await statusChanged.onEnable(triggerContext(auth(), { project_id: PROJECT, statuses: [] }, store, 'https://ap/x', {}));
    assert.deepEqual(api.requests[0].body.filters.status_changed_to, ['new', 'acknowledged', 'in_progress', 'resolved', 'closed', 'deferred', 'canceled']);
    const updated = ticketry.getTrigger('ticket_updated')!;
    await updated.onEnable(triggerContext(auth(), { project_id: PROJECT, status: 'resolved' }, new MemoryStore(), 'https://ap/x', {}));
    assert.equal(api.requests.at(-1)!.body.filters.status_changed_to, 'resolved');
    assert.equal(api.requests.at(-1)!.body.event_type, 'TICKET_UPDATED');

    const assigned = ticketry.getTrigger('ticket_assigned')!;
    const assignedStore = new MemoryStore();
    await assigned.onEnable(triggerContext(auth(), { project_id: PROJECT }, assignedStore, 'https://ap/x', {}));
    const update = (changes: object) => delivery({ type: 'TICKET_UPDATED', timestamp: 't', data: { project_id: PROJECT, actor: 'u1', ticket: TICKET, changes } });
    assert.equal((await assigned.run(triggerContext(auth(), {}, assignedStore, '', update({ assignee: { old: null, new: 'u3' } })))).length, 1);
    assert.equal((await assigned.run(triggerContext(auth(), {}, assignedStore, '', update({ title: { old: 'a', new: 'b' } })))).length, 0);
    assert.equal((await assigned.run(triggerContext(auth(), {}, assignedStore, '', update({ assignee: { old: 'u3', new: null } })))).length, 0);
  });

  it('test shows the project\'s recent matching tickets', async () => {
    routes = () => ({ status: 200, body: { data: [TICKET], cursor: null } });
    const items = await ticketry.getTrigger('ticket_updated')!.test!(triggerContext(auth(), { project_id: PROJECT, status: 'resolved', severity: ['high'] }, new MemoryStore(), ''));
    assert.equal(api.requests[0].query.get('status'), 'resolved');
    assert.equal(api.requests[0].query.get('severity'), 'high');
    assert.equal(api.requests[0].query.get('limit'), '5');
    assert.equal((items[0] as any).key, 'OPS-7');
    assert.equal((items[0] as any).event_type, 'TICKET_UPDATED');
  });

  it('sla_breached subscribes to SLA_BREACHED and keeps the chosen target\'s breaches', async () => {
    routes = (req) => (req.method === 'POST' ? { status: 201, body: { id: 'wh2', secret: SECRET, ...req.body } } : undefined);
    const breached = ticketry.getTrigger('sla_breached')!;
    const store = new MemoryStore();
    const props = { project_id: PROJECT, severity: ['critical'], target: 'resolve' };
    await breached.onEnable(triggerContext(auth(), props, store, 'https://ap/sla', {}));
    assert.deepEqual(api.requests[0].body, {
      name: 'Activepieces: SLA Breached', event_type: 'SLA_BREACHED', url: 'https://ap/sla', filters: { severity: ['critical'] },
    });
    const event = (target: string) => delivery({ type: 'SLA_BREACHED', timestamp: '2026-11-27T11:00:00.000Z',
      data: { project_id: PROJECT, actor: 'system', ticket: TICKET,
        changes: { sla: { old: null, new: { target, state: 'breached', due_at: '2026-11-27T11:00:00.000Z' } } } } });
    const [item] = await breached.run(triggerContext(auth(), props, store, '', event('resolve')));
    assert.equal((item as any).event_type, 'SLA_BREACHED');
    assert.equal((item as any).changes.sla.new.due_at, '2026-11-27T11:00:00.000Z');
    assert.deepEqual(await breached.run(triggerContext(auth(), props, store, '', event('acknowledge'))), []);
    const either = await breached.run(triggerContext(auth(), { ...props, target: undefined }, store, '', event('acknowledge')));
    assert.equal(either.length, 1);
    const updated = delivery({ type: 'TICKET_UPDATED', timestamp: 't', data: { project_id: PROJECT, actor: 'u1', ticket: TICKET, changes: {} } });
    assert.deepEqual(await breached.run(triggerContext(auth(), props, store, '', updated)), []);

    api.requests.length = 0;
    routes = () => ({ status: 200, body: { data: [TICKET], cursor: null } });
    await breached.test!(triggerContext(auth(), props, new MemoryStore(), ''));
    assert.equal(api.requests[0].query.get('sla'), 'breached');
    assert.equal(api.requests[0].query.get('sort'), 'sla');
  });

  it('comment_added takes edits and deletions only when asked, from one subscription to every event', async () => {
    routes = (req) => (req.method === 'POST' ? { status: 201, body: { id: 'wh3', secret: SECRET, ...req.body } } : undefined);
    const commented = ticketry.getTrigger('comment_added')!;
    const comment = { id: 'c1', author: 'u1', created_at: 'T1' };
    const added = delivery({ type: 'COMMENT_ADDED', timestamp: 'T1',
      data: { project_id: PROJECT, actor: 'u1', ticket: TICKET, comment: { ...comment, body: 'on it' } } });
    const edited = delivery({ type: 'COMMENT_UPDATED', timestamp: 'T2',
      data: { project_id: PROJECT, actor: 'u1', ticket: TICKET, changes: { comment: { old: 'on it', new: 'on it now' } },
        comment: { ...comment, body: 'on it now', edited_at: 'T2', mentions: [] } } });
    const deleted = delivery({ type: 'COMMENT_DELETED', timestamp: 'T3',
      data: { project_id: PROJECT, actor: 'u2', ticket: TICKET, comment: { ...comment, deleted_at: 'T3', deleted_by: 'u2' } } });
    const kinds = async (props: Record<string, unknown>) => {
      const store = new MemoryStore();
      await commented.onEnable(triggerContext(auth(), props, store, 'https://ap/c', {}));
      const items = [];
      for (const event of [added, edited, deleted]) items.push(...await commented.run(triggerContext(auth(), props, store, '', event)));
      return items.map((item: any) => item.event_type);
    };

    assert.deepEqual(await kinds({ project_id: PROJECT }), ['COMMENT_ADDED']);
    assert.equal(api.requests.at(-1)!.body.event_type, 'COMMENT_ADDED');
    assert.deepEqual(await kinds({ project_id: PROJECT, include_edits: true, severity: ['high'] }), ['COMMENT_ADDED', 'COMMENT_UPDATED']);
    assert.deepEqual(api.requests.at(-1)!.body, {
      name: 'Activepieces: Comment Added', event_type: '*', url: 'https://ap/c', filters: { severity: ['high'] },
    });
    assert.deepEqual(await kinds({ project_id: PROJECT, include_edits: true, include_deletions: true }),
      ['COMMENT_ADDED', 'COMMENT_UPDATED', 'COMMENT_DELETED']);

    const store = new MemoryStore();
    const props = { project_id: PROJECT, include_edits: true, include_deletions: true };
    await commented.onEnable(triggerContext(auth(), props, store, 'https://ap/c', {}));
    const [edit] = await commented.run(triggerContext(auth(), props, store, '', edited)) as any[];
    assert.deepEqual([edit.comment.body, edit.comment.edited_at, edit.changes.comment.old], ['on it now', 'T2', 'on it']);
    const [gone] = await commented.run(triggerContext(auth(), props, store, '', deleted)) as any[];
    assert.deepEqual(gone.comment, { ...comment, deleted_at: 'T3', deleted_by: 'u2' });
    const update = delivery({ type: 'TICKET_UPDATED', timestamp: 't', data: { project_id: PROJECT, actor: 'u1', ticket: TICKET, changes: {} } });
    assert.deepEqual(await commented.run(triggerContext(auth(), props, store, '', update)), []);
  });

  it('comment_added items carry the comment\'s visibility and how it came', async () => {
    routes = (req) => (req.method === 'POST' ? { status: 201, body: { id: 'wh4', secret: SECRET, ...req.body } } : undefined);
    const commented = ticketry.getTrigger('comment_added')!;
    const store = new MemoryStore();
    const props = { project_id: PROJECT, include_edits: true, include_deletions: true };
    await commented.onEnable(triggerContext(auth(), props, store, 'https://ap/c', {}));
    const emailed = { ...TICKET, source: 'email', requester: 'ana@example.com' };
    const comment = (type: string, actor: string, fields: object) => delivery({ type, timestamp: 'T1',
      data: { project_id: PROJECT, actor, ticket: emailed, comment: { id: 'c1', author: actor, created_at: 'T1', mentions: [], ...fields } } });
    const seen = async (event: ReturnType<typeof delivery>) => {
      const [item] = await commented.run(triggerContext(auth(), props, store, '', event)) as any[];
      return [item.event_type, item.actor, item.requester, item.comment.visibility, item.comment.via];
    };
    assert.deepEqual(await seen(comment('COMMENT_ADDED', 'contact:ana@example.com', { body: 'Still broken', visibility: 'public', via: 'email' })),
      ['COMMENT_ADDED', 'contact:ana@example.com', 'ana@example.com', 'public', 'email']);
    assert.deepEqual(await seen(comment('COMMENT_ADDED', 'u1', { body: 'Swapping the reader', visibility: 'public', via: null })),
      ['COMMENT_ADDED', 'u1', 'ana@example.com', 'public', null]);
    assert.deepEqual(await seen(comment('COMMENT_ADDED', 'u1', { body: 'Reader ordered', visibility: 'internal', via: null })),
      ['COMMENT_ADDED', 'u1', 'ana@example.com', 'internal', null]);
    assert.deepEqual(await seen(comment('COMMENT_UPDATED', 'u1', { body: 'Reader ordered (2)', edited_at: 'T2', visibility: 'internal', via: null })),
      ['COMMENT_UPDATED', 'u1', 'ana@example.com', 'internal', null]);
    assert.deepEqual(await seen(comment('COMMENT_DELETED', 'u1', { deleted_at: 'T3', deleted_by: 'u1', visibility: 'public', via: null })),
      ['COMMENT_DELETED', 'u1', 'ana@example.com', 'public', null]);
  });

  it('every trigger has sample data shaped like its items', () => {
    for (const name of ['ticket_created', 'ticket_updated', 'ticket_status_changed', 'comment_added', 'ticket_assigned', 'ticket_overdue', 'sla_breached']) {
      const sample = ticketry.getTrigger(name)!.sampleData as any;
      assert.ok(sample.key && sample.event_type && 'changes' in sample && 'actor' in sample && 'requester' in sample, name);
    }
    // An emailed ticket, and the requester's emailed reply on it.
    const created = ticketry.getTrigger('ticket_created')!.sampleData as any;
    assert.deepEqual([created.source, created.requester, created.reporter], ['email', 'ana.lima@example.com', 'contact:ana.lima@example.com']);
    const { comment } = ticketry.getTrigger('comment_added')!.sampleData as any;
    assert.deepEqual([comment.author, comment.visibility, comment.via], ['contact:ana.lima@example.com', 'public', 'email']);
  });
});

describe('actions', () => {
  it('create_ticket sends the fields and an Idempotency-Key derived from the run', async () => {
    routes = (req) => ({ status: 201, body: { ...TICKET, ...req.body } });
    const action = ticketry.getAction('create_ticket')!;
    const props = { project_id: PROJECT, title: 'Disk full', severity: 'critical', tags: ['db', 'prod'], due_date: '2026-12-01T10:00:00Z', source: 'grafana', dedup_key: 'disk:db-1', retry_safe: true };
    const created = await action.run(actionContext(auth(), props, { run: new RunHooks('run_9', 'x') }));
    assert.equal((created as any).created, true);
    const [first] = api.requests;
    assert.deepEqual(first.body, { title: 'Disk full', description: '', severity: 'critical', tags: ['db', 'prod'], due_date: '2026-12-01T10:00:00.000Z', source: 'grafana', dedup_key: 'disk:db-1' });
    await action.run(actionContext(auth(), props, { run: new RunHooks('run_9', 'x') }));
    await action.run(actionContext(auth(), props, { run: new RunHooks('run_10', 'x') }));
    const keys = api.requests.map((r) => r.headers['idempotency-key']);
    assert.ok(keys[0].startsWith('ap:run_9:step_1:'));
    assert.equal(keys[0], keys[1]);
    assert.notEqual(keys[0], keys[2]);
    await action.run(actionContext(auth(), { ...props, retry_safe: false }));
    assert.equal(api.requests.at(-1)!.headers['idempotency-key'], undefined);
  });

  it('API errors surface as the API\'s own message', async () => {
    routes = () => error(409, 'transition_not_allowed', 'new may move to: acknowledged, canceled');
    await assert.rejects(
      ticketry.getAction('update_ticket')!.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 't1', status: 'closed' })),
      /Ticketry answered 409 transition_not_allowed: new may move to: acknowledged, canceled/,
    );
  });

  it('update_ticket sends only what is given; unassign and clearing the due date send null', async () => {
    routes = (req) => ({ status: 200, body: { ...TICKET, ...req.body } });
    await ticketry.getAction('update_ticket')!.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 'OPS-7', status: 'acknowledged', title: '', assignee: '__unassigned__', clear_due_date: true, expected_version: 3 }));
    const [patch] = api.requests;
    assert.equal(patch.method, 'PATCH');
    assert.equal(patch.path, `/v1/ce/projects/${PROJECT}/tickets/OPS-7`);
    assert.deepEqual(patch.body, { status: 'acknowledged', assignee: null, due_date: null });
    assert.equal(patch.headers['if-match'], '"3"');
    await assert.rejects(ticketry.getAction('update_ticket')!.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 't1' })), /Nothing to change/);
  });

  it('add_comment and get_ticket', async () => {
    routes = (req) => (req.method === 'POST' ? { status: 201, body: { id: 'h1', comment: req.body.comment } } : { status: 200, body: TICKET });
    const comment = await ticketry.getAction('add_comment')!.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 'OPS-7', comment: 'on it' }));
    assert.equal((comment as any).comment, 'on it');
    assert.equal(api.requests[0].path, `/v1/ce/projects/${PROJECT}/tickets/OPS-7/comments`);
    assert.equal(((await ticketry.getAction('get_ticket')!.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 't1' }))) as any).key, 'OPS-7');
  });

  it('add_comment writes an internal note', async () => {
    routes = (req) => ({ status: 201, body: { id: 'h1', comment: req.body.comment, visibility: req.body.visibility } });
    await ticketry.getAction('add_comment')!.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 'OPS-7', comment: 'checking the logs' }));
    assert.deepEqual(api.requests[0].body, { comment: 'checking the logs', visibility: 'internal' });
  });

  it('reply_to_requester posts a public comment, and a ticket without requester fails the step clearly', async () => {
    routes = (req) => (req.method === 'POST' && req.path.endsWith('/tickets/OPS-7/comments')
      ? { status: 201, body: { id: 'h9', event: 'COMMENT_ADDED', comment: req.body.comment, visibility: req.body.visibility, via: null } }
      : undefined);
    const reply = ticketry.getAction('reply_to_requester')!;
    const entry = (await reply.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 'OPS-7', text: 'A new badge is on its way.' }))) as any;
    assert.equal(api.requests[0].path, `/v1/ce/projects/${PROJECT}/tickets/OPS-7/comments`);
    assert.deepEqual(api.requests[0].body, { comment: 'A new badge is on its way.', visibility: 'public' });
    assert.deepEqual([entry.id, entry.visibility], ['h9', 'public']);

    routes = () => ({ status: 409, body: { error: { code: 'no_requester', message: 'the ticket has no requester to reply to',
      details: [{ field: 'visibility', message: 'public comments need a ticket with a requester' }] } } });
    await assert.rejects(reply.run(actionContext(auth(), { project_id: PROJECT, ticket_id: ' OPS-8 ', text: 'Hello' })), (thrown: any) => {
      assert.match(thrown.message, /^Ticket OPS-8 has no requester to reply to: only a ticket that came in by email has one\. Use Add Comment/);
      assert.match(thrown.message, /Ticketry answered 409 no_requester: the ticket has no requester to reply to/);
      assert.deepEqual([thrown.status, thrown.code, thrown.body.error.details[0].field], [409, 'no_requester', 'visibility']);
      return true;
    });
    // Other refusals keep the API's own message.
    routes = () => error(404, 'not_found', 'ticket not found');
    await assert.rejects(reply.run(actionContext(auth(), { project_id: PROJECT, ticket_id: 'OPS-404', text: 'Hello' })),
      { message: 'Ticketry answered 404 not_found: ticket not found', code: 'not_found' });
    await assert.rejects(reply.run(actionContext(auth(), { project_id: PROJECT, ticket_id: '', text: 'Hello' })), /A ticket id or key/);
  });

  it('search_tickets passes every parameter through and follows pages up to the cap', async () => {
    let page = 0;
    routes = (req) => {
      page += 1;
      const size = Number(req.query.get('limit'));
      return { status: 200, body: { data: Array.from({ length: size }, (_, n) => ({ ...TICKET, id: `t${page}-${n}` })), cursor: `c${page}` } };
    };
    const props = {
      project_id: PROJECT, q: 'disk full', status: ['new', 'acknowledged'], severity: ['high'], tags: ['DB'], assignee: 'none', reporter: 'u1',
      created_after: '2026-11-01T00:00:00Z', due_before: '2026-12-01T00:00:00Z', sort: 'updated', overdue: true, limit: 40, all_pages: true, max_results: 100,
    };
    const result = (await ticketry.getAction('search_tickets')!.run(actionContext(auth(), props))) as any;
    assert.equal(result.count, 100);
    assert.equal(result.more, true);
    const query = api.requests[0].query;
    assert.equal(query.get('q'), 'disk full');
    assert.equal(query.get('status'), 'new,acknowledged');
    assert.equal(query.get('tags'), 'db');
    assert.equal(query.get('assignee'), 'none');
    assert.equal(query.get('sort'), 'updated');
    assert.equal(query.get('overdue'), 'true');
    assert.equal(query.get('created_after'), '2026-11-01T00:00:00.000Z');
    assert.deepEqual(api.requests.map((r) => r.query.get('limit')), ['40', '40', '20']);
    assert.deepEqual(api.requests.map((r) => r.query.get('cursor')), [null, 'c1', 'c2']);

    api.requests.length = 0;
    const one = (await ticketry.getAction('search_tickets')!.run(actionContext(auth(), { project_id: PROJECT, status_group: 'open', limit: 10 }))) as any;
    assert.equal(one.count, 10);
    assert.equal(api.requests.length, 1);
    assert.equal(api.requests[0].query.get('status'), 'open');
  });

  it('bulk_update_tickets posts one change for the tickets', async () => {
    routes = (req) => ({ status: 200, body: { results: req.body.ticket_ids.map((id: string) => ({ ticket_id: id, ok: true })) } });
    const result = await ticketry.getAction('bulk_update_tickets')!.run(actionContext(auth(), {
      project_id: PROJECT, ticket_ids: ['OPS-1', 'OPS-2'], status: 'closed', add_tags: ['done'], assignee: '__unassigned__', comment: 'closing the batch',
    }));
    assert.equal(api.requests[0].path, `/v1/ce/projects/${PROJECT}/tickets/bulk`);
    assert.deepEqual(api.requests[0].body, { ticket_ids: ['OPS-1', 'OPS-2'], change: { status: 'closed', assignee: null, add_tags: ['done'] }, comment: 'closing the batch' });
    assert.equal((result as any).results.length, 2);
    const many = Array.from({ length: 101 }, (_, n) => `OPS-${n}`);
    await assert.rejects(ticketry.getAction('bulk_update_tickets')!.run(actionContext(auth(), { project_id: PROJECT, ticket_ids: many, status: 'closed' })), /At most 100/);
  });

  it('the custom API call targets the API with the key', async () => {
    const action = ticketry.getAction('custom_api_call');
    assert.ok(action);
  });
});

describe('create_ticket_and_wait', () => {
  const action = ticketry.getAction('create_ticket_and_wait')!;
  let ticket: any;
  let subscriptions: any[];

  beforeEach(() => {
    ticket = { ...TICKET, history: [] };
    subscriptions = [];
    routes = (req) => {
      if (req.method === 'POST' && req.path.endsWith('/tickets')) return { status: 201, body: TICKET };
      if (req.method === 'POST' && req.path.endsWith('/webhooks')) {
        const sub = { id: `wh${subscriptions.length + 1}`, secret: SECRET, ...req.body };
        subscriptions.push(sub);
        return { status: 201, body: sub };
      }
      if (req.method === 'GET' && req.path.endsWith('/tickets/t1')) return ticket ? { status: 200, body: ticket } : error(404, 'not_found', 'ticket not found');
      if (req.method === 'DELETE') return error(404, 'not_found', 'webhook not found');
      return undefined;
    };
  });

  const props = { project_id: PROJECT, title: 'Approve the deploy', statuses: ['resolved', 'closed', 'canceled'] };

  it('subscribes the resume URL to the ticket, once, then pauses', async () => {
    const run = new RunHooks('run_1', 'https://ap.example.com');
    const store = new MemoryStore();
    await action.run(actionContext(auth(), props, { run, store }));
    assert.equal(run.waitpoints.length, 1);
    assert.deepEqual(run.waitpoints[0].params, { type: 'WEBHOOK', version: 'V1' });
    assert.deepEqual(run.waited, ['wp_1']);
    assert.deepEqual(subscriptions[0], {
      id: 'wh1', secret: SECRET, name: 'Activepieces: wait for t1', event_type: 'TICKET_UPDATED', url: run.waitpoints[0].resumeUrl, once: true,
      filters: { ticket_id: 't1', status_changed_to: ['resolved', 'closed', 'canceled'] },
    });
    assert.deepEqual([subscriptions[1].event_type, subscriptions[1].url, subscriptions[1].once, subscriptions[1].filters],
      ['TICKET_DELETED', run.waitpoints[0].resumeUrl, true, { ticket_id: 't1' }]);
    const order = api.requests.map((r) => `${r.method} ${r.path.split('/').slice(5).join('/')}`);
    assert.deepEqual(order, ['POST tickets', 'POST webhooks', 'POST webhooks', 'GET tickets/t1']);   // read after subscribing
    assert.ok(await store.get('ticketry_wait_run_1_step_1'));
  });

  it('a retried step removes the subscription its first try left', async () => {
    const run = new RunHooks('run_6', 'https://ap.example.com');
    const store = new MemoryStore();
    await action.run(actionContext(auth(), props, { run, store }));
    await action.run(actionContext(auth(), props, { run, store }));
    const deletes = api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').pop());
    assert.deepEqual(deletes, ['wh1', 'wh2']);
    assert.deepEqual(((await store.get('ticketry_wait_run_6_step_1')) as any).subscription_ids, ['wh3', 'wh4']);
  });

  it('does not pause when the ticket is already finished once subscribed', async () => {
    ticket = { ...TICKET, status: 'canceled', history: [{ id: 'h2', event: 'TICKET_UPDATED', changed_by: 'u5', timestamp: 'T2', changes: { status: { old: 'new', new: 'canceled' } }, comment: null }] };
    routes = ((inner) => (req: any) => (req.method === 'DELETE' ? { status: 204 } : inner(req)))(routes);
    const run = new RunHooks('run_2', 'https://ap.example.com');
    const result = (await action.run(actionContext(auth(), props, { run }))) as any;
    assert.deepEqual(run.waited, []);
    assert.equal(result.status, 'canceled');
    assert.equal(result.timed_out, false);
    assert.equal(result.resolved_by, 'u5');
    assert.equal(api.requests.at(-1)!.method, 'DELETE');
  });

  it('on resume gives the ticket as it is, who finished it and the last comment', async () => {
    const run = new RunHooks('run_3', 'https://ap.example.com');
    const store = new MemoryStore();
    await action.run(actionContext(auth(), props, { run, store }));
    ticket = {
      ...TICKET, status: 'resolved', resolved_at: 'T3', version: 4,
      history: [
        { id: 'h4', event: 'TICKET_UPDATED', changed_by: 'u9', timestamp: 'T3', changes: { status: { old: 'in_progress', new: 'resolved' } }, comment: null },
        { id: 'h3', event: 'COMMENT_ADDED', changed_by: 'u9', timestamp: 'T2', changes: {}, comment: 'deployed, all green' },
      ],
    };
    const result = (await action.run(actionContext(auth(), props, { run, store, executionType: 'RESUME', resumePayload: { body: {}, headers: {}, queryParams: {} } }))) as any;
    assert.equal(result.status, 'resolved');
    assert.equal(result.timed_out, false);
    assert.equal(result.finished, true);
    assert.equal(result.resolved_by, 'u9');
    assert.deepEqual(result.last_comment, { id: 'h3', body: 'deployed, all green', author: 'u9', created_at: 'T2', visibility: 'internal', via: null });
    assert.equal(result.history, undefined);
    assert.equal(await store.get('ticketry_wait_run_3_step_1'), null);
  });

  it('a stray resume before the ticket is finished waits again', async () => {
    const run = new RunHooks('run_4', 'https://ap.example.com');
    const store = new MemoryStore();
    await action.run(actionContext(auth(), props, { run, store }));
    await action.run(actionContext(auth(), props, { run, store, executionType: 'RESUME', resumePayload: { body: { forged: true }, headers: {}, queryParams: {} } }));
    assert.deepEqual(run.waited, ['wp_1', 'wp_2']);
    assert.equal(subscriptions.length, 4);
    assert.equal(subscriptions[2].url, run.waitpoints[1].resumeUrl);
  });

  it('a ticket deleted while the flow waits ends the wait with deleted: true', async () => {
    const run = new RunHooks('run_7', 'https://ap.example.com');
    const store = new MemoryStore();
    await action.run(actionContext(auth(), props, { run, store }));
    ticket = null;
    const result = (await action.run(actionContext(auth(), props, { run, store, executionType: 'RESUME', resumePayload: { body: {}, headers: {}, queryParams: {} } }))) as any;
    assert.deepEqual([result.id, result.deleted, result.finished, result.timed_out], ['t1', true, false, false]);
    assert.deepEqual(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').pop()), ['wh1', 'wh2']);
    assert.equal(await store.get('ticketry_wait_run_7_step_1'), null);
  });

  it('with a timeout, pauses until then and resumes with timed_out: true', async () => {
    const run = new RunHooks('run_5', 'https://ap.example.com');
    const store = new MemoryStore();
    const started = Date.now();
    await action.run(actionContext(auth(), { ...props, timeout_hours: 2 }, { run, store }));
    const params = run.waitpoints[0].params as any;
    assert.equal(params.type, 'DELAY');
    const deadline = Date.parse(params.resumeDateTime);
    assert.ok(Math.abs(deadline - (started + 2 * 3600_000)) < 5000);
    const state = (await store.get('ticketry_wait_run_5_step_1')) as any;
    state.deadline = new Date(Date.now() - 1000).toISOString();   // the delay has run out
    await store.put('ticketry_wait_run_5_step_1', state);
    const result = (await action.run(actionContext(auth(), props, { run, store, executionType: 'RESUME', resumePayload: { body: {}, headers: {}, queryParams: {} } }))) as any;
    assert.equal(result.timed_out, true);
    assert.equal(result.finished, false);
    assert.equal(result.status, 'new');
    assert.equal(result.resolved_by, null);
    await assert.rejects(action.run(actionContext(auth(), { ...props, timeout_hours: -1 })), /Timeout/);
  });
});
