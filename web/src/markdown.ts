// Markdown that users and automations write, rendered and then sanitised: nothing active survives.
import DOMPurify from "dompurify";
import { Marked } from "marked";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

// Who a mention token names, by name: the page sets it to the project's people.
let nameOf: (ref: string) => string = (ref) => ref;

// A mention token (`<@USER_ID>`, `<@team:TEAM_ID>`) outside code shows as "@" and the current name.
// Inline tokenizers never run inside code, where a token stays as written.
const mention = {
  name: "mention",
  level: "inline" as const,
  start: (source: string) => source.indexOf("<@"),
  tokenizer(source: string) {
    const match = /^<@([^\s<>]{1,320})>/.exec(source);
    return match ? { type: "mention", raw: match[0], ref: match[1] } : undefined;
  },
  renderer: (token: { ref?: string }) =>
    `<span class="mention" data-ref="${escapeHtml(token.ref ?? "")}">@${escapeHtml(nameOf(token.ref ?? ""))}</span>`,
};

// HTML written into a ticket is shown as the text it is, never interpreted: automations paste
// logs and payloads full of angle brackets.
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: (token) => escapeHtml(token.text),
  },
  extensions: [mention],
});

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
    node.setAttribute("data-external", "");
  }
});

export function renderMarkdown(source: string, names?: (ref: string) => string): string {
  if (names) nameOf = names;
  const html = marked.parse(source) as string;
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"],
    FORBID_ATTR: ["style"],
  });
}
