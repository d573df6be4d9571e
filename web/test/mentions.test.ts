import "./browser";
import assert from "node:assert/strict";
import { test } from "node:test";
import { fold, insertMention, type Mentionable, mentionAt, offered } from "../src/mentions";

const PEOPLE: Mentionable[] = [
  { ref: "u1", name: "Ben Okafor", team: false },
  { ref: "u2", name: "Ána Lima", team: false },
  { ref: "u3", name: "Dan Kanaan", team: false },
  { ref: "team:t1", name: "Infrastructure", team: true },
];

test("a mention starts with @ after a space, punctuation or the start, never inside an address", () => {
  assert.deepEqual(mentionAt("hi @an", 6), { start: 3, end: 6, text: "an" });
  assert.deepEqual(mentionAt("@", 1), { start: 0, end: 1, text: "" });
  assert.deepEqual(mentionAt("(@in", 4), { start: 1, end: 4, text: "in" });
  assert.equal(mentionAt("ana@ex", 6), null);
  assert.equal(mentionAt("hi @an ", 7), null);
  assert.equal(mentionAt("hi @an", 4)?.text, "");
});

test("names match whatever their case and accents, those starting with the text first", () => {
  assert.equal(fold("Ána ZOË"), "ana zoe");
  assert.deepEqual(offered(PEOPLE, "an").map((p) => p.ref), ["u2", "u3"]);
  assert.deepEqual(offered(PEOPLE, "ÍNF").map((p) => p.ref), ["team:t1"]);
  assert.deepEqual(offered(PEOPLE, "oka").map((p) => p.ref), ["u1"]);
  assert.equal(offered(PEOPLE, "").length, 4);
});

test("the one picked replaces what was typed with its token", () => {
  const typed = "ask @an about it";
  const query = mentionAt(typed, 7)!;
  assert.deepEqual(insertMention(typed, query, PEOPLE[1]), { text: "ask <@u2> about it", caret: 10 });
  assert.deepEqual(insertMention("@inf", mentionAt("@inf", 4)!, PEOPLE[3]), { text: "<@team:t1> ", caret: 11 });
});
