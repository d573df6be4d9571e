import "./browser";
import assert from "node:assert/strict";
import { test } from "node:test";
import { chipText, filtersOf, listPath, withFilter } from "../src/state/filters";
import { people } from "../src/state/project";

test("filters read from an address are written back the same, unknown parameters dropped", () => {
  const filters = filtersOf(new URLSearchParams("status=open,new&q=disk&bogus=1&severity="));
  assert.deepEqual(filters, { status: "open,new", q: "disk" });
  assert.equal(listPath("p1", filters), "projects/p1?q=disk&status=open%2Cnew");
  assert.equal(listPath("p1", {}, "builtin:mine"), "projects/p1?view=builtin%3Amine");
  assert.equal(listPath("p1", {}), "projects/p1");
});

test("the SLA filters and the SLA sort move together", () => {
  assert.deepEqual(withFilter({}, "sla", "breached", false).next, { sla: "breached", sort: "sla" });
  assert.deepEqual(withFilter({ sla: "breached", sort: "sla" }, "sort", "due", false).next, { sort: "due" });
  assert.deepEqual(withFilter({ sla: "at_risk", sort: "sla" }, "sla", undefined, false).next, { sort: "sla" });
});

test("typing more of a search replaces the address; starting or clearing one adds an entry", () => {
  assert.equal(withFilter({}, "q", "d", true).replace, false);
  assert.equal(withFilter({ q: "d" }, "q", "di", true).replace, true);
  assert.equal(withFilter({ q: "di" }, "q", undefined, true).replace, false);
  assert.equal(withFilter({ q: "di" }, "status", "new", false).replace, false);
});

test("chips name filters as people say them", () => {
  people.value = { members: [{ user_id: "u1", name: "Ana Ortiz" }], teams: [{ id: "pay", name: "Payments", members: [] }] };
  assert.equal(chipText("status", "open,in_progress"), "Status: Open, In progress");
  assert.equal(chipText("severity", "critical,low"), "Severity: Critical, Low");
  assert.equal(chipText("assignee", "u1"), "Assignee: Ana Ortiz");
  assert.equal(chipText("assignee", "team:pay"), "Assignee: Payments");
  assert.equal(chipText("assignee", "none"), "Assignee: Unassigned");
  assert.equal(chipText("sort", "-created"), "Sort: Oldest");
  assert.equal(chipText("created_after", "2026-12-01T00:00:00.000Z"), "Created from 2026-12-01");
  assert.equal(chipText("q", "disk"), "“disk”");
});
