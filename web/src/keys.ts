// Single-key shortcuts. A page registers its keys while it is shown; none fire while typing.
import { useEffect, useRef } from "preact/hooks";

export type Shortcuts = Record<string, (event: KeyboardEvent) => void>;

export const SHORTCUT_HELP: [string, string][] = [
  ["g i", "Inbox"],
  ["e", "Archive the inbox entry"],
  ["c", "New ticket"],
  ["/", "Search"],
  ["j / k", "Next / previous ticket in the list"],
  ["Enter", "Open the ticket"],
  ["x", "Select the ticket"],
  ["Esc", "Back"],
  ["s", "Status"],
  ["a", "Assignee"],
  ["p", "Severity"],
  ["?", "This list"],
];

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "reset", "file"].includes(type);
  }
  return false;
}

const layers: Shortcuts[] = [];
// A key that begins a sequence ("g i") waits this long for the next one.
const SEQUENCE_MS = 1500;
let previous: { key: string; at: number } | null = null;

addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) {
    if (event.key === "Escape") {
      // Leaves the field as it is (a search field would otherwise clear itself).
      event.preventDefault();
      (event.target as HTMLElement).blur();
    }
    return;
  }
  if (document.querySelector("dialog[open]")) return;
  const before = previous;
  previous = { key: event.key, at: Date.now() };
  const sequence = before && previous.at - before.at < SEQUENCE_MS ? `${before.key} ${event.key}` : null;
  for (let index = layers.length - 1; index >= 0; index -= 1) {
    const layer = layers[index];
    const handler = (sequence && layer[sequence]) || layer[event.key];
    if (handler) {
      // A finished sequence begins no other ("g i" then "i" is not "g i" again).
      if (sequence && layer[sequence]) previous = null;
      // Enter on a link or button keeps its own meaning.
      if (event.key === "Enter" && event.target instanceof HTMLElement && event.target.closest("a,button")) return;
      event.preventDefault();
      handler(event);
      return;
    }
  }
});

/** Registers keys for as long as the calling component is shown; later pages win. */
export function useShortcuts(shortcuts: Shortcuts): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    const layer: Shortcuts = new Proxy({}, {
      get: (_target, key: string) => current.current[key],
    });
    layers.push(layer);
    return () => {
      layers.splice(layers.indexOf(layer), 1);
    };
  }, []);
}
