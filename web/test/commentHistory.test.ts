import assert from "node:assert/strict";
import { test } from "node:test";
import type { HistoryEntry } from "../src/api/comments";
import { commentStates, wordDiff } from "../src/commentHistory";

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
  assert.deepEqual(states.get("c1"), { body: "first, edited again", editedAt: "T4", deletedAt: null, deletedBy: null });
  assert.deepEqual(states.get("c2"), { body: "", editedAt: null, deletedAt: "T5", deletedBy: "admin" });
  assert.equal(states.size, 2);
});
