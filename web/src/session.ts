// The tab's credentials: the API key, kept in this tab's session storage only, and the API's answer
// to GET /v1/ce/session for it (who it is, which projects it reaches), so a reload shows its page at once.
import type { SessionAnswer } from "./api/session";

const KEY = "ticketry.api_key";
const ANSWER = "ticketry.session";

export interface Session {
  key: string;
  /** The project the tab works in: the first the credentials reach (an API key reaches exactly one). */
  projectId: string;
  answer: SessionAnswer;
}

export function currentSession(): Session | null {
  const key = sessionStorage.getItem(KEY);
  const stored = sessionStorage.getItem(ANSWER);
  if (!key || !stored) return null;
  try {
    const answer = JSON.parse(stored) as SessionAnswer;
    const first = answer.projects[0];
    return first ? { key, projectId: first.id, answer } : null;
  } catch {
    return null;
  }
}

/** Keeps a key the API accepted, with what it answered; null when the key reaches no project. */
export function startSession(key: string, answer: SessionAnswer): Session | null {
  if (answer.projects.length === 0) return null;
  sessionStorage.setItem(KEY, key.trim());
  sessionStorage.setItem(ANSWER, JSON.stringify(answer));
  return currentSession();
}

export function endSession(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ANSWER);
}

/** Whether the tab's credentials reach a project. */
export function reaches(session: Session, projectId: string): boolean {
  return session.answer.projects.some((project) => project.id === projectId);
}
