// Passing notices: what just happened, or what went wrong, for a few seconds.
import { signal } from "@preact/signals";

export const notice = signal<{ text: string; tone: "info" | "error" } | null>(null);

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
export function tell(text: string, tone: "info" | "error" = "info"): void {
  notice.value = { text, tone };
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.value = null), tone === "error" ? 8000 : 4000);
}
