// Who a key is and which projects it reaches, asked before the tab keeps it.
import { http, type Schemas } from "./client";

export type SessionAnswer = Schemas["SessionOut"];

export interface KeyCheck {
  /** The API's answer when it accepted the key. */
  answer: SessionAnswer | null;
  /** The API's error code when it refused the key. */
  code: string | null;
  retryAfter: string | null;
}

/** Throws when the API cannot be reached. */
export async function checkKey(key: string): Promise<KeyCheck> {
  const { data, response, error } = await http().GET("/v1/ce/session", { headers: { Authorization: `Bearer ${key}` } });
  const code = response.ok ? null : ((error as { error?: { code?: string } } | undefined)?.error?.code ?? null);
  return { answer: response.ok ? (data ?? null) : null, code, retryAfter: response.headers.get("Retry-After") };
}
