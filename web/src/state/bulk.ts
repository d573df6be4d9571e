// One change to many tickets: what to set, and how each ticket fared.
import { signal } from "@preact/signals";
import { messageOf } from "../api/client";
import type { Severity, Status } from "../api/enums";
import { type BulkChange, type BulkResult, changeTickets, type Ticket } from "../api/tickets";
import { tell } from "./notice";

export function createBulk() {
  const status = signal<Status | "">("");
  const severity = signal<Severity | "">("");
  const assignee = signal("");
  const tags = signal("");
  const results = signal<BulkResult[] | null>(null);
  const busy = signal(false);

  function change(): BulkChange {
    const change: BulkChange = {};
    if (status.value) change.status = status.value;
    if (severity.value) change.severity = severity.value;
    if (assignee.value) change.assignee = assignee.value === "none" ? null : assignee.value;
    const added = tags.value.split(",").map((t) => t.trim()).filter(Boolean);
    if (added.length) change.add_tags = added;
    return change;
  }

  /** Applies the change to the chosen tickets, each guarded by the version on screen. */
  async function apply(chosen: Ticket[], onDone: () => void) {
    const wanted = change();
    if (Object.keys(wanted).length === 0) {
      tell("Choose a change to make first", "error");
      return;
    }
    busy.value = true;
    try {
      const versions = Object.fromEntries(chosen.map((t) => [t.id, t.version]));
      const reply = await changeTickets(Object.keys(versions), wanted, versions);
      results.value = reply.body.results;
      const changed = reply.body.results.filter((r) => r.status === 200).length;
      tell(`${changed} of ${reply.body.results.length} tickets changed`);
      status.value = "";
      severity.value = "";
      assignee.value = "";
      tags.value = "";
      onDone();
    } catch (error) {
      tell(messageOf(error), "error");
    } finally {
      busy.value = false;
    }
  }

  return { status, severity, assignee, tags, results, busy, change, apply };
}

export type Bulk = ReturnType<typeof createBulk>;
