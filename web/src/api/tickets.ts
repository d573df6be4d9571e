// Tickets: search, one ticket with its history and attachments, create, change (guarded by the ETag), bulk.
import { http, inProject, type Schemas, send } from "./client";
import type { operations } from "./schema";

export type Ticket = Schemas["TicketOut"];
export type TicketDetail = Schemas["TicketDetailOut"];
export type TicketCreate = Schemas["TicketCreate"];
export type TicketPatch = Schemas["TicketPatch"];
export type BulkChange = Schemas["BulkChange"];
export type BulkResult = Schemas["BulkResult"];
export type SearchQuery = NonNullable<operations["search_tickets"]["parameters"]["query"]>;

/** Filters as the address carries them: text the API judges (a bad one is its 400, shown as such). */
export type SearchText = Partial<Record<keyof SearchQuery, string | number | null>>;

export function searchTickets(query: SearchText) {
  return send(() => http().GET("/v1/ce/projects/{project_id}/tickets", { params: { path: inProject(), query: query as SearchQuery } }));
}

export function getTicket(ticketId: string) {
  return send(() => http().GET("/v1/ce/projects/{project_id}/tickets/{ticket_id}", { params: { path: { ...inProject(), ticket_id: ticketId } } }));
}

export function createTicket(body: TicketCreate) {
  return send(() => http().POST("/v1/ce/projects/{project_id}/tickets", { params: { path: inProject() }, body }));
}

export function changeTicket(ticketId: string, body: TicketPatch, etag: string | null) {
  return send(() =>
    http().PATCH("/v1/ce/projects/{project_id}/tickets/{ticket_id}", {
      params: { path: { ...inProject(), ticket_id: ticketId }, header: etag ? { "If-Match": etag } : undefined },
      body,
    }),
  );
}

export function changeTickets(ticketIds: string[], change: BulkChange, expectedVersions: Record<string, number>) {
  return send(() =>
    http().POST("/v1/ce/projects/{project_id}/tickets/bulk", {
      params: { path: inProject() },
      body: { ticket_ids: ticketIds, change, expected_versions: expectedVersions },
    }),
  );
}
