// Mentions as people write them: `@` and a few letters offer the project's members and teams, and
// the one picked goes into the text as its token (`<@USER_ID>`, `<@team:TEAM_ID>`), which every
// rendered comment and description shows as "@" and the current name.

export interface Mentionable {
  ref: string; // user id, or team:<id>
  name: string;
  team: boolean;
}

export interface MentionQuery {
  start: number; // where the `@` is
  end: number; // the caret
  text: string; // what follows the `@`
}

const MAX_OFFERED = 8;

/** Case and accents set aside: "ana" finds "Ána", "zoe" finds "Zoë". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The mention being typed before the caret: `@` at the start or after a space or punctuation, then up to
 *  30 characters that are not spaces. None when the caret is elsewhere. */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s([{,;:!?"'])@([^\s@<>`]{0,30})$/u.exec(before);
  if (!match) return null;
  const start = caret - match[2].length - 1;
  return { start, end: caret, text: match[2] };
}

/** The people and teams whose name matches, those whose name (or a word of it) starts with the text first. */
export function offered(candidates: Mentionable[], query: string): Mentionable[] {
  const wanted = fold(query);
  const ranked: [number, Mentionable][] = [];
  for (const candidate of candidates) {
    const name = fold(candidate.name);
    const rank = name.startsWith(wanted) ? 0 : name.split(/\s+/).some((word) => word.startsWith(wanted)) ? 1
      : name.includes(wanted) ? 2 : -1;
    if (rank >= 0) ranked.push([rank, candidate]);
  }
  ranked.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name));
  return ranked.slice(0, MAX_OFFERED).map(([, candidate]) => candidate);
}

/** The text with the mention typed replaced by the token of the one picked, and where the caret goes. */
export function insertMention(text: string, query: MentionQuery, picked: Mentionable): { text: string; caret: number } {
  const token = `<@${picked.ref}> `;
  const after = text.slice(query.end).replace(/^ /, "");
  return { text: text.slice(0, query.start) + token + after, caret: query.start + token.length };
}
