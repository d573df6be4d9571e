import { ChartAxes } from "./ChartAxes";
import { HEIGHT, PAD, scale, WIDTH } from "./chart";

/** One series as a line with a point per bucket (a bucket without a value has none). */
export function LineChart({ title, labels, values, description }: { title: string; labels: string[]; values: (number | null)[]; description: string }) {
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
        <ChartAxes labels={labels} top={top} y={y} />
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
