// How the team is doing: created vs resolved, backlog, MTTA/MTTR and SLA outcomes, drawn as plain
// SVG (each chart also a table and a CSV download).
import { useEffect, useMemo } from "preact/hooks";
import type { Figures } from "../api/reports";
import { BarChart } from "../components/BarChart";
import { DurationsChart } from "../components/DurationsChart";
import { LineChart } from "../components/LineChart";
import { ReportTable } from "../components/ReportTable";
import { navigate } from "../router";
import { createReport, csv, rangeOf } from "../state/reports";

export function Reports({ projectId, params }: { projectId: string; params: URLSearchParams }) {
  const range = rangeOf(params);
  const report = useMemo(createReport, []);
  const summary = report.summary.value;
  const problem = report.problem.value;

  useEffect(() => {
    document.title = "Reports · Ticketry";
  }, []);

  useEffect(() => {
    report.load(range);
  }, [range.from, range.to, range.bucket]);

  const download = useMemo(() => (summary ? URL.createObjectURL(new Blob([csv(summary)], { type: "text/csv" })) : null), [summary]);
  useEffect(() => () => {
    if (download) URL.revokeObjectURL(download);
  }, [download]);

  function change(name: "from" | "to" | "bucket", value: string) {
    const next = new URLSearchParams({ ...range, [name]: value });
    navigate(`projects/${projectId}/reports?${next}`, { replace: true });
  }

  const buckets = summary?.buckets ?? [];
  const labels = buckets.map((b) => b.start);
  const total = (field: keyof Figures) => buckets.map((b) => (b.total[field] as number | null) ?? 0);
  return (
    <main id="main" class="page reports">
      <h1>Reports</h1>
      <form class="report-controls" onSubmit={(e) => e.preventDefault()}>
        <div class="stacked">
          <label for="report-from">From</label>
          <input id="report-from" type="date" value={range.from} max={range.to} onChange={(e) => change("from", (e.target as HTMLInputElement).value)} />
        </div>
        <div class="stacked">
          <label for="report-to">To</label>
          <input id="report-to" type="date" value={range.to} min={range.from} onChange={(e) => change("to", (e.target as HTMLInputElement).value)} />
        </div>
        <div class="stacked">
          <label for="report-bucket">Bucket</label>
          <select id="report-bucket" value={range.bucket} onChange={(e) => change("bucket", (e.target as HTMLSelectElement).value)}>
            <option value="day">Day</option>
            <option value="week">Week</option>
          </select>
        </div>
        {download && (
          <a class="button" href={download} download={`ticketry-report-${range.from}-${range.to}-${range.bucket}.csv`}>
            Download CSV
          </a>
        )}
      </form>
      {problem && (
        <p class="alert error" role="alert">
          {problem.message}
        </p>
      )}
      {!summary && !problem && <p class="loading" role="status">Loading the report…</p>}
      {summary && (
        <>
          <div class="charts">
            <BarChart
              title="Created and resolved"
              labels={labels}
              description={buckets.map((b) => `${b.start}: ${b.total.created} created, ${b.total.resolved} resolved`).join("; ")}
              series={[
                { name: "Created", values: total("created"), className: "series-a" },
                { name: "Resolved", values: total("resolved"), className: "series-b" },
              ]}
            />
            <LineChart
              title="Backlog: open tickets at the end of each bucket"
              labels={labels}
              values={buckets.map((b) => b.total.backlog)}
              description={buckets.map((b) => `${b.start}: ${b.total.backlog ?? "not yet"} open`).join("; ")}
            />
            <DurationsChart buckets={buckets} />
            <BarChart
              title="SLA targets met and breached"
              labels={labels}
              stacked
              description={buckets.map((b) => `${b.start}: ${b.total.sla_met} met, ${b.total.sla_breached} breached`).join("; ")}
              series={[
                { name: "Met", values: total("sla_met"), className: "series-b" },
                { name: "Breached", values: total("sla_breached"), className: "series-c" },
              ]}
            />
          </div>
          <ReportTable buckets={buckets} />
        </>
      )}
    </main>
  );
}
