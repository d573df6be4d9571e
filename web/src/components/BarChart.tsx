import { ChartAxes } from "./ChartAxes";
import { HEIGHT, PAD, scale, WIDTH } from "./chart";

/** Bars per bucket, side by side or stacked, with a legend. */
export function BarChart({ title, labels, series, stacked, description }: {
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
        <ChartAxes labels={labels} top={top} y={y} />
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
