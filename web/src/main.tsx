import "./styles.css";
import { render } from "preact";
import { App } from "./components/App";
import { followLink, route } from "./router";
import { loadSession } from "./state/session";
import { linkArrivals } from "./state/signIn";

// Who the session cookie is, asked before the first page is drawn, so that page knows at once.
await loadSession();
// A one-time link opened in a tab already showing the UI changes only the fragment.
addEventListener("hashchange", () => {
  if (route.value.page === "signin" && new URLSearchParams(location.hash.slice(1)).has("link")) linkArrivals.value += 1;
});
document.addEventListener("click", followLink);
render(<App />, document.getElementById("app")!);
