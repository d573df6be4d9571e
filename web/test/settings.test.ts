import { answer, signedIn } from "./browser";
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { csv, overallMean, rangeOf } from "../src/state/reports";
import { createSlaPolicy, toDraft } from "../src/state/slaPolicy";

beforeEach(() => {
  signedIn();
});

test("a target is shown in the largest unit that divides it", () => {
  assert.deepEqual(toDraft({ minutes: 2880, business_hours: true }), { amount: "2", unit: "1440", business: true });
  assert.deepEqual(toDraft({ minutes: 90, business_hours: false }), { amount: "90", unit: "1", business: false });
  assert.deepEqual(toDraft({ minutes: 120, business_hours: false }), { amount: "2", unit: "60", business: false });
  assert.deepEqual(toDraft(null), { amount: "", unit: "60", business: false });
});

test("a policy's drafts are checked before saving: positive times, and business hours when a target counts them", async () => {
  const calls = answer(() => ({ status: 404, body: { error: { code: "not_found", message: "no policy", details: [] } } }));
  const policy = createSlaPolicy();
  await policy.load();
  assert.equal(policy.loaded.value, true);
  assert.equal(policy.policy.value, null);
  policy.setDraft("critical.acknowledge", { amount: "0" });
  policy.setDraft("high.resolve", { amount: "4", business: true });
  await policy.save();
  assert.deepEqual(policy.problems.value, {
    "targets.critical.acknowledge.minutes": "A positive time, at least one minute",
    "targets.high.resolve.business_hours": "Set the business hours below first",
  });
  assert.equal(calls.filter((call) => call.method === "PUT").length, 0);
});

test("a policy is saved as the drafts say and read back as the API answers", async () => {
  const saved = {
    version: 2, targets: { critical: { acknowledge: { minutes: 15, business_hours: false }, resolve: null } },
    business_hours: { time_zone: "Europe/Paris", working_days: ["mon"], start: "08:00", end: "16:00", holidays: ["2026-12-25"] },
    pause_on_deferred: false, created_at: "2026-12-01T00:00:00+00:00", created_by: "u1",
  };
  const calls = answer((call) => (call.method === "PUT" ? { body: saved } : { status: 403, body: { error: { code: "forbidden", message: "admins", details: [] } } }));
  const policy = createSlaPolicy();
  await policy.load();
  assert.equal(policy.forbidden.value, true);
  policy.setDraft("critical.acknowledge", { amount: "15", unit: "1" });
  policy.useHours.value = true;
  policy.zone.value = " Europe/Paris ";
  policy.days.value = ["mon"];
  policy.start.value = "08:00";
  policy.end.value = "16:00";
  policy.holidays.value = "2026-12-25\n";
  policy.pause.value = false;
  await policy.save();
  const put = calls.find((call) => call.method === "PUT")!;
  assert.deepEqual(put.body, {
    targets: { critical: { acknowledge: { minutes: 15, business_hours: false } } },
    business_hours: { time_zone: "Europe/Paris", working_days: ["mon"], start: "08:00", end: "16:00", holidays: ["2026-12-25"] },
    pause_on_deferred: false,
  });
  assert.equal(policy.policy.value?.version, 2);
  assert.equal(policy.drafts.value["critical.acknowledge"].amount, "15");
  assert.equal(policy.holidays.value, "2026-12-25");
});

const figures = (fields: Record<string, unknown> = {}) => ({
  created: 1, acknowledged: 1, resolved: 0, sla_met: 0, sla_breached: 0, backlog: null,
  mtta: { count: 0, mean_seconds: null, p50_seconds: null, p90_seconds: null },
  mttr: { count: 0, mean_seconds: null, p50_seconds: null, p90_seconds: null },
  ...fields,
});

test("a report's range defaults to the last 30 days by day", () => {
  assert.deepEqual(rangeOf(new URLSearchParams(""), new Date("2026-12-07T12:00:00Z")), { from: "2026-11-08", to: "2026-12-07", bucket: "day" });
  assert.deepEqual(rangeOf(new URLSearchParams("to=2026-02-01&bucket=week")), { from: "2026-01-03", to: "2026-02-01", bucket: "week" });
});

test("means over a range are weighted by each bucket's count, and the CSV has a line per severity and total", () => {
  const timing = (count: number, mean: number) => ({ count, mean_seconds: mean, p50_seconds: mean, p90_seconds: mean });
  const bucket = (start: string, mtta: ReturnType<typeof timing>) => ({
    start, end: start,
    severities: { critical: figures({ mtta }), high: figures(), medium: figures(), low: figures() },
    total: figures({ backlog: 3 }),
  });
  const buckets = [bucket("2026-12-01", timing(1, 60)), bucket("2026-12-02", timing(3, 20))];
  assert.equal(overallMean(buckets as never, "critical", "mtta"), 30);
  assert.equal(overallMean(buckets as never, "high", "mtta"), null);
  const lines = csv({ from: "2026-12-01", to: "2026-12-02", bucket: "day", buckets } as never).trimEnd().split("\n");
  assert.equal(lines.length, 1 + 2 * 5);
  assert.equal(lines[0].split(",").length, 17);
  assert.equal(lines[1], "2026-12-01,2026-12-01,critical,1,1,0,0,0,,1,60,60,60,0,,,");
  assert.equal(lines[5], "2026-12-01,2026-12-01,total,1,1,0,0,0,3,0,,,,0,,,");
});
