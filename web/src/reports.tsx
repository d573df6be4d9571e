// How the team is doing: created vs resolved, backlog, MTTA/MTTR and SLA outcomes, drawn as plain
// SVG (each chart also a table and a CSV download).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, ApiError } from "./api";
import { severityLabel } from "./format";
import { duration } from "./sla";
import { navigate } from "./router";
import { SEVERITIES } from "./types";

interface Timing {
  count: number;
  mean_seconds: number | null;
  p50_seconds: number | null;
  p90_seconds: number | null;
}

interface Figures {
  created: number;
  acknowledged: number;
  resolved: number;
  mtta: Timing;
  mttr: Timing;
  sla_met: number;
  sla_breached: number;
  backlog: number | null;
}

interface Bucket {
  start: string;
  end: string;
  severities: Record<string, Figures>;
  total: Figures;
}

interface Summary {
  from: string;
  to: string;
  bucket: "day" | "week";
  buckets: Bucket[];
}

const DAY = 86400000;
const iso = (date: Date) => date.toISOString().slice(0, 10);

function defaults(params: URLSearchParams) {
  const to = params.get("to") ?? iso(new Date());
  const from = params.get("from") ?? iso(new Date(new Date(to).getTime() - 29 * DAY));
  return { from, to, bucket: (params.get("bucket") === "week" ? "week" : "day") as "day" | "week" };
}

const WIDTH = 520;
const HEIGHT = 200;
const PAD = { left: 36, right: 8, top: 8, bottom: 28 };

function scale(max: number) {
  const top = max <= 0 ? 1 : Math.ceil(max * 1.1);
  return { top, y: (value: number) => PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - value / top) };
}

function Axes({ labels, top, y }: { labels: string[]; top: number; y: (v: number) => number }) {
  const step = Math.max(1, Math.ceil(labels.length / 8));
  const width = (WIDTH - PAD.left - PAD.right) / Math.max(labels.length, 1);
  return (
    <g aria-hidden="true">
      <line class="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} />
      {[0, top / 2, top].map((tick) => (
        <text key={tick} x={PAD.left - 4} y={y(tick) + 4} text-anchor="end">
          {Number.isInteger(tick) ? tick : tick.toFixed(1)}
        </text>
      ))}
      {labels.map((label, index) =>
        index % step === 0 ? (
          <text key={label} x={PAD.left + width * (index + 0.5)} y={HEIGHT - 8} text-anchor="middle">
            {label.slice(5)}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Bars({ title, labels, series, stacked, description }: {
  title: string;
  labels: string[];
  series: { name: string; values: number[]; className: string }[];
  stacked?: boolean;
  description: string;
}) {
  const max = stacked
    ? Math.max(0, ...labels.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0)))
    : Math.max(0, ...series.flatMap((s) => s.values));
  const { top, y } = scale(max);
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(labels.length, 1);
  const bar = stacked ? slot * 0.7 : (slot * 0.8) / series.length;
  const id = title.replace(/\W+/g, "-").toLowerCase();
  return (
    <figure class="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <desc id={`${id}-desc`}>{description}</desc>
        <Axes labels={labels} top={top} y={y} />
        {labels.map((label, i) => {
          let base = 0;
          return series.map((s, k) => {
            const value = s.values[i];
            const x = PAD.left + slot * i + (stacked ? slot * 0.15 : slot * 0.1 + bar * k);
            const y0 = stacked ? y(base + value) : y(value);
            const height = stacked ? y(base) - y(base + value) : y(0) - y(value);
            base += stacked ? value : 0;
            return (
              <rect key={`${label}-${s.name}`} class={s.className} x={x} y={y0} width={Math.max(bar - 1, 1)} height={Math.max(height, 0)}>
                <title>{`${label}: ${s.name} ${value}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <div class="legend">
        {series.map((s) => (
          <span key={s.name} class={s.className}>{s.name}</span>
        ))}
      </div>
    </figure>
  );
}

function Line({ title, labels, values, description }: { title: string; labels: string[]; values: (number | null)[]; description: string }) {
  const { top, y } = scale(Math.max(0, ...values.filter((v): v is number => v !== null)));
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(labels.length, 1);
  const points = values
    .map((value, i) => (value === null ? null : `${PAD.left + slot * (i + 0.5)},${y(value)}`))
    .filter(Boolean)
    .join(" ");
  return (
    <figure class="chart">
      <figcaption id="backlog-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="backlog-title backlog-desc">
        <desc id="backlog-desc">{description}</desc>
        <Axes labels={labels} top={top} y={y} />
        <polyline class="series-line" points={points} />
        {values.map((value, i) =>
          value === null ? null : (
            <circle key={labels[i]} class="series-a" cx={PAD.left + slot * (i + 0.5)} cy={y(value)} r={3}>
              <title>{`${labels[i]}: ${value} open`}</title>
            </circle>
          ),
        )}
      </svg>
    </figure>
  );
}

/** Means over the whole range, exact from each bucket's count and mean. */
function overallMean(buckets: Bucket[], severity: string, field: "mtta" | "mttr"): number | null {
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

function Durations({ buckets }: { buckets: Bucket[] }) {
  const rows = SEVERITIES.map((severity) => ({
    severity,
    mtta: overallMean(buckets, severity, "mtta"),
    mttr: overallMean(buckets, severity, "mttr"),
  }));
  const max = Math.max(1, ...rows.flatMap((r) => [r.mtta ?? 0, r.mttr ?? 0]));
  const rowHeight = 40;
  const labelWidth = 70;
  const width = WIDTH - labelWidth - 80;
  return (
    <figure class="chart">
      <figcaption id="durations-title">Mean time to acknowledge and to resolve, by severity</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${rows.length * rowHeight + 8}`} role="img" aria-labelledby="durations-title durations-desc">
        <desc id="durations-desc">
          {rows.map((r) => `${severityLabel(r.severity)}: MTTA ${r.mtta === null ? "none" : duration(r.mtta)}, MTTR ${r.mttr === null ? "none" : duration(r.mttr)}`).join("; ")}
        </desc>
        {rows.map((row, i) => (
          <g key={row.severity}>
            <text x={0} y={i * rowHeight + 22}>{severityLabel(row.severity)}</text>
            {(["mtta", "mttr"] as const).map((field, k) => {
              const value = row[field];
              const barWidth = value === null ? 0 : Math.max((value / max) * width, 1);
              return (
                <g key={field}>
                  <rect class={k ? "series-b" : "series-a"} x={labelWidth} y={i * rowHeight + 6 + k * 15} width={barWidth} height={12}>
                    <title>{`${severityLabel(row.severity)} ${field.toUpperCase()}: ${value === null ? "none" : duration(value)}`}</title>
                  </rect>
                  <text x={labelWidth + barWidth + 4} y={i * rowHeight + 16 + k * 15}>{value === null ? "—" : duration(value)}</text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
      <div class="legend">
        <span class="series-a">MTTA</span>
        <span class="series-b">MTTR</span>
      </div>
    </figure>
  );
}

const CSV_FIELDS = ["created", "acknowledged", "resolved", "sla_met", "sla_breached", "backlog"] as const;

function csv(summary: Summary): string {
  const header = ["start", "end", "severity", ...CSV_FIELDS,
    "mtta_count", "mtta_mean_seconds", "mtta_p50_seconds", "mtta_p90_seconds",
    "mttr_count", "mttr_mean_seconds", "mttr_p50_seconds", "mttr_p90_seconds"];
  const lines = [header.join(",")];
  for (const bucket of summary.buckets) {
    for (const severity of [...SEVERITIES, "total"]) {
      const f = severity === "total" ? bucket.total : bucket.severities[severity];
      if (!f) continue;
      const timing = (t: Timing) => [t.count, t.mean_seconds, t.p50_seconds, t.p90_seconds].map((v) => (v === null ? "" : v));
      lines.push([bucket.start, bucket.end, severity, ...CSV_FIELDS.map((k) => f[k] ?? ""), ...timing(f.mtta), ...timing(f.mttr)].join(","));
    }
  }
  return lines.join("\n") + "\n";
}

export function Reports({ projectId, params }: { projectId: string; params: URLSearchParams }) {
  const range = defaults(params);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);

  useEffect(() => {
    document.title = "Reports · Ticketry";
  }, []);

  useEffect(() => {
    setProblem(null);
    api
      .get<Summary>("/reports/summary", range)
      .then((reply) => setSummary(reply.body))
      .catch((error) => setProblem(error instanceof ApiError ? error : new ApiError(0, "error", String(error))));
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
            <Bars
              title="Created and resolved"
              labels={labels}
              description={buckets.map((b) => `${b.start}: ${b.total.created} created, ${b.total.resolved} resolved`).join("; ")}
              series={[
                { name: "Created", values: total("created"), className: "series-a" },
                { name: "Resolved", values: total("resolved"), className: "series-b" },
              ]}
            />
            <Line
              title="Backlog: open tickets at the end of each bucket"
              labels={labels}
              values={buckets.map((b) => b.total.backlog)}
              description={buckets.map((b) => `${b.start}: ${b.total.backlog ?? "not yet"} open`).join("; ")}
            />
            <Durations buckets={buckets} />
            <Bars
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
          <div class="table-wrap">
            <table class="data-table" aria-label="Report figures">
              <thead>
                <tr>
                  <th scope="col">Bucket</th>
                  <th scope="col">Created</th>
                  <th scope="col">Acknowledged</th>
                  <th scope="col">Resolved</th>
                  <th scope="col">Backlog</th>
                  <th scope="col">MTTA p50</th>
                  <th scope="col">MTTA p90</th>
                  <th scope="col">MTTR p50</th>
                  <th scope="col">MTTR p90</th>
                  <th scope="col">SLA met</th>
                  <th scope="col">SLA breached</th>
                </tr>
              </thead>
              <tbody>
                {buckets.map((b) => (
                  <tr key={b.start}>
                    <th scope="row">{b.start === b.end ? b.start : `${b.start} – ${b.end}`}</th>
                    <td>{b.total.created}</td>
                    <td>{b.total.acknowledged}</td>
                    <td>{b.total.resolved}</td>
                    <td>{b.total.backlog ?? "—"}</td>
                    <td>{b.total.mtta.p50_seconds === null ? "—" : duration(b.total.mtta.p50_seconds)}</td>
                    <td>{b.total.mtta.p90_seconds === null ? "—" : duration(b.total.mtta.p90_seconds)}</td>
                    <td>{b.total.mttr.p50_seconds === null ? "—" : duration(b.total.mttr.p50_seconds)}</td>
                    <td>{b.total.mttr.p90_seconds === null ? "—" : duration(b.total.mttr.p90_seconds)}</td>
                    <td>{b.total.sla_met}</td>
                    <td>{b.total.sla_breached}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </main>
  );
}
