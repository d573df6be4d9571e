// Whether a key works, asked before the tab keeps it.
import { http } from "./client";

export interface KeyCheck {
  accepted: boolean;
  /** The API's error code when it refused the key. */
  code: string | null;
  retryAfter: string | null;
}

/** Throws when the API cannot be reached. */
export async function checkKey(key: string, projectId: string): Promise<KeyCheck> {
  const { response, error } = await http().GET("/v1/ce/projects/{project_id}", {
    params: { path: { project_id: projectId } },
    headers: { Authorization: `Bearer ${key}` },
  });
  const code = response.ok ? null : ((error as { error?: { code?: string } } | undefined)?.error?.code ?? null);
  return { accepted: response.ok, code, retryAfter: response.headers.get("Retry-After") };
}
