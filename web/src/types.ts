export const STATUSES = ["new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled"] as const;
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Status = (typeof STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export const FINISHED: Status[] = ["resolved", "closed", "canceled"];

export interface SlaTarget {
  minutes: number;
  business_hours: boolean;
  state: "running" | "paused" | "stopped" | "met" | "breached";
  due_at: string | null;
  at_risk_at: string | null;
  at_risk: boolean;
  elapsed_seconds: number;
  remaining_seconds: number | null;
  overrun_seconds: number | null;
  met_at: string | null;
  took_seconds: number | null;
}

export interface Sla {
  policy_version: number;
  targets: { acknowledge?: SlaTarget | null; resolve?: SlaTarget | null };
}

export interface Ticket {
  id: string;
  number: number;
  key: string;
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
  version: number;
  sla?: Sla | null;
}

export interface HistoryEntry {
  id: string;
  event: string;
  timestamp: string;
  changed_by: string;
  changes: Record<string, { old: unknown; new: unknown } | unknown>;
  comment: string | null;
}

export interface Attachment {
  id: string;
  file_name: string;
  content_type: string;
  size: number;
  status: "pending" | "available";
  uploaded_by: string;
  uploaded_at: string | null;
  download_url: string | null;
}

export interface TicketDetail extends Ticket {
  history: HistoryEntry[];
  history_cursor: string | null;
  attachments: Attachment[];
  allowed_transitions: Status[];
}

export interface Page<T> {
  data: T[];
  cursor: string | null;
}

export interface View {
  id: string;
  name: string;
  query: string;
  kind: "builtin" | "shared" | "personal";
  owner: string | null;
  count?: number;
}

export interface Project {
  id: string;
  name: string;
  key: string;
  default_assignee: string | null;
  limits: { attachment_bytes: number; attachments_per_ticket: number };
}

export interface Member {
  user_id: string;
  name: string;
  role?: string;
}

export interface People {
  members: Member[];
  teams: { id: string; name: string; members: string[] }[];
}

export interface BulkResult {
  ticket_id: string;
  key: string | null;
  status: number;
  error: { code: string; message: string } | null;
}
