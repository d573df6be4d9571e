import { signal } from "@preact/signals";
import { nameOf } from "../state/project";

// The Markdown renderer and sanitiser are most of the code's weight: the list never loads them.
const renderer = signal<((source: string, names?: (ref: string) => string) => string) | null>(null);
const loadRenderer = () => import("../markdown").then((module) => (renderer.value = module.renderMarkdown));

/** Markdown as sanitised HTML, mentions as "@Name"; its source as plain text until the renderer has loaded. */
export function Markdown({ source }: { source: string }) {
  if (!renderer.value) {
    loadRenderer();
    return <div class="markdown pending">{source}</div>;
  }
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: renderer.value(source, nameOf) }} />;
}
