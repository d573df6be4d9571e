import { answer, type Call, signedIn, ticket } from "./browser";
import { signal } from "@preact/signals";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import type { HistoryEntry } from "../src/api/comments";
import { commentMarks, commentStates } from "../src/commentHistory";
import { createCommentDraft } from "../src/state/comment";
import { chipText, filtersOf, listPath } from "../src/state/filters";
import { notice } from "../src/state/notice";
import { contactNames, nameOf } from "../src/state/project";
import { acknowledgementFor, createMailLog, createProjectEmail } from "../src/state/projectEmail";
import { createTicketPage } from "../src/state/ticketPage";

beforeEach(() => {
  signedIn();
  notice.value = null;
});

const created = { id: "c1", ticket_id: "t1", author: "u1", body: "x", created_at: "T", edited_at: null, visibility: "internal",
  mentions: [], version: 0, deleted_at: null, deleted_by: null };
const posts = (calls: Call[]) => calls.filter((call) => call.method === "POST");

test("a comment is an internal note unless Reply is chosen, and Reply is refused on a ticket without a requester", async () => {
  const calls = answer(() => ({ status: 201, body: created }));
  let added = 0;
  const draft = createCommentDraft("t1", () => null, () => (added += 1));
  assert.equal(draft.mode.value, "internal");
  draft.choose("public");
  assert.equal(draft.mode.value, "internal");
  draft.write("checked the logs");
  await draft.send();
  assert.deepEqual(posts(calls)[0].body, { comment: "checked the logs", visibility: "internal" });
  assert.equal(calls[0].path, "/v1/ce/projects/p1/tickets/t1/comments");
  assert.equal(added, 1);
  assert.equal(draft.text.value, "");
});

test("each mode keeps its own draft: a note written first is never what a reply sends", async () => {
  const calls = answer(() => ({ status: 201, body: created }));
  const draft = createCommentDraft("t1", () => "ana@example.com", () => {});
  draft.write("internal: customer is on the legacy plan");
  draft.choose("public");
  assert.equal(draft.mode.value, "public");
  assert.equal(draft.text.value, "");
  await draft.send();
  assert.equal(posts(calls).length, 0, "an empty reply is not sent, whatever the note says");
  draft.write("Hello Ana, it is fixed.");
  await draft.send();
  assert.deepEqual(posts(calls)[0].body, { comment: "Hello Ana, it is fixed.", visibility: "public" });
  assert.equal(notice.value?.text, "Reply to ana@example.com sent");
  // Sent: back to the default mode, where the note's draft still waits.
  assert.equal(draft.mode.value, "internal");
  assert.equal(draft.text.value, "internal: customer is on the legacy plan");
  await draft.send();
  assert.deepEqual(posts(calls)[1].body, { comment: "internal: customer is on the legacy plan", visibility: "internal" });
});

test("Reply lasts only while the ticket has a requester: without one, the note is what is shown and sent", async () => {
  const requester = signal<string | null>("ana@example.com");
  const calls = answer(() => ({ status: 201, body: created }));
  const draft = createCommentDraft("t1", () => requester.value, () => {});
  draft.choose("public");
  draft.write("reply text");
  requester.value = null;
  assert.equal(draft.mode.value, "internal");
  assert.equal(draft.text.value, "");
  await draft.send();
  assert.equal(posts(calls).length, 0);
  draft.write("a note");
  await draft.send();
  assert.deepEqual(posts(calls)[0].body, { comment: "a note", visibility: "internal" });
});

test("a refused reply shows the API's message and keeps the text and the mode", async () => {
  answer(() => ({ status: 409, body: { error: { code: "no_requester", message: "The ticket has no requester to reply to",
    details: [{ field: "visibility", message: "Only a ticket with a requester takes a public comment" }] } } }));
  const draft = createCommentDraft("t1", () => "ana@example.com", () => assert.fail("not added"));
  draft.choose("public");
  draft.write("Hello");
  await draft.send();
  assert.equal(draft.problem.value, "Only a ticket with a requester takes a public comment");
  assert.equal(draft.mode.value, "public");
  assert.equal(draft.text.value, "Hello");
  assert.equal(draft.sending.value, false);
});

test("a ticket with a requester reads its mail thread, and the requester's name is shown for their actor", async () => {
  const thread = { requester: { email: "ana@example.com", name: "Ana Lima", bounced_at: null }, cc: ["bob@example.com"],
    reply_address: "ops+t1abc@ticketry.local", auto_replies: [] };
  const calls = answer((call) => {
    if (call.path.endsWith("/mail-thread")) return { body: thread };
    return { body: { ...ticket(1, { requester: "ana@example.com", source: "email", reporter: "contact:ana@example.com" }),
      history: [], history_cursor: null, attachments: [], allowed_transitions: [] }, headers: { ETag: '"1"' } };
  });
  const page = createTicketPage("OPS-1");
  await page.load();
  assert.deepEqual(calls.map((call) => call.path), ["/v1/ce/projects/p1/tickets/OPS-1", "/v1/ce/projects/p1/tickets/t1/mail-thread"]);
  assert.deepEqual(page.thread.value, thread);
  assert.equal(nameOf("contact:ana@example.com"), "Ana Lima");
  assert.equal(nameOf("contact:zed@example.com"), "zed@example.com");
  contactNames.value = new Map();
});

test("a ticket without a requester asks for no mail thread", async () => {
  const calls = answer(() => ({ body: { ...ticket(2, { requester: null }), history: [], history_cursor: null, attachments: [],
    allowed_transitions: [] } }));
  const page = createTicketPage("OPS-2");
  await page.load();
  assert.equal(calls.length, 1);
  assert.equal(page.thread.value, null);
});

function entry(id: string, fields: Partial<HistoryEntry> = {}): HistoryEntry {
  return { id, ticket_id: "t1", event: "COMMENT_ADDED", timestamp: "T1", changed_by: "u1", changes: {}, comment: "x",
    comment_id: null, ...fields };
}

test("notes, replies and emailed comments are told apart, and an edit keeps what the comment was", () => {
  const states = commentStates([
    entry("n", { visibility: null }),
    entry("r", { visibility: "public" }),
    entry("e", { visibility: "public", via: "email", changed_by: "contact:ana@example.com" }),
    entry("m", { visibility: "internal", via: "email" }),
    { ...entry("u", { visibility: "public" }), event: "COMMENT_UPDATED", comment_id: "r", comment: "y", timestamp: "T2" },
  ]);
  assert.deepEqual(commentMarks(states.get("n")!), { kind: "note", verb: "commented", badges: [["note", "Internal note"]] });
  assert.deepEqual(commentMarks(states.get("r")!), { kind: "reply", verb: "replied", badges: [["reply", "Reply"]] });
  assert.deepEqual(commentMarks(states.get("e")!), { kind: "email", verb: "emailed", badges: [["email", "Received by email"]] });
  assert.deepEqual(commentMarks(states.get("m")!), { kind: "note", verb: "emailed",
    badges: [["note", "Internal note"], ["email", "Received by email"]] });
  assert.equal(states.get("r")!.body, "y");
  assert.equal(states.get("r")!.visibility, "public");
});

test("the requester's tickets are a list filter kept in the address", () => {
  assert.equal(listPath("p1", { requester: "ana@example.com" }), "projects/p1?requester=ana%40example.com");
  assert.deepEqual(filtersOf(new URLSearchParams("requester=ana%40example.com")), { requester: "ana@example.com" });
  assert.equal(chipText("requester", "ana@example.com"), "Requester: ana@example.com");
});

const email = { address: "ops@ticketry.local", aliases: ["help@example.com"], reply_to_closed: "reopen", acknowledge: false,
  acknowledgement: "We received your request {key}: {title}. Reply to this email to add to it." };

test("an alias is checked before it is added: an address, not one of the project's, at most ten", async () => {
  answer(() => ({ body: { id: "p1", email } }));
  const settings = createProjectEmail();
  await settings.load();
  assert.equal(settings.changed.value, false);
  for (const [typed, problem] of [["", "Enter an address"], ["nope", "That is not an email address"],
    ["OPS@ticketry.local", "That is one of the project's addresses already"], ["help@example.com", "That is one of the project's addresses already"]]) {
    settings.aliasInput.value = typed;
    assert.equal(settings.addAlias(), false);
    assert.equal(settings.problems.value.alias, problem);
  }
  settings.aliasInput.value = " Support@Example.com ";
  assert.equal(settings.addAlias(), true);
  assert.deepEqual(settings.aliases.value, ["help@example.com", "support@example.com"]);
  assert.equal(settings.problems.value.alias, undefined);
  assert.equal(settings.changed.value, true);
  for (let n = 0; n < 8; n++) {
    settings.aliasInput.value = `a${n}@example.com`;
    assert.equal(settings.addAlias(), true);
  }
  settings.aliasInput.value = "eleventh@example.com";
  assert.equal(settings.addAlias(), false);
  assert.equal(settings.problems.value.alias, "At most 10 aliases");
});

test("the email settings are saved in one change of the project, an alias typed but not added included", async () => {
  const calls = answer((call) => (call.method === "PATCH"
    ? { body: { id: "p1", email: { ...email, ...call.body.email } } }
    : { body: { id: "p1", email } }));
  const settings = createProjectEmail();
  await settings.load();
  settings.removeAlias("help@example.com");
  settings.aliasInput.value = "desk@example.com";
  settings.replyToClosed.value = "follow_up";
  settings.acknowledge.value = true;
  settings.acknowledgement.value = "Got it: {key}";
  assert.equal(await settings.save(), true);
  const patch = calls.find((call) => call.method === "PATCH")!;
  assert.equal(patch.path, "/v1/ce/projects/p1");
  assert.deepEqual(patch.body, { email: { aliases: ["desk@example.com"], reply_to_closed: "follow_up", acknowledge: true,
    acknowledgement: "Got it: {key}" } });
  assert.deepEqual(settings.saved.value?.aliases, ["desk@example.com"]);
  assert.equal(settings.aliasInput.value, "");
  assert.equal(settings.changed.value, false);
  assert.equal(notice.value?.text, "Email settings saved");
});

test("an alias another project holds is named at the aliases, and nothing is taken as saved", async () => {
  answer((call) => (call.method === "PATCH"
    ? { status: 409, body: { error: { code: "address_taken", message: "Another project uses that address",
      details: [{ field: "email.aliases", message: "help@example.com belongs to another project" }] } } }
    : { body: { id: "p1", email } }));
  const settings = createProjectEmail();
  await settings.load();
  settings.aliasInput.value = "desk@example.com";
  assert.equal(await settings.save(), false);
  assert.deepEqual(settings.problems.value, { aliases: "help@example.com belongs to another project" });
  assert.deepEqual(settings.saved.value?.aliases, ["help@example.com"]);
  assert.equal(settings.changed.value, true);
});

test("the acknowledgement reads as the requester gets it", () => {
  assert.equal(acknowledgementFor(email.acknowledgement, "OPS-42", "Printer on fire"),
    "We received your request OPS-42: Printer on fire. Reply to this email to add to it.");
  assert.equal(acknowledgementFor("{key} {key}", "A-1", "t"), "A-1 A-1");
});

const held = (id: string, fields: Record<string, unknown> = {}) => ({ id, sender: "x@example.com",
  subject: "Win big", status: "quarantined", reasons: ["spam: FAIL"], received_at: "2026-12-01T10:00:00+00:00", ticket_id: null, ...fields });

test("the mail log is read by status and page, and a release or deletion changes only its entry", async () => {
  const calls = answer((call) => {
    if (call.method === "GET") {
      return { body: call.query.get("cursor") ? { data: [held("m3")], cursor: null } : { data: [held("m1"), held("m2")], cursor: "next" } };
    }
    if (call.method === "POST") return { body: held("m1", { status: "released", ticket_id: "t9" }) };
    return { status: 204 };
  });
  const log = createMailLog();
  await log.load("quarantined");
  assert.equal(calls[0].path, "/v1/ce/projects/p1/mail-log");
  assert.equal(calls[0].query.get("status"), "quarantined");
  await log.loadMore();
  assert.equal(calls[1].query.get("cursor"), "next");
  assert.equal(calls[1].query.get("status"), "quarantined");
  assert.deepEqual(log.entries.value?.map((each) => each.id), ["m1", "m2", "m3"]);
  await log.release(log.entries.value![0]);
  assert.equal(calls[2].path, "/v1/ce/projects/p1/mail-log/m1/release");
  assert.equal(log.entries.value![0].status, "released");
  assert.equal(log.entries.value![0].ticket_id, "t9");
  await log.remove(log.entries.value![1]);
  assert.equal(calls[3].method, "DELETE");
  assert.equal(calls[3].path, "/v1/ce/projects/p1/mail-log/m2");
  assert.deepEqual(log.entries.value?.map((each) => each.id), ["m1", "m3"]);
  assert.equal(log.busy.value.size, 0);
});

test("the mail log says when only admins may read it", async () => {
  answer(() => ({ status: 403, body: { error: { code: "forbidden", message: "admins only", details: [] } } }));
  const log = createMailLog();
  await log.load();
  assert.equal(log.forbidden.value, true);
  assert.equal(log.entries.value, null);
});
