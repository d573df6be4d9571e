import { answer, signedIn, ticket } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { createTicketList, MAX_FOLLOWS, PAGE_SIZE } from "../src/state/ticketList";

beforeEach(() => {
  signedIn();
});

test("a page follows the cursor while the API answers short pages, asking only for what is missing", async () => {
  const limits: string[] = [];
  answer((call) => {
    limits.push(call.query.get("limit")!);
    const page = Number(call.query.get("cursor") ?? 0);
    // Ten tickets a page, five pages in all.
    const data = Array.from({ length: 10 }, (_, i) => ticket(page * 10 + i));
    return { body: { data, cursor: page < 4 ? String(page + 1) : null } };
  });
  const list = createTicketList();
  await list.load({ status: "open" });
  assert.equal(list.tickets.value?.length, 50);
  assert.equal(list.cursor.value, null);
  assert.deepEqual(limits, ["50", "40", "30", "20", "10"]);
  assert.equal(list.loading.value, false);
});

test("a list that keeps answering empty pages stops after a bounded number of follows", async () => {
  const calls = answer(() => ({ body: { data: [], cursor: "more" } }));
  const list = createTicketList();
  await list.load({});
  assert.equal(calls.length, MAX_FOLLOWS + 1);
  assert.deepEqual(list.tickets.value, []);
  assert.equal(list.cursor.value, "more", "Load more is offered");
});

test("the filters are sent as the address gave them", async () => {
  const calls = answer(() => ({ body: { data: [], cursor: null } }));
  await createTicketList().load({ q: "disk full", status: "open,new", sort: "-created" });
  const query = calls[0].query;
  assert.equal(query.get("q"), "disk full");
  assert.equal(query.get("status"), "open,new");
  assert.equal(query.get("sort"), "-created");
  assert.equal(query.get("limit"), String(PAGE_SIZE));
  assert.equal(query.has("cursor"), false);
});

test("a reload keeps the selection of tickets still listed and the keyboard's row within the list", async () => {
  let rows = [ticket(1), ticket(2), ticket(3)];
  answer(() => ({ body: { data: rows, cursor: null } }));
  const list = createTicketList();
  await list.load({});
  list.selectAll(true);
  assert.equal(list.allSelected.value, true);
  list.moveTo(99);
  assert.equal(list.position.value, 2);
  rows = [ticket(2)];
  await list.load({});
  assert.deepEqual([...list.selected.value], ["t2"]);
  assert.equal(list.position.value, 0);
  list.toggle(rows[0] as never, false);
  assert.equal(list.selected.value.size, 0);
});

test("an answer to an older load never replaces a newer one", async () => {
  answer((call) => ({ body: { data: [ticket(call.query.get("q") === "old" ? 1 : 2)], cursor: null } }));
  const list = createTicketList();
  const older = list.load({ q: "old" });
  const newer = list.load({ q: "new" });
  await Promise.all([older, newer]);
  assert.deepEqual(list.tickets.value?.map((t) => t.id), ["t2"]);
});

test("a failed load shows the API's error and no rows", async () => {
  answer(() => ({ status: 400, body: { error: { code: "invalid_query", message: "sort: unknown", details: [] } } }));
  const list = createTicketList();
  await list.load({ sort: "bogus" });
  assert.equal(list.error.value?.status, 400);
  assert.equal(list.error.value?.message, "sort: unknown");
  assert.deepEqual(list.tickets.value, []);
});

test("more rows are added once each, and changes since loading are counted, not shown", async () => {
  const first = Array.from({ length: PAGE_SIZE }, (_, i) => ticket(i));
  answer((call) => {
    if (call.query.get("sort") === "updated") {
      return { body: { data: [ticket(7, { updated_at: "2999-01-01T00:00:00+00:00" }), ticket(1)], cursor: null } };
    }
    return call.query.get("cursor")
      ? { body: { data: [ticket(PAGE_SIZE - 1), ticket(PAGE_SIZE)], cursor: null } }
      : { body: { data: first, cursor: "next" } };
  });
  const list = createTicketList();
  await list.load({});
  assert.equal(list.cursor.value, "next");
  await list.loadMore({});
  assert.equal(list.tickets.value?.length, PAGE_SIZE + 1);
  assert.equal(list.cursor.value, null);
  await list.poll({});
  assert.equal(list.changed.value, 1);
  assert.equal(list.tickets.value?.length, PAGE_SIZE + 1);
});
