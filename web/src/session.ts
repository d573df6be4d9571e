// The API key lives in this tab's session storage only; the project is the one the key names.
const STORAGE_KEY = "ticketry.api_key";
const TOKEN = /^tkt_([0-9a-z]+)_([0-9a-z]+)_[A-Za-z0-9_-]+$/;

export interface Session {
  key: string;
  projectId: string;
}

export function projectOfKey(key: string): string | null {
  const match = TOKEN.exec(key.trim());
  return match ? match[1] : null;
}

export function currentSession(): Session | null {
  const key = sessionStorage.getItem(STORAGE_KEY);
  const projectId = key ? projectOfKey(key) : null;
  return key && projectId ? { key, projectId } : null;
}

export function startSession(key: string): Session | null {
  const projectId = projectOfKey(key);
  if (!projectId) return null;
  sessionStorage.setItem(STORAGE_KEY, key.trim());
  return { key: key.trim(), projectId };
}

export function endSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
