/* The piece against the real local stack: a trigger's subscription, a signed delivery to a
   loopback receiver handed to `run`, and a flow paused until a ticket is resolved. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ticketry } from '../src/index';
import { request } from '../src/lib/common/client';
import { actionContext, Auth, authFor, MemoryStore, payloadOf, Receiver, RunHooks, sendMail, triggerContext } from './helpers';
import { LocalStack, StackInfo } from './stack';

const DELIVERY_MS = 30_000;

describe('against the local stack', { timeout: 300_000 }, () => {
  const stack = new LocalStack();
  let info: StackInfo;
  let auth: Auth;
  let receiver: Receiver;
  const api = (method: string, path: string, body?: unknown) =>
    request(auth, method, `/v1/ce/projects/${info.project_id}${path}`, { body });

  before(async () => {
    receiver = await Receiver.start();
    info = await stack.start();
    auth = authFor(info.api_url, info.api_key);
  });

  after(async () => {
    await receiver?.close();
    await stack.stop();
  });

  it('the connection validates, and a wrong key does not', async () => {
    assert.deepEqual(await ticketry.auth!.validate!({ auth: auth.props, server: {} } as any), { valid: true });
    const wrong = await ticketry.auth!.validate!({ auth: { ...auth.props, api_key: auth.props.api_key + 'x' }, server: {} } as any);
    assert.equal((wrong as any).valid, false);
  });

  it('the API\'s OpenAPI document has every route and field the piece relies on', async () => {
    const response = await fetch(`${info.api_url}/v1/ce/openapi.json`);
    const doc = (await response.json()) as any;
    const resolve = (schema: any): any => {
      if (schema?.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()]);
      const ref = (schema?.anyOf ?? []).find((s: any) => s.$ref);
      return ref ? resolve(ref) : schema;
    };
    const project = '/v1/ce/projects/{project_id}';
    const ticket = `${project}/tickets/{ticket_id}`;
    const routes: Array<[string, string]> = [
      ['get', project], ['post', `${project}/tickets`], ['get', `${project}/tickets`], ['get', ticket], ['patch', ticket],
      ['post', `${ticket}/comments`], ['post', `${project}/webhooks`], ['get', `${project}/webhooks`],
      ['delete', `${project}/webhooks/{webhook_id}`], ['get', `${project}/members`], ['get', `${project}/teams`], ['get', `${project}/me`],
      ['get', '/v1/ce/session'],
    ];
    for (const [method, path] of routes) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    const detail = resolve(doc.paths[ticket].get.responses['200'].content['application/json'].schema);
    for (const field of ['id', 'key', 'number', 'project_id', 'title', 'description', 'status', 'severity', 'created_at', 'updated_at',
      'resolved_at', 'due_date', 'reporter', 'assignee', 'source', 'requester', 'tags', 'dedup_key', 'version', 'history', 'allowed_transitions']) {
      assert.ok(field in detail.properties, `ticket field ${field}`);
    }
    const comment = resolve(doc.paths[`${ticket}/comments`].post.requestBody.content['application/json'].schema);
    assert.deepEqual(comment.properties.visibility.enum, ['internal', 'public']);
    const subscribe = resolve(doc.paths[`${project}/webhooks`].post.requestBody.content['application/json'].schema);
    assert.ok('once' in subscribe.properties);
    const filters = resolve(subscribe.properties.filters);
    for (const field of ['ticket_id', 'status_changed_to', 'severity', 'tags', 'assignee']) assert.ok(field in filters.properties, field);
    assert.ok(filters.properties.status_changed_to.anyOf.some((s: any) => s.type === 'array'));
    const search = doc.paths[`${project}/tickets`].get.parameters.map((p: any) => p.name);
    for (const name of ['q', 'sort', 'overdue', 'status', 'severity', 'tags', 'assignee', 'reporter', 'created_after', 'created_before',
      'due_after', 'due_before', 'limit', 'cursor']) {
      assert.ok(search.includes(name), `search parameter ${name}`);
    }
  });

  it('ticket_created: enable, deliver signed, run, disable', async () => {
    const trigger = ticketry.getTrigger('ticket_created')!;
    const store = new MemoryStore();
    const props = { project_id: info.project_id, severity: ['critical'], tags: ['piece'] };
    const webhookUrl = `${receiver.url}/flows/created`;
    await trigger.onEnable(triggerContext(auth, props, store, webhookUrl, {}));
    const stored = (await store.get<{ id: string; secret: string }>('ticketry_subscription'))!;
    assert.ok(stored.id && stored.secret.startsWith('whsec_'));

    const created = (await ticketry.getAction('create_ticket')!.run(actionContext(auth, {
      project_id: info.project_id, title: 'Disk full on db-1', description: '95% on /var', severity: 'critical', tags: ['piece', 'db'], retry_safe: true,
    }))) as any;
    assert.equal(created.created, true);

    const received = await receiver.waitFor((r) => r.path === '/flows/created', DELIVERY_MS);
    const items = (await trigger.run(triggerContext(auth, props, store, webhookUrl, payloadOf(received)))) as any[];
    assert.equal(items.length, 1);
    const [item] = items;
    assert.equal(item.id, created.id);
    assert.equal(item.key, created.key);
    assert.equal(item.title, 'Disk full on db-1');
    assert.equal(item.event_type, 'TICKET_CREATED');
    assert.equal(item.event_id, received.headers['webhook-id']);
    assert.ok(item.actor);
    assert.equal(item.changes.title.new, 'Disk full on db-1');

    const got = (await ticketry.getAction('get_ticket')!.run(actionContext(auth, { project_id: info.project_id, ticket_id: item.id }))) as any;
    assert.equal(got.key, created.key);
    assert.equal(got.severity, 'critical');

    const forged = payloadOf(received);
    forged.rawBody = forged.rawBody.replace('Disk full on db-1', 'Disk full on db-2');
    assert.deepEqual(await trigger.run(triggerContext(auth, props, store, webhookUrl, forged)), []);

    await trigger.onDisable(triggerContext(auth, props, store, webhookUrl, {}));
    await assert.rejects(api('GET', `/webhooks/${stored.id}`), /404/);
    await trigger.onDisable(triggerContext(auth, props, store, webhookUrl, {}));   // again: nothing to do
  });

  it('ticket_created with the email source starts only for tickets from that source', async () => {
    const trigger = ticketry.getTrigger('ticket_created')!;
    const store = new MemoryStore();
    const props = { project_id: info.project_id, source: 'email', tags: ['by-source'] };
    const webhookUrl = `${receiver.url}/flows/by-source`;
    await trigger.onEnable(triggerContext(auth, props, store, webhookUrl, {}));
    const create = ticketry.getAction('create_ticket')!;
    const made: Record<string, any> = {};
    for (const source of ['grafana', 'email']) {
      made[source] = await create.run(actionContext(auth, {
        project_id: info.project_id, title: `Badge reader broken (${source})`, source, tags: ['by-source'], retry_safe: false,
      }));
    }
    const runs: Record<string, any[]> = {};
    for (const source of ['grafana', 'email']) {
      const received = await receiver.waitFor((r) => r.path === '/flows/by-source' && JSON.parse(r.body).data.ticket.id === made[source].id, DELIVERY_MS);
      runs[source] = await trigger.run(triggerContext(auth, props, store, webhookUrl, payloadOf(received)));
    }
    assert.deepEqual(runs['grafana'], []);
    assert.deepEqual(runs['email'].map((item) => [item.id, item.source, item.event_type]), [[made['email'].id, 'email', 'TICKET_CREATED']]);
    const shown = (await trigger.test!(triggerContext(auth, props, new MemoryStore(), webhookUrl))) as any[];
    assert.ok(shown.length >= 1 && shown.every((item) => item.source === 'email'));
    assert.ok(shown.some((item) => item.id === made['email'].id));
    await trigger.onDisable(triggerContext(auth, props, store, webhookUrl, {}));
  });

  it('comment_added shows an internal note as such; reply_to_requester refuses a ticket without requester, writing nothing', async () => {
    const trigger = ticketry.getTrigger('comment_added')!;
    const store = new MemoryStore();
    const props = { project_id: info.project_id, tags: ['notes'] };
    const webhookUrl = `${receiver.url}/flows/comments`;
    await trigger.onEnable(triggerContext(auth, props, store, webhookUrl, {}));
    const ticket = (await ticketry.getAction('create_ticket')!.run(actionContext(auth, {
      project_id: info.project_id, title: 'Printer on 2 jams', tags: ['notes'], retry_safe: false,
    }))) as any;
    assert.equal(ticket.requester, null);

    const note = (await ticketry.getAction('add_comment')!.run(actionContext(auth, {
      project_id: info.project_id, ticket_id: ticket.key, comment: 'Ordered a new roller',
    }))) as any;
    assert.deepEqual([note.visibility, note.via], ['internal', null]);
    const received = await receiver.waitFor((r) => r.path === '/flows/comments', DELIVERY_MS);
    const [item] = (await trigger.run(triggerContext(auth, props, store, webhookUrl, payloadOf(received)))) as any[];
    assert.deepEqual([item.key, item.requester, item.comment.body, item.comment.visibility, item.comment.via],
      [ticket.key, null, 'Ordered a new roller', 'internal', null]);

    await assert.rejects(
      ticketry.getAction('reply_to_requester')!.run(actionContext(auth, { project_id: info.project_id, ticket_id: ticket.key, text: 'On its way' })),
      (error: any) => {
        assert.match(error.message, new RegExp(`^Ticket ${ticket.key} has no requester to reply to: only a ticket that came in by email has one`));
        assert.deepEqual([error.status, error.code], [409, 'no_requester']);
        return true;
      },
    );
    const got = (await ticketry.getAction('get_ticket')!.run(actionContext(auth, { project_id: info.project_id, ticket_id: ticket.id }))) as any;
    assert.deepEqual(got.history.filter((h: any) => h.event === 'COMMENT_ADDED').map((h: any) => [h.comment, h.visibility]),
      [['Ordered a new roller', 'internal']]);
    await trigger.onDisable(triggerContext(auth, props, store, webhookUrl, {}));
  });

  it('by email: a mailed request starts ticket_created for the email source, reply_to_requester mails the requester, '
    + 'and the answer by email reaches comment_added as such', async () => {
    const project = (await api('GET', '')).body as { email?: { address: string | null } };
    const address = project.email?.address;
    assert.ok(info.smtp, 'the stack names its SMTP server in stack.json');
    assert.ok(address, 'the demo project has its email address');
    const sender = `ana.${Date.now()}@example.com`;
    const created = ticketry.getTrigger('ticket_created')!;
    const commented = ticketry.getTrigger('comment_added')!;
    const createdStore = new MemoryStore();
    const commentStore = new MemoryStore();
    const byEmail = { project_id: info.project_id, source: 'email' };
    await created.onEnable(triggerContext(auth, byEmail, createdStore, `${receiver.url}/flows/emailed`, {}));
    await commented.onEnable(triggerContext(auth, { project_id: info.project_id }, commentStore, `${receiver.url}/flows/emailed-comments`, {}));
    const deliveredFor = (path: string, test: (data: any) => boolean) =>
      receiver.waitFor((r) => r.path === path && test(JSON.parse(r.body).data ?? {}), DELIVERY_MS);

    await sendMail(info.smtp, sender, [address], [
      `From: Ana Lima <${sender}>`, `To: ${address}`, 'Subject: My badge does not open the 3rd floor door',
      `Message-ID: <first.${Date.now()}@example.com>`, `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8',
      '', 'Since this morning the reader blinks red.', '',
    ].join('\r\n'));
    const delivered = await deliveredFor('/flows/emailed', (data) => data.ticket?.requester === sender);
    const [ticket] = (await created.run(triggerContext(auth, byEmail, createdStore, '', payloadOf(delivered)))) as any[];
    assert.deepEqual([ticket.source, ticket.requester, ticket.actor, ticket.title],
      ['email', sender, `contact:${sender}`, 'My badge does not open the 3rd floor door']);

    const entry = (await ticketry.getAction('reply_to_requester')!.run(actionContext(auth, {
      project_id: info.project_id, ticket_id: ticket.key, text: 'A new badge is on its way to your desk.',
    }))) as any;
    assert.deepEqual([entry.event, entry.comment, entry.visibility], ['COMMENT_ADDED', 'A new badge is on its way to your desk.', 'public']);
    const replied = await deliveredFor('/flows/emailed-comments', (data) => data.ticket?.id === ticket.id && data.comment?.id === entry.id);
    const [reply] = (await commented.run(triggerContext(auth, { project_id: info.project_id }, commentStore, '', payloadOf(replied)))) as any[];
    assert.deepEqual([reply.comment.visibility, reply.comment.via, reply.requester], ['public', null, sender]);

    // The reply goes out to the requester (the stack keeps a copy of each email it sends).
    const outbox = join(stack.stateDir, 'outbox');
    const mailed = async () => {
      const deadline = Date.now() + DELIVERY_MS;
      while (Date.now() < deadline) {
        for (const name of existsSync(outbox) ? readdirSync(outbox) : []) {
          const text = readFileSync(join(outbox, name), 'utf8');
          const headers = text.split(/\r?\n\r?\n/, 1)[0];
          if (new RegExp(`^To: .*${sender.replace(/\./g, '\\.')}`, 'mi').test(headers) && headers.includes(`[${ticket.key}]`)) return headers;
        }
        await new Promise((done) => setTimeout(done, 250));
      }
      throw new Error(`no email to ${sender} in ${outbox}`);
    };
    const headers = await mailed();
    const replyTo = headers.match(/^Reply-To: .*?<?([^\s<>]+@[^\s<>]+)>?\s*$/mi)![1];
    const messageId = headers.match(/^Message-ID: (<[^>]+>)/mi)![1];

    // The requester answers the email: a public comment that came by email.
    await sendMail(info.smtp, sender, [replyTo], [
      `From: Ana Lima <${sender}>`, `To: ${replyTo}`, `Subject: Re: [${ticket.key}] My badge does not open the 3rd floor door`,
      `Message-ID: <second.${Date.now()}@example.com>`, `In-Reply-To: ${messageId}`, `References: ${messageId}`,
      `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', 'Got it, thank you!', '',
    ].join('\r\n'));
    const answered = await deliveredFor('/flows/emailed-comments', (data) => data.ticket?.id === ticket.id && data.comment?.via === 'email');
    const [answer] = (await commented.run(triggerContext(auth, { project_id: info.project_id }, commentStore, '', payloadOf(answered)))) as any[];
    assert.deepEqual([answer.comment.body.trim(), answer.comment.author, answer.comment.visibility, answer.comment.via],
      ['Got it, thank you!', `contact:${sender}`, 'public', 'email']);

    await created.onDisable(triggerContext(auth, byEmail, createdStore, '', {}));
    await commented.onDisable(triggerContext(auth, {}, commentStore, '', {}));
  });

  it('a trigger enabled with an automation key owns its subscription: another member cannot see its secret or path, nor delete it', async () => {
    const keyFor = async (body: Record<string, unknown>) =>
      authFor(info.api_url, ((await api('POST', '/api-keys', body)).body as { secret: string }).secret);
    const member = (await api('POST', '/members', { email: `mo${Date.now()}@example.com`, name: 'Mo', role: 'member' })).body as { user_id: string };
    const flow = await keyFor({ name: 'activepieces', automation: true, role: 'member' });
    const mo = await keyFor({ name: 'mo', user_id: member.user_id });
    const asMo = (method: string, path: string) => request(mo, method, `/v1/ce/projects/${info.project_id}${path}`);
    const trigger = ticketry.getTrigger('ticket_created')!;
    const store = new MemoryStore();
    const props = { project_id: info.project_id };
    const webhookUrl = `${receiver.url}/flows/owned/t0k3n`;
    await trigger.onEnable(triggerContext(flow, props, store, webhookUrl, {}));
    const stored = (await store.get<{ id: string; secret: string }>('ticketry_subscription'))!;

    const seen = (await asMo('GET', `/webhooks/${stored.id}`)).body as Record<string, unknown>;
    assert.deepEqual([seen['url'], seen['target'], seen['manageable'], 'secret' in seen], [null, receiver.url, false, false]);
    await assert.rejects(asMo('POST', `/webhooks/${stored.id}/rotate-secret`), /403/);
    await assert.rejects(asMo('DELETE', `/webhooks/${stored.id}`), /403/);
    const own = (await request(flow, 'GET', `/v1/ce/projects/${info.project_id}/webhooks/${stored.id}`)).body as Record<string, unknown>;
    assert.deepEqual([own['url'], own['manageable'], own['created_by']], [webhookUrl, true, 'automation:activepieces']);

    await trigger.onDisable(triggerContext(flow, props, store, webhookUrl, {}));
    await assert.rejects(api('GET', `/webhooks/${stored.id}`), /404/);
  });

  it('search_tickets finds tickets by their words, and bulk_update_tickets changes them by key', async () => {
    const create = ticketry.getAction('create_ticket')!;
    const word = `zeppelin${Date.now()}`;
    const made: any[] = [];
    for (const title of [`Hangar door stuck ${word}`, `Mooring line ${word} frayed`]) {
      made.push(await create.run(actionContext(auth, { project_id: info.project_id, title, description: '', severity: 'high' })));
    }
    const search = ticketry.getAction('search_tickets')!;
    const find = async (props: Record<string, unknown>) =>
      ((await search.run(actionContext(auth, { project_id: info.project_id, ...props }))) as any).tickets.map((t: any) => t.key);
    // The term index follows the tickets stream: findable within a few seconds.
    const deadline = Date.now() + DELIVERY_MS;
    let found: string[] = [];
    while (Date.now() < deadline && found.length < 2) {
      found = await find({ q: word.slice(0, -3) });
      if (found.length < 2) await new Promise((done) => setTimeout(done, 200));
    }
    assert.deepEqual(found, [made[1].key, made[0].key]);
    assert.deepEqual(await find({ q: `mooring ${word}`, sort: '-created' }), [made[1].key]);

    const bulk = (await ticketry.getAction('bulk_update_tickets')!.run(actionContext(auth, {
      project_id: info.project_id, ticket_ids: [made[0].key.toLowerCase(), made[1].key, 'NOPE-1'], status: 'acknowledged',
      comment: 'Crew notified',
    }))) as any;
    assert.deepEqual(bulk.results.map((r: any) => r.status), [200, 200, 404]);
    for (const ticket of made) {
      const got = (await ticketry.getAction('get_ticket')!.run(actionContext(auth, { project_id: info.project_id, ticket_id: ticket.key }))) as any;
      assert.equal(got.status, 'acknowledged');
      assert.ok(got.history.some((entry: any) => entry.event === 'COMMENT_ADDED' && entry.comment === 'Crew notified'));
    }
  });

  it('create_ticket_and_wait resumes when the ticket is resolved, and not before', async () => {
    const action = ticketry.getAction('create_ticket_and_wait')!;
    const run = new RunHooks('run_wait_1', `${receiver.url}/resume`);
    const store = new MemoryStore();
    const props = { project_id: info.project_id, title: 'Approve the schema change', severity: 'medium', statuses: ['resolved', 'closed', 'canceled'], retry_safe: true };
    const paused = (await action.run(actionContext(auth, props, { run, store }))) as any;
    assert.equal(paused.waiting, true);
    assert.equal(run.waited.length, 1);
    const [waitpoint] = run.waitpoints;
    const resumedAt = (r: { path: string }) => r.path === new URL(waitpoint.resumeUrl).pathname;

    // Moves that are not final, and a comment: no wake-up.
    await api('PATCH', `/tickets/${paused.id}`, { status: 'acknowledged' });
    await api('POST', `/tickets/${paused.id}/comments`, { comment: 'Looks safe, applying it' });
    await assert.rejects(receiver.waitFor(resumedAt, 4000), /no matching request/);

    await api('PATCH', `/tickets/${paused.id}`, { status: 'resolved' });
    const resume = await receiver.waitFor(resumedAt, DELIVERY_MS);
    const body = JSON.parse(resume.body);
    assert.equal(body.data.ticket.id, paused.id);

    const result = (await action.run(actionContext(auth, props, {
      run, store, executionType: 'RESUME', resumePayload: { body, headers: payloadOf(resume).headers, queryParams: {} },
    }))) as any;
    assert.equal(result.id, paused.id);
    assert.equal(result.status, 'resolved');
    assert.equal(result.timed_out, false);
    assert.equal(result.finished, true);
    assert.ok(result.resolved_by);
    assert.equal(result.last_comment.body, 'Looks safe, applying it');
    assert.equal(run.waited.length, 1);

    const hooks = (await api('GET', '/webhooks')).body as { data: Array<{ url: string }> };
    assert.deepEqual(hooks.data.filter((h) => h.url === waitpoint.resumeUrl), []);   // once: it removed itself
  });

  it('create_ticket_and_wait ends with deleted: true when the ticket is deleted instead', async () => {
    const action = ticketry.getAction('create_ticket_and_wait')!;
    const run = new RunHooks('run_wait_3', `${receiver.url}/resume3`);
    const store = new MemoryStore();
    const props = { project_id: info.project_id, title: 'Might be thrown away' };
    const paused = (await action.run(actionContext(auth, props, { run, store }))) as any;
    assert.equal(run.waited.length, 1);
    await api('DELETE', `/tickets/${paused.id}`);
    const resume = await receiver.waitFor((r) => r.path === new URL(run.waitpoints[0].resumeUrl).pathname, DELIVERY_MS);
    assert.equal(JSON.parse(resume.body).type, 'TICKET_DELETED');
    const result = (await action.run(actionContext(auth, props, {
      run, store, executionType: 'RESUME', resumePayload: { body: JSON.parse(resume.body), headers: payloadOf(resume).headers, queryParams: {} },
    }))) as any;
    assert.deepEqual([result.id, result.deleted, result.finished], [paused.id, true, false]);
    const hooks = (await api('GET', '/webhooks')).body as { data: Array<{ url: string }> };
    assert.deepEqual(hooks.data.filter((h) => h.url === run.waitpoints[0].resumeUrl), []);
  });

  it('create_ticket_and_wait does not pause for a ticket already finished', async () => {
    // Waiting for `new`: the ticket has it the moment it exists, as a ticket finished between
    // its creation and the subscription would.
    const action = ticketry.getAction('create_ticket_and_wait')!;
    const run = new RunHooks('run_wait_2', `${receiver.url}/resume2`);
    const store = new MemoryStore();
    const props = { project_id: info.project_id, title: 'Already handled', statuses: ['new'] };
    const result = (await action.run(actionContext(auth, props, { run, store }))) as any;
    assert.equal(run.waited.length, 0);
    assert.equal(result.status, 'new');
    assert.equal(result.finished, true);
    const hooks = (await api('GET', '/webhooks')).body as { data: Array<{ url: string }> };
    assert.deepEqual(hooks.data.filter((h) => h.url === run.waitpoints[0].resumeUrl), []);
  });
});
