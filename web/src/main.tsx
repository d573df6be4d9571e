import "./styles.css";
import { render } from "preact";
import { App } from "./components/App";
import { followLink, route } from "./router";
import { takeHandedOverKey } from "./state/session";

const takeKey = () => takeHandedOverKey(route.value.page === "signin");
takeKey();
addEventListener("hashchange", takeKey);
document.addEventListener("click", followLink);
render(<App />, document.getElementById("app")!);
