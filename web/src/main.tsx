import "./styles.css";
import { render } from "preact";
import { App } from "./components/App";
import { followLink, route } from "./router";
import { loadProject } from "./state/project";
import { loadSession } from "./state/session";
import { linkArrivals } from "./state/signIn";

// Who the session cookie is, asked before the first page is drawn, so that page knows at once; a
// project page's own calls go out at the same time instead of after it (a 401 or 404 among them
// leads where the session's answer would).
if ("projectId" in route.value) void loadProject();
await loadSession();
// A one-time link opened in a tab already showing the UI changes only the fragment.
addEventListener("hashchange", () => {
  if (route.value.page === "signin" && new URLSearchParams(location.hash.slice(1)).has("link")) linkArrivals.value += 1;
});
document.addEventListener("click", followLink);
render(<App />, document.getElementById("app")!);
