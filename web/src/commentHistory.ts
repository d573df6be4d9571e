// What a ticket's loaded activity tells of each comment in it, and an edit as the words it removed
// and added. Pure: tested without a browser.
import type { HistoryEntry } from "./api/comments";

export interface CommentState {
  body: string;
  /** Internal notes stay in Ticketry; public comments are the email thread with the requester. */
  visibility: "internal" | "public";
  /** Came in by email (the requester's, or a member's answer to a ticket email). */
  byEmail: boolean;
  editedAt: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
}

/**
 * Each comment of the activity as it is now, by id. The activity is loaded newest first down to some
 * point, so every edit and deletion of a comment shown is loaded with it (they come after it).
 */
export function commentStates(timeline: HistoryEntry[]): Map<string, CommentState> {
  const states = new Map<string, CommentState>();
  // Comments first: an edit within the millisecond of its comment may sort before it.
  const ordered = [...timeline].sort((a, b) => rank(a) - rank(b) || (a.timestamp === b.timestamp ? (a.id < b.id ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
  for (const entry of ordered) {
    if (entry.event === "COMMENT_ADDED") {
      states.set(entry.id, {
        body: entry.comment ?? "", visibility: entry.visibility === "public" ? "public" : "internal", byEmail: entry.via === "email",
        editedAt: null, deletedAt: null, deletedBy: null,
      });
      continue;
    }
    const state = entry.comment_id ? states.get(entry.comment_id) : undefined;
    if (!state) continue;
    if (entry.event === "COMMENT_UPDATED") {
      state.body = entry.comment ?? state.body;
      state.editedAt = entry.timestamp;
    } else if (entry.event === "COMMENT_DELETED") {
      Object.assign(state, { body: "", deletedAt: entry.timestamp, deletedBy: entry.changed_by });
    }
  }
  return states;
}

/** How a comment is marked: internal notes apart from the email thread with the requester. */
export function commentMarks(state: Pick<CommentState, "visibility" | "byEmail">): { kind: string; verb: string; badges: [string, string][] } {
  const badges: [string, string][] = [];
  if (state.visibility === "internal") badges.push(["note", "Internal note"]);
  else if (!state.byEmail) badges.push(["reply", "Reply"]);
  if (state.byEmail) badges.push(["email", "Received by email"]);
  const kind = state.visibility === "internal" ? "note" : state.byEmail ? "email" : "reply";
  const verb = state.byEmail ? "emailed" : state.visibility === "public" ? "replied" : "commented";
  return { kind, verb, badges };
}

function rank(entry: HistoryEntry): number {
  return entry.event === "COMMENT_ADDED" ? 0 : 1;
}

export type DiffPart = { kind: "same" | "removed" | "added"; text: string };

/** The words (and the spaces between them) an edit kept, removed and added, in reading order. */
export function wordDiff(before: string, after: string): DiffPart[] {
  const a = before.split(/(\s+)/).filter(Boolean);
  const b = after.split(/(\s+)/).filter(Boolean);
  // Longest common subsequence by words: comments are short, and an edit is at most 64 KiB.
  if (a.length * b.length > 4_000_000) return [{ kind: "removed", text: before }, { kind: "added", text: after }];
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart["kind"], text: string) => {
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push("same", a[i]);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lengths[i + 1][j] >= lengths[i][j + 1])) {
      push("removed", a[i++]); // what went, before what came in its place
    } else {
      push("added", b[j++]);
    }
  }
  return parts;
}
