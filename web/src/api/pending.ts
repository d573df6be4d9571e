// The shapes of the sign-in, session and member routes as the design names them, until the contract
// (docs/openapi.json) carries them and schema.d.ts is generated from it.
import type { Client } from "openapi-fetch";
import { http } from "./client";

export interface SessionPrincipal {
  kind: "api_key" | "session";
  key_id: string | null;
  session_id: string | null;
  account_id: string | null;
  actor: string | null;
  user_id: string | null;
  name: string | null;
  email: string | null;
}
export interface SessionProject {
  id: string;
  key: string;
  name: string;
  role: "admin" | "member" | "viewer";
}
export interface SessionOut {
  principal: SessionPrincipal;
  projects: SessionProject[];
}
export interface SignInStarted {
  expires_in: number;
  code_length: number;
}
export interface Provider {
  id: string;
  name: string;
  start_url: string;
}
export interface SignedInSession {
  id: string;
  current: boolean;
  created_at: string;
  last_used_at: string;
  ip: string | null;
  user_agent: string | null;
  device: string | null;
  method: string;
}
export interface Account {
  id: string;
  email: string;
  name: string;
  created_at: string;
  last_sign_in_at: string | null;
}
export interface Member {
  user_id: string;
  email: string;
  name: string;
  role: "admin" | "member" | "viewer";
  account_id: string | null;
  state: "invited" | "active";
  last_sign_in_at: string | null;
}

export const untyped = () => http() as unknown as Client<any>;
