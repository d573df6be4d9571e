import { answer, signedIn } from "./browser";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HistoryEntry } from "../src/api/comments";
import { commentStates, wordDiff } from "../src/commentHistory";
import { createCommentEdit } from "../src/state/commentEdit";

function entry(id: string, event: HistoryEntry["event"], timestamp: string, fields: Partial<HistoryEntry> = {}): HistoryEntry {
  return { id, ticket_id: "t1", event, timestamp, changed_by: "u1", changes: {}, comment: null, comment_id: null, ...fields };
}

test("an edit shows the words it removed, then those it added, and keeps the rest", () => {
  assert.deepEqual(wordDiff("Rotated the logs on db-1", "Rotated the logs on db-2 today"), [
    { kind: "same", text: "Rotated the logs on " },
    { kind: "removed", text: "db-1" },
    { kind: "added", text: "db-2 today" },
  ]);
  assert.deepEqual(wordDiff("same", "same"), [{ kind: "same", text: "same" }]);
  assert.deepEqual(wordDiff("", "new"), [{ kind: "added", text: "new" }]);
});

test("each comment of the loaded activity is as its later edits and deletion left it, whatever the order given", () => {
  const timeline = [
    entry("c2", "COMMENT_ADDED", "T2", { comment: "second" }),
    entry("e2", "COMMENT_DELETED", "T5", { comment_id: "c2", changed_by: "admin" }),
    entry("c1", "COMMENT_ADDED", "T1", { comment: "first" }),
    entry("e1", "COMMENT_UPDATED", "T3", { comment_id: "c1", comment: "first, edited" }),
    entry("e3", "COMMENT_UPDATED", "T4", { comment_id: "c1", comment: "first, edited again" }),
    entry("x", "COMMENT_UPDATED", "T6", { comment_id: "older-than-loaded", comment: "?" }),
  ];
  const states = commentStates(timeline);
  const marks = { visibility: "internal", byEmail: false };
  assert.deepEqual(states.get("c1"), { body: "first, edited again", ...marks, editedAt: "T4", deletedAt: null, deletedBy: null });
  assert.deepEqual(states.get("c2"), { body: "", ...marks, editedAt: null, deletedAt: "T5", deletedBy: "admin" });
  assert.equal(states.size, 2);
});

function comment(fields: Record<string, unknown> = {}) {
  return { id: "c1", ticket_id: "t1", author: "u1", body: "theirs", created_at: "T1", edited_at: "T2", visibility: "public",
    mentions: [], version: 1, deleted_at: null, deleted_by: null, ...fields };
}

test("an edit refused as stale keeps the draft, shows the latest text and is then made against it", async () => {
  signedIn();
  let version = 0;
  const calls = answer((call) => {
    if (call.method === "GET") return { body: comment({ version }), headers: { ETag: `"${version}"` } };
    if (call.headers.get("If-Match") === '"1"') return { body: comment({ body: call.body.comment, version: 2 }) };
    return { status: 412, body: { error: { code: "precondition_failed", message: "changed", details: [] } } };
  });
  let changed = 0;
  const edit = createCommentEdit("t1", "c1", () => changed++);
  await edit.startEdit();
  edit.draft.value = "mine";
  version = 1; // someone else's edit lands meanwhile
  await edit.save();
  assert.equal(edit.changedMeanwhile.value, "theirs");
  assert.equal(edit.draft.value, "mine");
  assert.equal(changed, 0);
  await edit.save();
  assert.equal(edit.draft.value, null);
  assert.equal(changed, 1);
  assert.deepEqual(calls.filter((c) => c.method === "PATCH").map((c) => c.headers.get("If-Match")), ['"0"', '"1"']);
});

test("an edit of a comment deleted meanwhile ends the editing and reloads", async () => {
  signedIn();
  let deleted: string | null = null;
  answer((call) => call.method === "GET" ? { body: comment({ deleted_at: deleted, body: deleted ? "" : "theirs" }), headers: { ETag: '"1"' } }
    : { status: 412, body: { error: { code: "precondition_failed", message: "changed", details: [] } } });
  let changed = 0;
  const edit = createCommentEdit("t1", "c1", () => changed++);
  await edit.startEdit();
  edit.draft.value = "mine";
  deleted = "T3";
  await edit.save();
  assert.deepEqual([edit.draft.value, edit.changedMeanwhile.value, changed], [null, null, 1]);
});
