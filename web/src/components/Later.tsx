import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** A page few people open every day: it loads with its first visit, not with the list. */
export function Later<P extends object>({ load, props }: { load: () => Promise<ComponentType<P>>; props: P }) {
  const [Page, setPage] = useState<ComponentType<P> | null>(null);
  useEffect(() => {
    load().then((component) => setPage(() => component));
  }, []);
  return Page ? <Page {...props} /> : <p class="loading" role="status">Loading…</p>;
}
