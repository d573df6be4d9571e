// Saved views: the built-in queues with their counts, shared and personal views.
import { http, inProject, type Schemas, send } from "./client";

export type View = Schemas["ViewOut"];
export type ViewCreate = Schemas["ViewCreate"];

export function listViews() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/views", { params: { path: inProject() } }));
}

export function createView(body: ViewCreate) {
  return send(() => http().POST("/v1/ce/projects/{project_id}/views", { params: { path: inProject() }, body }));
}

export function deleteView(viewId: string) {
  return send(() => http().DELETE("/v1/ce/projects/{project_id}/views/{view_id}", { params: { path: { ...inProject(), view_id: viewId } } }));
}
