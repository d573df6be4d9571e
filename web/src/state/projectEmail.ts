// The project's email channel, for its admins: the addresses mail comes in at, what a reply to a
// finished ticket does, the acknowledgement sent for a new request, and the mail log of messages
// that became no ticket (quarantined, failed, ignored), each released or deleted.
import { batch, computed, signal } from "@preact/signals";
import { asApiError, messageOf } from "../api/client";
import {
  changeProjectEmail, deleteMail, getProjectEmail, listMailLog, type MailLogEntry, type MailStatus, type ProjectEmail,
  releaseMail, type ReplyToClosed,
} from "../api/mail";
import { tell } from "./notice";

export const MAX_ALIASES = 10;
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const REPLY_TO_CLOSED: [ReplyToClosed, string, string][] = [
  ["reopen", "Reopen the ticket", "The reply is added to the ticket, which opens again."],
  ["follow_up", "Start a follow-up ticket", "A new ticket, titled like the closed one and pointing to it, takes the reply."],
];

export const MAIL_STATUSES: [MailStatus, string][] = [
  ["quarantined", "Quarantined"],
  ["failed", "Failed"],
  ["ignored", "Ignored"],
  ["released", "Released"],
];

/** The acknowledgement as a requester would read it, for a ticket with this key and title. */
export function acknowledgementFor(template: string, key: string, title: string): string {
  return template.replaceAll("{key}", key).replaceAll("{title}", title);
}

export function createProjectEmail() {
  const saved = signal<ProjectEmail | null>(null);
  const failure = signal<string | null>(null);
  const aliases = signal<string[]>([]);
  const aliasInput = signal("");
  const replyToClosed = signal<ReplyToClosed>("reopen");
  const acknowledge = signal(false);
  const acknowledgement = signal("");
  /** Problems by field: aliases, alias (the address being added), acknowledgement, form. */
  const problems = signal<Record<string, string>>({});
  const saving = signal(false);

  const changed = computed(() => {
    const current = saved.value;
    if (!current) return false;
    return aliases.value.join("\n") !== current.aliases.join("\n") || replyToClosed.value !== current.reply_to_closed
      || acknowledge.value !== current.acknowledge || acknowledgement.value !== current.acknowledgement
      || aliasInput.value.trim() !== "";
  });

  function adopt(email: ProjectEmail) {
    batch(() => {
      saved.value = email;
      aliases.value = [...email.aliases];
      replyToClosed.value = email.reply_to_closed;
      acknowledge.value = email.acknowledge;
      acknowledgement.value = email.acknowledgement;
    });
  }

  async function load() {
    failure.value = null;
    try {
      adopt((await getProjectEmail()).body.email);
    } catch (error) {
      failure.value = messageOf(error);
    }
  }

  /** Puts the address typed among the aliases (saved with the rest); answers whether it went in. */
  function addAlias(): boolean {
    const typed = aliasInput.value.trim().toLowerCase();
    const { alias: _, aliases: __, ...others } = problems.value;
    let found: string | null = null;
    if (!typed) found = "Enter an address";
    else if (!ADDRESS.test(typed)) found = "That is not an email address";
    else if (typed === saved.value?.address || aliases.value.includes(typed)) found = "That is one of the project's addresses already";
    else if (aliases.value.length >= MAX_ALIASES) found = `At most ${MAX_ALIASES} aliases`;
    problems.value = found ? { ...others, alias: found } : others;
    if (found) return false;
    batch(() => {
      aliases.value = [...aliases.value, typed];
      aliasInput.value = "";
    });
    return true;
  }

  function removeAlias(address: string) {
    aliases.value = aliases.value.filter((each) => each !== address);
  }

  async function save(): Promise<boolean> {
    // An address typed but not yet added is meant to be saved with the rest.
    if (aliasInput.value.trim() && !addAlias()) return false;
    problems.value = {};
    saving.value = true;
    try {
      const reply = await changeProjectEmail({
        aliases: aliases.value, reply_to_closed: replyToClosed.value, acknowledge: acknowledge.value,
        acknowledgement: acknowledgement.value,
      });
      adopt(reply.body.email);
      tell("Email settings saved");
      return true;
    } catch (caught) {
      const error = asApiError(caught);
      const found: Record<string, string> = {};
      for (const field of ["aliases", "reply_to_closed", "acknowledge", "acknowledgement"]) {
        const message = error.forField(`email.${field}`);
        if (message) found[field] = message;
      }
      if (error.code === "address_taken" && !found.aliases) found.aliases = error.message;
      if (Object.keys(found).length === 0) found.form = error.message;
      problems.value = found;
      return false;
    } finally {
      saving.value = false;
    }
  }

  return {
    saved, failure, aliases, aliasInput, replyToClosed, acknowledge, acknowledgement, problems, saving, changed,
    load, addAlias, removeAlias, save,
  };
}

export type ProjectEmailState = ReturnType<typeof createProjectEmail>;

export function createMailLog() {
  const entries = signal<MailLogEntry[] | null>(null);
  const cursor = signal<string | null>(null);
  const status = signal<MailStatus | null>(null);
  const failure = signal<string | null>(null);
  const forbidden = signal(false);
  /** The entries a release or deletion is on its way for, by id. */
  const busy = signal<ReadonlySet<string>>(new Set());
  let serial = 0;

  async function load(next: MailStatus | null = status.value) {
    const mine = ++serial;
    status.value = next;
    failure.value = null;
    try {
      const page = (await listMailLog(next, null)).body;
      if (mine !== serial) return;
      batch(() => {
        entries.value = page.data;
        cursor.value = page.cursor;
      });
    } catch (caught) {
      if (mine !== serial) return;
      if (asApiError(caught).status === 403) forbidden.value = true;
      else failure.value = messageOf(caught);
    }
  }

  async function loadMore() {
    if (!cursor.value) return;
    const mine = serial;
    try {
      const page = (await listMailLog(status.value, cursor.value)).body;
      if (mine !== serial) return;
      batch(() => {
        entries.value = [...(entries.value ?? []), ...page.data];
        cursor.value = page.cursor;
      });
    } catch (caught) {
      tell(messageOf(caught), "error");
    }
  }

  async function working(entry: MailLogEntry, work: () => Promise<void>) {
    busy.value = new Set([...busy.value, entry.id]);
    try {
      await work();
    } catch (caught) {
      tell(messageOf(caught), "error");
      // Someone else may have released or deleted it meanwhile: show the log as it is now.
      if ([404, 409].includes(asApiError(caught).status)) await load();
    } finally {
      busy.value = new Set([...busy.value].filter((id) => id !== entry.id));
    }
  }

  // A released entry stays in sight, as released, until the log is read again.
  const release = (entry: MailLogEntry) => working(entry, async () => {
    const released = (await releaseMail(entry.id)).body;
    entries.value = (entries.value ?? []).map((each) => (each.id === entry.id ? { ...each, ...released } : each));
    tell(`The message from ${entry.sender} was released`);
  });

  const remove = (entry: MailLogEntry) => working(entry, async () => {
    await deleteMail(entry.id);
    entries.value = (entries.value ?? []).filter((each) => each.id !== entry.id);
    tell(`The message from ${entry.sender} was deleted`);
  });

  return { entries, cursor, status, failure, forbidden, busy, load, loadMore, release, remove };
}

export type MailLogState = ReturnType<typeof createMailLog>;
