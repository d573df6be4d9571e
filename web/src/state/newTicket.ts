// A new ticket being written: the API's own rules checked before sending, and its answers by field.
import { signal } from "@preact/signals";
import { ApiError, messageOf } from "../api/client";
import type { Severity } from "../api/enums";
import { createTicket, type Ticket, type TicketCreate } from "../api/tickets";
import { fromLocalInput } from "../format";

// The same limits as the API's TicketCreate.
export const MAX_TITLE = 256;
const MAX_DESCRIPTION = 65536;
const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;

export type Field = "title" | "description" | "severity" | "assignee" | "tags" | "due_date";
export type Problems = Partial<Record<Field, string>>;

export function parseTags(text: string): string[] {
  return text.split(",").map((tag) => tag.trim().toLowerCase()).filter(Boolean);
}

export function checkTicket(values: { title: string; description: string; tags: string; due: string }): Problems {
  const problems: Problems = {};
  if (!values.title.trim()) problems.title = "A ticket needs a title";
  else if (values.title.length > MAX_TITLE) problems.title = `At most ${MAX_TITLE} characters (now ${values.title.length})`;
  if (values.description.length > MAX_DESCRIPTION) problems.description = `At most ${MAX_DESCRIPTION} characters`;
  const tags = parseTags(values.tags);
  if (tags.length > MAX_TAGS) problems.tags = `At most ${MAX_TAGS} tags`;
  else if (tags.some((tag) => tag.length > MAX_TAG_LENGTH)) problems.tags = `A tag has at most ${MAX_TAG_LENGTH} characters`;
  if (values.due && Number.isNaN(new Date(values.due).getTime())) problems.due_date = "Not a date and time";
  return problems;
}

export function createNewTicket() {
  const title = signal("");
  const description = signal("");
  const severity = signal<Severity>("medium");
  const assignee = signal("");
  const tags = signal("");
  const due = signal("");
  const problems = signal<Problems>({});
  const general = signal<string | null>(null);
  const sending = signal(false);

  /** Checks and sends the ticket; answers the created ticket, or null with the problems set. */
  async function submit(): Promise<Ticket | null> {
    const found = checkTicket({ title: title.value, description: description.value, tags: tags.value, due: due.value });
    problems.value = found;
    general.value = null;
    if (Object.keys(found).length) return null;
    sending.value = true;
    try {
      const body: TicketCreate = { title: title.value.trim(), description: description.value, severity: severity.value, tags: parseTags(tags.value), source: "web" };
      if (assignee.value) body.assignee = assignee.value;
      if (due.value) body.due_date = fromLocalInput(due.value);
      return (await createTicket(body)).body;
    } catch (error) {
      if (error instanceof ApiError && error.details.length) {
        const byField: Problems = {};
        for (const detail of error.details) byField[detail.field.split(".")[0] as Field] = detail.message;
        problems.value = byField;
      }
      general.value = messageOf(error);
      return null;
    } finally {
      sending.value = false;
    }
  }

  return { title, description, severity, assignee, tags, due, problems, general, sending, submit };
}
