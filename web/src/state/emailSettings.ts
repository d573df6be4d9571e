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

  async function load() {
    try {
      const me = (await getMe()).body;
      settings.value = { notifications: me.notifications, notification_delivery: me.notification_delivery };
    } catch (error) {
      failure.value = messageOf(error);
    }
  }

  async function change(body: Parameters<typeof changeMyEmail>[0]) {
    try {
      const me = (await changeMyEmail(body)).body;
      settings.value = { notifications: me.notifications, notification_delivery: me.notification_delivery };
      tell("Email settings saved");
    } catch (error) {
      tell(messageOf(error), "error");
    }
  }

  const setWanted = (kind: Kind, wanted: boolean) => change({ notifications: { [kind]: wanted } });
  const setDelivery = (kind: Kind, delivery: Delivery) => change({ notification_delivery: { [kind]: delivery } });
  return { settings, failure, load, setWanted, setDelivery };
}
