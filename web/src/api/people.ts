// The project and who is in it: the project itself, the people directory and the signed-in member.
import { http, inProject, type Schemas, send } from "./client";

export type Project = Schemas["ProjectOut"];
export type People = Schemas["PeopleDirectory"];
export type Member = Schemas["MemberOut"];

/** The key's own project: when it is gone, the key is as good as wrong. */
export function getProject() {
  return send(() => http().GET("/v1/ce/projects/{project_id}", { params: { path: inProject() } }), { wrongKeyWhenMissing: true });
}

export function getPeople() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/people", { params: { path: inProject() } }));
}

/** The member the key belongs to (automation keys belong to none: a 404). */
export function getMe() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/me", { params: { path: inProject() } }));
}
