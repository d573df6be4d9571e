import { useEffect, useState } from "preact/hooks";

/** The current time, renewed every `every` ms, for what counts down on screen. */
export function useNow(every: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [every]);
  return now;
}
