// The list a ticket was opened from, for previous/next and "back" on the ticket and new-ticket pages.
import { signal } from "@preact/signals";

export const openedFrom = signal<{ listPath: string; keys: string[] } | null>(null);
