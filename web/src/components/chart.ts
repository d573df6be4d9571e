// The charts' shared geometry: one drawing size, its margins, and a vertical scale with headroom.
export const WIDTH = 520;
export const HEIGHT = 200;
export const PAD = { left: 36, right: 8, top: 8, bottom: 28 };

export function scale(max: number) {
  const top = max <= 0 ? 1 : Math.ceil(max * 1.1);
  return { top, y: (value: number) => PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - value / top) };
}
