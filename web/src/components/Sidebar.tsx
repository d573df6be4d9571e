import type { View } from "../api/views";
import { navigate } from "../router";
import { type Filters, listPath } from "../state/filters";
import { me } from "../state/project";
import type { Views } from "../state/views";
import { Icon } from "./Icon";
import { InboxLink } from "./InboxLink";

/** The views beside the list, and saving the current filters as a view. */
export function Sidebar({ projectId, views, current, filters }: {
  projectId: string;
  views: Views;
  current: string | null;
  filters: Filters;
}) {
  const query = listPath(projectId, filters).split("?")[1] ?? "";
  const all = views.views.value;

  async function save(event: Event) {
    event.preventDefault();
    const saved = await views.save(query);
    if (saved) navigate(listPath(projectId, filters, saved.id), { replace: true });
  }

  const mine = (view: View) => view.kind !== "builtin" && me.value && view.owner === me.value.user_id;
  const groups: [string, View[]][] = [
    ["Queues", (all ?? []).filter((view) => view.kind === "builtin")],
    ["Shared views", (all ?? []).filter((view) => view.kind === "shared")],
    ["My views", (all ?? []).filter((view) => view.kind === "personal")],
  ];
  return (
    <nav class="sidebar" aria-label="Views">
      <InboxLink current={false} class="view" />
      <a class={`view ${!current && !query ? "current" : ""}`} href={`projects/${projectId}`} aria-current={!current && !query ? "page" : undefined}>
        All tickets
      </a>
      {all === null && <p class="muted small">Loading views…</p>}
      {groups.map(([title, list]) =>
        list.length === 0 ? null : (
          <section key={title}>
            <h2>{title}</h2>
            <ul>
              {list.map((view) => (
                <li key={view.id}>
                  <a
                    class={`view ${view.id === current ? "current" : ""}`}
                    href={`projects/${projectId}?${view.query}${view.query ? "&" : ""}view=${encodeURIComponent(view.id)}`}
                    aria-current={view.id === current ? "page" : undefined}
                  >
                    <span>{view.name}</span>
                    {view.count !== undefined && <span class="count" aria-label={`${view.count} tickets`}>{view.count}</span>}
                  </a>
                  {mine(view) && (
                    <button type="button" class="ghost tiny" aria-label={`Delete view ${view.name}`} onClick={() => views.remove(view)}>
                      <Icon name="x" size={12} />
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ),
      )}
      {views.saving.value ? (
        <form class="save-view" onSubmit={save}>
          <label for="view-name">View name</label>
          <input id="view-name" value={views.name.value} maxLength={100} required onInput={(e) => (views.name.value = (e.target as HTMLInputElement).value)} />
          <label class="check">
            <input type="checkbox" checked={views.shared.value} onChange={(e) => (views.shared.value = (e.target as HTMLInputElement).checked)} />
            Shared with the project
          </label>
          {views.problem.value && <p class="field-error" role="alert">{views.problem.value}</p>}
          <div class="row">
            <button type="submit" class="primary" disabled={!views.name.value.trim()}>
              Save view
            </button>
            <button type="button" onClick={() => (views.saving.value = false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="ghost" onClick={() => (views.saving.value = true)} disabled={!query}>
          <Icon name="save" /> Save current filters as a view
        </button>
      )}
    </nav>
  );
}
