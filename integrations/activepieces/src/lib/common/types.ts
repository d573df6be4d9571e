/* The API shapes the piece reads (see docs/api.md and docs/webhooks.md, and the OpenAPI
   document at /v1/ce/openapi.json). */

export const STATUSES = ['new', 'acknowledged', 'in_progress', 'resolved', 'closed', 'deferred', 'canceled'] as const;
export type Status = (typeof STATUSES)[number];
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const FINAL_STATUSES: Status[] = ['resolved', 'closed', 'canceled'];

export type Ticket = {
  id: string;
  number: number;
  key: string;
  project_id: string;
  title: string;
  description: string;
  status: Status;
  severity: Severity;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  due_date: string | null;
  reporter: string;
  assignee: string | null;
  source: string;
  tags: string[];
  dedup_key: string | null;
  version: number;
  [field: string]: unknown;
};

export type HistoryEntry = {
  id: string;
  ticket_id: string;
  event: string;
  timestamp: string;
  changed_by: string;
  changes: Record<string, { old?: unknown; new?: unknown }>;
  comment: string | null;
};

export type TicketWithHistory = Ticket & {
  history?: HistoryEntry[];
  history_cursor?: string | null;
  allowed_transitions?: Status[];
};

export type Page<T> = { data: T[]; cursor: string | null };

export type WebhookFilters = {
  status_changed_to?: Status | Status[];
  severity?: Severity[];
  tags?: string[];
  assignee?: string;
  ticket_id?: string;
};

/** Whole for its owner (the key that subscribed it, for an automation key) and admins: other
 * members read `url: null`, only the `target`'s scheme and host, and never a secret. */
export type WebhookSubscription = {
  id: string;
  name: string;
  event_type: string;
  url: string | null;
  target: string;
  filters: WebhookFilters;
  created_by: string;
  manageable: boolean;
  active: boolean;
  once: boolean;
  secret?: string;
};

export type WebhookEvent = {
  type: string;
  timestamp: string;
  data: {
    project_id: string;
    actor: string;
    ticket: Ticket;
    changes?: Record<string, { old?: unknown; new?: unknown }>;
    comment?: { id: string; body: string; author: string; created_at: string };
    attachment?: Record<string, unknown>;
  };
};

export type Project = { id: string; name: string; key: string; [field: string]: unknown };
export type Member = { user_id: string; name: string; email: string; role: string; [field: string]: unknown };
export type Team = { id: string; name: string; [field: string]: unknown };
