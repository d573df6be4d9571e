import "./styles.css";
import { render } from "preact";
import { App } from "./components/App";
import { followLink } from "./router";
import { takeHandedOverKey } from "./state/session";

// A sign-in link's key is checked before the first page is drawn, so that page is already signed in.
await takeHandedOverKey();
addEventListener("hashchange", () => takeHandedOverKey());
document.addEventListener("click", followLink);
render(<App />, document.getElementById("app")!);
