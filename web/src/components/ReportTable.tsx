import type { Bucket } from "../api/reports";
import { duration } from "../sla";

/** The report's figures per bucket, as a table. */
export function ReportTable({ buckets }: { buckets: Bucket[] }) {
  return (
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
  );
}
