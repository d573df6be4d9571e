// The sidebar's views: the queues, shared and personal views, and saving the current filters as one.
import { signal } from "@preact/signals";
import { ApiError, messageOf } from "../api/client";
import { createView, deleteView, listViews, type View } from "../api/views";
import { tell } from "./notice";

export function createViews() {
  const views = signal<View[] | null>(null);
  const saving = signal(false);
  const name = signal("");
  const shared = signal(false);
  const problem = signal<string | null>(null);

  async function load() {
    try {
      views.value = (await listViews()).body.data;
    } catch {
      views.value = [];
    }
  }

  /** Saves the filters (an address's query) as a view; answers the new view, or null when refused. */
  async function save(query: string): Promise<View | null> {
    try {
      const reply = await createView({ name: name.value.trim(), query, shared: shared.value });
      saving.value = false;
      name.value = "";
      problem.value = null;
      tell(`View “${reply.body.name}” saved`);
      load();
      return reply.body;
    } catch (error) {
      problem.value = error instanceof ApiError ? error.forField("name") ?? error.forField("query") ?? error.message : String(error);
      return null;
    }
  }

  async function remove(view: View) {
    try {
      await deleteView(view.id);
      tell(`View “${view.name}” deleted`);
      load();
    } catch (error) {
      tell(messageOf(error), "error");
    }
  }

  return { views, saving, name, shared, problem, load, save, remove };
}

export type Views = ReturnType<typeof createViews>;
