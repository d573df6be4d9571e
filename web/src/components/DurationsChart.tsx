import type { Bucket } from "../api/reports";
import { SEVERITIES } from "../api/enums";
import { severityLabel } from "../format";
import { duration } from "../sla";
import { overallMean } from "../state/reports";
import { WIDTH } from "./chart";

/** Mean time to acknowledge and to resolve per severity, as horizontal bars. */
export function DurationsChart({ buckets }: { buckets: Bucket[] }) {
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
