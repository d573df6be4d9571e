import { HEIGHT, PAD, WIDTH } from "./chart";

/** A chart's baseline, three ticks up the side, and at most eight date labels along the bottom. */
export function ChartAxes({ labels, top, y }: { labels: string[]; top: number; y: (v: number) => number }) {
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
