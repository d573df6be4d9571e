import { useEffect, useMemo } from "preact/hooks";
import { me, nameOf } from "../state/project";
import { createWatchers } from "../state/watchers";

/** Who watches the ticket, and the signed-in member's Watch / Unwatch button. `version` reloads them after
 *  a change of the ticket (a comment or an assignment can make new watchers). */
export function Watchers({ ticketId, version }: { ticketId: string; version: string }) {
  const state = useMemo(() => createWatchers(ticketId), [ticketId]);
  useEffect(() => {
    state.load();
    // The tickets stream makes the watchers an event brings (a commenter, whoever is mentioned) a moment later.
    const again = setTimeout(state.load, 1500);
    return () => clearTimeout(again);
  }, [ticketId, version]);
  const list = state.watchers.value;
  return (
    <section class="watchers" aria-labelledby="watchers-heading">
      <h2 id="watchers-heading" class="small-heading">Watchers</h2>
      {me.value && (
        <button type="button" class="small" onClick={state.toggle} disabled={state.busy.value}>
          {state.watching.value ? "Unwatch" : "Watch"}
        </button>
      )}
      {list.length ? (
        <ul class="watcher-list">
          {list.map((watcher) => (
            <li key={watcher.watcher}>{nameOf(watcher.watcher)}</li>
          ))}
        </ul>
      ) : (
        <p class="muted small">No one watches this ticket.</p>
      )}
      {state.problem.value && <p class="field-error" role="alert">{state.problem.value}</p>}
    </section>
  );
}
