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

export type EmailSettings = Pick<Member, "notifications" | "notification_delivery">;
export type Delivery = Member["notification_delivery"][keyof Member["notification_delivery"]];

/** The signed-in member's own email settings in the project shown: which kinds, and each or hourly. */
export function changeMyEmail(body: Schemas["OwnMemberPatch"]) {
  return send(() => http().PATCH("/v1/ce/projects/{project_id}/me", { params: { path: inProject() }, body }));
}
