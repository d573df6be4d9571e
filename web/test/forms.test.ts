import { answer, signedIn, ticket } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { createBulk } from "../src/state/bulk";
import { checkTicket, createNewTicket } from "../src/state/newTicket";
import { notice } from "../src/state/notice";
import { createTicketPage } from "../src/state/ticketPage";

beforeEach(() => {
  signedIn();
  notice.value = null;
});

test("a new ticket is checked by the API's own limits before it is sent", () => {
  assert.deepEqual(checkTicket({ title: " ", description: "", tags: "", due: "" }), { title: "A ticket needs a title" });
  const tags = Array.from({ length: 21 }, (_, i) => `t${i}`).join(",");
  assert.deepEqual(checkTicket({ title: "x".repeat(257), description: "", tags, due: "not a day" }), {
    title: "At most 256 characters (now 257)",
    tags: "At most 20 tags",
    due_date: "Not a date and time",
  });
});

test("a new ticket leaves out what was not chosen, and shows the API's messages by field", async () => {
  const calls = answer(() => ({ status: 400, body: { error: { code: "invalid", message: "Invalid ticket", details: [{ field: "tags.0", message: "bad tag" }] } } }));
  const form = createNewTicket();
  form.title.value = "  Disk full ";
  form.tags.value = "DB, ,Ops";
  assert.equal(await form.submit(), null);
  assert.deepEqual(calls[0].body, { title: "Disk full", description: "", severity: "medium", tags: ["db", "ops"], source: "web" });
  assert.deepEqual(form.problems.value, { tags: "bad tag" });
  assert.equal(form.general.value, "Invalid ticket");
  assert.equal(form.sending.value, false);
});

test("a bulk change with nothing chosen sends nothing", async () => {
  const calls = answer(() => ({ body: { results: [] } }));
  const bulk = createBulk();
  await bulk.apply([ticket(1) as never], () => assert.fail("nothing was done"));
  assert.equal(calls.length, 0);
  assert.deepEqual(notice.value, { text: "Choose a change to make first", tone: "error" });
});

test("a bulk change guards each ticket by the version on screen and reports how many changed", async () => {
  const calls = answer(() => ({ body: { results: [
    { ticket_id: "t1", id: "t1", key: "OPS-1", status: 200, version: 3, error: null, allowed_transitions: null },
    { ticket_id: "t2", id: "t2", key: "OPS-2", status: 409, version: null, error: { code: "conflict", message: "moved", details: [] }, allowed_transitions: null },
  ] } }));
  const bulk = createBulk();
  bulk.status.value = "resolved";
  bulk.assignee.value = "none";
  bulk.tags.value = "db, ops";
  let done = 0;
  await bulk.apply([ticket(1, { version: 2 }), ticket(2, { version: 5 })] as never, () => (done += 1));
  assert.equal(calls[0].path, "/v1/ce/projects/p1/tickets/bulk");
  assert.deepEqual(calls[0].body, {
    ticket_ids: ["t1", "t2"],
    change: { status: "resolved", assignee: null, add_tags: ["db", "ops"] },
    expected_versions: { t1: 2, t2: 5 },
  });
  assert.equal(done, 1);
  assert.equal(bulk.results.value?.length, 2);
  assert.equal(notice.value?.text, "1 of 2 tickets changed");
  assert.equal(bulk.status.value, "");
  assert.equal(bulk.tags.value, "");
});

test("a ticket's change is guarded by its ETag, and a conflict is shown, not applied", async () => {
  let patched = 0;
  const calls = answer((call) => {
    if (call.method === "PATCH") {
      patched += 1;
      return patched === 1 ? { body: ticket(1) } : { status: 412, body: { error: { code: "precondition_failed", message: "changed", details: [] } } };
    }
    return { body: { ...ticket(1), history: [], history_cursor: null, attachments: [], allowed_transitions: ["acknowledged"] }, headers: { ETag: '"1"' } };
  });
  const page = createTicketPage("OPS-1");
  await page.load();
  assert.equal(page.etag.value, '"1"');
  assert.equal(await page.change({ severity: "high" }), true);
  const patch = calls.find((call) => call.method === "PATCH")!;
  assert.equal(patch.headers.get("If-Match"), '"1"');
  assert.deepEqual(patch.body, { severity: "high" });
  assert.equal(await page.change({ severity: "low" }), false);
  assert.equal(page.conflict.value, true);
});

test("a ticket's change refused by field shows each field's message", async () => {
  answer((call) => call.method === "PATCH"
    ? { status: 400, body: { error: { code: "invalid", message: "Invalid change", details: [{ field: "title", message: "too long" }] } } }
    : { body: { ...ticket(1), history: [], history_cursor: null, attachments: [], allowed_transitions: [] } });
  const page = createTicketPage("OPS-1");
  await page.load();
  assert.equal(await page.change({ title: "x" }), false);
  assert.deepEqual(page.fieldProblem.value, { title: "too long" });
  assert.deepEqual(notice.value, { text: "Invalid change", tone: "error" });
});
