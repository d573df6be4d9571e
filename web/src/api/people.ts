// The project and who is in it: the project itself, the people directory and the signed-in member.
import { http, inProject, type Schemas, send } from "./client";

export type Project = Schemas["ProjectOut"];
export type People = Schemas["PeopleDirectory"];
export type Member = Schemas["MemberOut"];

/** The project shown: a 404 means the account is not (or no longer) one of its members. */
export function getProject() {
  return send(() => http().GET("/v1/ce/projects/{project_id}", { params: { path: inProject() } }), { projectItself: true });
}

export function getPeople() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/people", { params: { path: inProject() } }));
}

/** The signed-in person as a member of the project shown. */
export function getMe() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/me", { params: { path: inProject() } }));
}
