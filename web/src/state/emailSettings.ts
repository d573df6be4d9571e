// The signed-in member's email settings in the project shown: each kind on or off, and sent as it
// happens or gathered into an hourly digest.
import { signal } from "@preact/signals";
import { messageOf } from "../api/client";
import { changeMyEmail, type Delivery, type EmailSettings, getMe } from "../api/people";
import { tell } from "./notice";

export type Kind = keyof EmailSettings["notifications"];

export const KINDS: [Kind, string][] = [
  ["ticket_created", "A ticket you watch is created"],
  ["ticket_updated", "Its status or assignee changes"],
  ["comment_added", "Someone comments"],
  ["mentioned", "Someone mentions you"],
  ["ticket_overdue", "It is overdue"],
  ["sla", "Its SLA is at risk or breached"],
];

export function createEmailSettings() {
  const settings = signal<EmailSettings | null>(null);
  const failure = signal<string | null>(null);
  // One change at a time: each answer is the member as saved, and a second change sent before it
  // would be merged into what the first one read.
  const saving = signal(false);

  async function load() {
    try {
      const me = (await getMe()).body;
      settings.value = { notifications: me.notifications, notification_delivery: me.notification_delivery };
    } catch (error) {
      failure.value = messageOf(error);
    }
  }

  async function change(body: Parameters<typeof changeMyEmail>[0]) {
    saving.value = true;
    try {
      const me = (await changeMyEmail(body)).body;
      settings.value = { notifications: me.notifications, notification_delivery: me.notification_delivery };
      tell("Email settings saved");
    } catch (error) {
      tell(messageOf(error), "error");
      await load();
    } finally {
      saving.value = false;
    }
  }

  // Shown as chosen at once; the answer (or, on a failure, a fresh read) then says what was saved.
  function setWanted(kind: Kind, wanted: boolean) {
    const current = settings.value!;
    settings.value = { ...current, notifications: { ...current.notifications, [kind]: wanted } };
    return change({ notifications: { [kind]: wanted } });
  }

  function setDelivery(kind: Kind, delivery: Delivery) {
    const current = settings.value!;
    settings.value = { ...current, notification_delivery: { ...current.notification_delivery, [kind]: delivery } };
    return change({ notification_delivery: { [kind]: delivery } });
  }
  return { settings, failure, saving, load, setWanted, setDelivery };
}
