// The project's members, for its admins: who is in, invited or signed in, and with which role.
import { http, inProject, type Schemas, send } from "./client";

export type Member = Schemas["MemberOut"];
export type Role = Member["role"];

const member = (userId: string) => ({ params: { path: { ...inProject(), user_id: userId } } });

export function listMembers() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/members", { params: { path: inProject() } }));
}

/** An address without an account gets one, invited; either way the person is emailed. */
export function addMember(body: Schemas["MemberCreate"]) {
  return send(() => http().POST("/v1/ce/projects/{project_id}/members", { params: { path: inProject() }, body }));
}

export function changeRole(userId: string, role: Role) {
  return send(() => http().PATCH("/v1/ce/projects/{project_id}/members/{user_id}", { ...member(userId), body: { role } }));
}

export function removeMember(userId: string) {
  return send(() => http().DELETE("/v1/ce/projects/{project_id}/members/{user_id}", member(userId)));
}

export function resendInvitation(userId: string) {
  return send(() => http().POST("/v1/ce/projects/{project_id}/members/{user_id}/invitation", member(userId)));
}

/** Only while the person has never signed in; afterwards they are removed instead. */
export function withdrawInvitation(userId: string) {
  return send(() => http().DELETE("/v1/ce/projects/{project_id}/members/{user_id}/invitation", member(userId)));
}
