// Reports: created, resolved, backlog, MTTA/MTTR and SLA outcomes per day or week.
import { http, inProject, type Schemas, send } from "./client";
import type { operations } from "./schema";

export type Summary = Schemas["ReportSummary"];
export type Bucket = Schemas["ReportBucket"];
export type Figures = Schemas["Figures"];
export type Timing = Schemas["Durations"];
export type SummaryQuery = operations["report_summary"]["parameters"]["query"];

export function reportSummary(query: SummaryQuery) {
  return send(() => http().GET("/v1/ce/projects/{project_id}/reports/summary", { params: { path: inProject(), query } }));
}
