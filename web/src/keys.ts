// Single-key shortcuts. A page registers its keys while it is shown; none fire while typing.
import { useEffect, useRef } from "preact/hooks";

export type Shortcuts = Record<string, (event: KeyboardEvent) => void>;

export const SHORTCUT_HELP: [string, string][] = [
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
  for (let index = layers.length - 1; index >= 0; index -= 1) {
    const handler = layers[index][event.key];
    if (handler) {
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
