// Signing in: an emailed code or link, a one-time link, or a single sign-on provider. None of these
// calls needs a session; each successful one leaves the session cookie in the browser.
import { http, type Schemas, send } from "./client";

export type Provider = Schemas["ProviderOut"];

/** Emails a code and a link; the API answers the same whether or not an account has the address. */
export function emailCode(email: string, returnTo: string | null) {
  return send(() => http().POST("/v1/ce/sign-in/email", { body: returnTo ? { email, return_to: returnTo } : { email } }));
}

/** Needs the pending cookie the email request left in this browser. */
export function signInWithCode(code: string) {
  return send(() => http().POST("/v1/ce/sign-in/code", { body: { code } }));
}

export function signInWithLink(token: string) {
  return send(() => http().POST("/v1/ce/sign-in/link", { body: { token } }));
}

export function listProviders() {
  return send(() => http().GET("/v1/ce/sign-in/providers"));
}
