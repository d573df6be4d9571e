// Addresses are relative to the app's root (the page's <base>), so the UI works under a stage prefix.
import { signal } from "@preact/signals";

export type Route =
  | { page: "home" }
  | { page: "signin"; params: URLSearchParams }
  | { page: "profile" }
  | { page: "inbox"; params: URLSearchParams }
  | { page: "list"; projectId: string; params: URLSearchParams }
  | { page: "new"; projectId: string }
  | { page: "reports"; projectId: string; params: URLSearchParams }
  | { page: "sla"; projectId: string }
  | { page: "members"; projectId: string }
  | { page: "email"; projectId: string }
  | { page: "ticket"; projectId: string; ticketId: string }
  | { page: "missing" };

const root = () => new URL(document.baseURI);

export function href(path: string): string {
  const [address, fragment] = path.split("#", 2);
  const hash = fragment !== undefined ? `#${fragment}` : "";
  return new URL(address, root()).pathname + (address.includes("?") ? address.slice(address.indexOf("?")) : "") + hash;
}

const PROJECT_PAGES: Record<string, "new" | "sla" | "members" | "email"> = { new: "new", sla: "sla", members: "members", email: "email" };

function parse(): Route {
  const base = root().pathname;
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(location.search);
  // /ui is where sign-in links pointed before people had accounts: it leads to the same place as /.
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "ui")) return { page: "home" };
  if (parts.length === 1 && parts[0] === "sign-in") return { page: "signin", params };
  if (parts.length === 1 && parts[0] === "profile") return { page: "profile" };
  if (parts.length === 1 && parts[0] === "inbox") return { page: "inbox", params };
  if (parts[0] !== "projects" || parts.length < 2) return { page: "missing" };
  const projectId = parts[1];
  if (parts.length === 2) return { page: "list", projectId, params };
  if (parts.length === 3 && parts[2] === "reports") return { page: "reports", projectId, params };
  if (parts.length === 3 && PROJECT_PAGES[parts[2]]) return { page: PROJECT_PAGES[parts[2]], projectId };
  if (parts.length === 4 && parts[2] === "tickets") return { page: "ticket", projectId, ticketId: parts[3] };
  return { page: "missing" };
}

export const route = signal<Route>(parse());

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = href(path);
  if (target === location.pathname + location.search + location.hash) return;
  if (options.replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  route.value = parse();
  if (!options.replace) window.scrollTo(0, 0);
}

addEventListener("popstate", () => {
  route.value = parse();
});

/** The address shown, as a path from the server's root (what `return_to` carries). */
export function currentAddress(): string {
  return location.pathname + location.search;
}

/**
 * A same-app address to go back to after signing in, as a path from the app's root; null for anything
 * else (another site, a scheme, the sign-in page itself), so a crafted link cannot send people away.
 */
export function appPath(address: string | null | undefined): string | null {
  if (!address || !address.startsWith("/") || address.startsWith("//") || address.includes("\\")) return null;
  let url: URL;
  try {
    url = new URL(address, location.origin);
  } catch {
    return null;
  }
  const base = root().pathname;
  if (url.origin !== location.origin || !url.pathname.startsWith(base)) return null;
  const path = url.pathname.slice(base.length);
  const first = path.split("/")[0];
  if (first === "sign-in" || first === "ui" || first === "v1") return null;
  return path + url.search;
}

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
