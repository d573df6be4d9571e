// Addresses are relative to the app's root (the page's <base>), so the UI works under a stage prefix.
import { signal } from "@preact/signals";

export type Route =
  | { page: "signin" }
  | { page: "list"; projectId: string; params: URLSearchParams }
  | { page: "new"; projectId: string }
  | { page: "reports"; projectId: string; params: URLSearchParams }
  | { page: "sla"; projectId: string }
  | { page: "ticket"; projectId: string; ticketId: string }
  | { page: "missing" };

const root = () => new URL(document.baseURI);

export function href(path: string): string {
  return new URL(path, root()).pathname + (path.includes("?") ? path.slice(path.indexOf("?")) : "");
}

function parse(): Route {
  const base = root().pathname;
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "ui")) return { page: "signin" };
  if (parts[0] === "projects" && parts.length === 2) {
    return { page: "list", projectId: parts[1], params: new URLSearchParams(location.search) };
  }
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "new") return { page: "new", projectId: parts[1] };
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "reports") {
    return { page: "reports", projectId: parts[1], params: new URLSearchParams(location.search) };
  }
  if (parts[0] === "projects" && parts.length === 3 && parts[2] === "sla") return { page: "sla", projectId: parts[1] };
  if (parts[0] === "projects" && parts.length === 4 && parts[2] === "tickets") {
    return { page: "ticket", projectId: parts[1], ticketId: parts[3] };
  }
  return { page: "missing" };
}

export const route = signal<Route>(parse());

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = href(path);
  if (target === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  route.value = parse();
  if (!options.replace) window.scrollTo(0, 0);
}

addEventListener("popstate", () => {
  route.value = parse();
});

/** Opens same-app links through the router, so a click never reloads the page. */
export function followLink(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.origin !== location.origin) return;
  const base = root().pathname;
  if (!anchor.pathname.startsWith(base) || anchor.dataset.external !== undefined) return;
  event.preventDefault();
  navigate(anchor.pathname.slice(base.length) + anchor.search);
}
