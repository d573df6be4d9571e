// The report's range (kept in the address), its figures, and the same figures as CSV.
import { signal } from "@preact/signals";
import { ApiError, asApiError } from "../api/client";
import { SEVERITIES } from "../api/enums";
import { type Bucket, reportSummary, type Summary, type Timing } from "../api/reports";

const DAY = 86400000;
const iso = (date: Date) => date.toISOString().slice(0, 10);

export interface Range {
  from: string;
  to: string;
  bucket: "day" | "week";
}

/** The range in the address, else the last 30 days by day. */
export function rangeOf(params: URLSearchParams, today = new Date()): Range {
  const to = params.get("to") ?? iso(today);
  const from = params.get("from") ?? iso(new Date(new Date(to).getTime() - 29 * DAY));
  return { from, to, bucket: params.get("bucket") === "week" ? "week" : "day" };
}

/** Means over the whole range, exact from each bucket's count and mean. */
export function overallMean(buckets: Bucket[], severity: (typeof SEVERITIES)[number], field: "mtta" | "mttr"): number | null {
  let count = 0;
  let total = 0;
  for (const bucket of buckets) {
    const timing = bucket.severities[severity]?.[field];
    if (timing?.count && timing.mean_seconds !== null) {
      count += timing.count;
      total += timing.count * timing.mean_seconds;
    }
  }
  return count ? total / count : null;
}

const CSV_FIELDS = ["created", "acknowledged", "resolved", "sla_met", "sla_breached", "backlog"] as const;

export function csv(summary: Summary): string {
  const header = ["start", "end", "severity", ...CSV_FIELDS,
    "mtta_count", "mtta_mean_seconds", "mtta_p50_seconds", "mtta_p90_seconds",
    "mttr_count", "mttr_mean_seconds", "mttr_p50_seconds", "mttr_p90_seconds"];
  const lines = [header.join(",")];
  for (const bucket of summary.buckets) {
    for (const severity of [...SEVERITIES, "total"] as const) {
      const f = severity === "total" ? bucket.total : bucket.severities[severity];
      if (!f) continue;
      const timing = (t: Timing) => [t.count, t.mean_seconds, t.p50_seconds, t.p90_seconds].map((v) => (v === null ? "" : v));
      lines.push([bucket.start, bucket.end, severity, ...CSV_FIELDS.map((k) => f[k] ?? ""), ...timing(f.mtta), ...timing(f.mttr)].join(","));
    }
  }
  return lines.join("\n") + "\n";
}

export function createReport() {
  const summary = signal<Summary | null>(null);
  const problem = signal<ApiError | null>(null);

  function load(range: Range) {
    problem.value = null;
    return reportSummary(range)
      .then((reply) => (summary.value = reply.body))
      .catch((error) => (problem.value = asApiError(error)));
  }

  return { summary, problem, load };
}
