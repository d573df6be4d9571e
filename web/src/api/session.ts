// The signed-in person: who they are and which projects they reach, their account, and their sessions.
import { http, type Schemas, send } from "./client";

export type SessionAnswer = Schemas["SessionOut"];
export type Account = Schemas["AccountOut"];
export type SignedInSession = Schemas["SignedInSession"];

/** A 401 is an answer here (nobody is signed in), not a reason to leave the page. */
export function getSession() {
  return send(() => http().GET("/v1/ce/session"), { signedOutIsAnAnswer: true });
}

/** Ends this browser's session; the API clears the cookie. */
export function endThisSession() {
  return send(() => http().DELETE("/v1/ce/session"), { signedOutIsAnAnswer: true });
}

export function listSessions() {
  return send(() => http().GET("/v1/ce/sessions"));
}

export function endSession(sessionId: string) {
  return send(() => http().DELETE("/v1/ce/sessions/{session_id}", { params: { path: { session_id: sessionId } } }));
}

/** Ends every session of the account but this browser's. */
export function endOtherSessions() {
  return send(() => http().DELETE("/v1/ce/sessions"));
}

export function getAccount() {
  return send(() => http().GET("/v1/ce/account"));
}

export function renameAccount(name: string) {
  return send(() => http().PATCH("/v1/ce/account", { body: { name } }));
}
