// Who watches a ticket, and watching it or not.
import { http, inProject, type Schemas, send } from "./client";

export type Watcher = Schemas["WatcherOut"];

export function listWatchers(ticketId: string) {
  return send(() =>
    http().GET("/v1/ce/projects/{project_id}/tickets/{ticket_id}/watchers", {
      params: { path: { ...inProject(), ticket_id: ticketId } },
    }),
  );
}

export function watch(ticketId: string) {
  return send(() =>
    http().PUT("/v1/ce/projects/{project_id}/tickets/{ticket_id}/watchers/{user_id}", {
      params: { path: { ...inProject(), ticket_id: ticketId, user_id: "me" } },
    }),
  );
}

export function unwatch(ticketId: string) {
  return send(() =>
    http().DELETE("/v1/ce/projects/{project_id}/tickets/{ticket_id}/watchers/{user_id}", {
      params: { path: { ...inProject(), ticket_id: ticketId, user_id: "me" } },
    }),
  );
}
