// A ticket's watchers, and whether the signed-in member is one of them.
import { computed, signal } from "@preact/signals";
import { messageOf } from "../api/client";
import { listWatchers, unwatch, watch, type Watcher } from "../api/watchers";
import { me } from "./project";

export function createWatchers(ticketId: string) {
  const watchers = signal<Watcher[]>([]);
  const problem = signal<string | null>(null);
  const busy = signal(false);
  const watching = computed(() => !!me.value && watchers.value.some((w) => w.watcher === me.value!.user_id));

  async function load() {
    try {
      watchers.value = (await listWatchers(ticketId)).body.data;
      problem.value = null;
    } catch (error) {
      problem.value = messageOf(error);
    }
  }

  async function toggle() {
    if (busy.value) return;
    busy.value = true;
    try {
      if (watching.value) await unwatch(ticketId);
      else await watch(ticketId);
      await load();
    } catch (error) {
      problem.value = messageOf(error);
    } finally {
      busy.value = false;
    }
  }

  return { watchers, watching, problem, busy, load, toggle };
}

export type WatchersState = ReturnType<typeof createWatchers>;
