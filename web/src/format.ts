import type { HistoryEntry } from "./api/comments";
import { nameOf } from "./state/project";

const STATUS_LABELS: Record<string, string> = {
  new: "New",
  acknowledged: "Acknowledged",
  in_progress: "In progress",
  resolved: "Resolved",
  closed: "Closed",
  deferred: "Deferred",
  canceled: "Canceled",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

export function severityLabel(severity: string): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function ago(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 45 ? "just now" : relative.format(Math.round(seconds / 60), "minute");
}

export function exact(iso: string): string {
  return absolute.format(new Date(iso));
}

export function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ["KB", "MB", "GB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** The value of a datetime-local input, in the browser's time zone, for an ISO time. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

function shown(field: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "none";
  if (field === "status") return statusLabel(String(value));
  if (field === "assignee" || field === "reporter") return nameOf(String(value));
  if (field === "due_date") return exact(String(value));
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  return String(value);
}

const FIELD_NAMES: Record<string, string> = { due_date: "due date" };

/** One change as people say it: "severity high → critical". */
export function describeChange(field: string, change: unknown): string {
  const name = FIELD_NAMES[field] ?? field.replace(/_/g, " ");
  if (change && typeof change === "object" && "new" in (change as object)) {
    const { old, new: value } = change as { old: unknown; new: unknown };
    if (field === "description") return "edited the description";
    if (field === "tags" && Array.isArray(old) && Array.isArray(value)) {
      const added = value.filter((tag) => !old.includes(tag));
      const removed = old.filter((tag) => !value.includes(tag));
      const parts = [];
      if (added.length) parts.push(`added tag${added.length > 1 ? "s" : ""} ${added.join(", ")}`);
      if (removed.length) parts.push(`removed tag${removed.length > 1 ? "s" : ""} ${removed.join(", ")}`);
      return parts.join(" and ") || "tags unchanged";
    }
    return `${name} ${shown(field, old)} → ${shown(field, value)}`;
  }
  return `${name}: ${shown(field, change)}`;
}

/** What a history entry says, without who and when. */
export function describeEntry(entry: HistoryEntry): string {
  switch (entry.event) {
    case "TICKET_CREATED":
      return "created the ticket";
    case "TICKET_DELETED":
      return "deleted the ticket";
    case "COMMENT_ADDED":
      return "commented";
    case "COMMENT_UPDATED":
      return "comment" in (entry.changes ?? {}) ? "edited a comment" : "edited a comment, since deleted";
    case "COMMENT_DELETED":
      return "deleted a comment";
    case "TICKET_OVERDUE":
      return "the ticket became overdue";
    case "DUPLICATE_RECEIVED":
      return "a duplicate report was received";
    case "ATTACHMENT_ADDED":
      return `attached ${attachmentName(entry)}`;
    case "ATTACHMENT_REMOVED":
      return `removed the attachment ${attachmentName(entry)}`;
    default:
      return Object.entries(entry.changes)
        .map(([field, change]) => describeChange(field, change))
        .join(", ") || "changed the ticket";
  }
}

function attachmentName(entry: HistoryEntry): string {
  const attachment = (entry.changes as Record<string, any>).attachment;
  return attachment?.new?.file_name ?? attachment?.old?.file_name ?? attachment?.file_name ?? "a file";
}
