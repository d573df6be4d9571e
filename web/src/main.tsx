import "./styles.css";
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api";
import { Icon } from "./icons";
import { SHORTCUT_HELP, useShortcuts } from "./keys";
import { TicketList } from "./list";
import { NewTicket } from "./form";
import { followLink, navigate, route } from "./router";
import { currentSession, startSession } from "./session";
import { keyFromFragment, SignIn, signOut } from "./signin";
import { me, notice, people, project } from "./state";
import { TicketPage } from "./ticket";
import type { ComponentType } from "preact";
import type { Member, People, Project } from "./types";

// Pages few people open every day load with their first visit, not with the list.
function Later<P extends object>({ load, props }: { load: () => Promise<ComponentType<P>>; props: P }) {
  const [Page, setPage] = useState<ComponentType<P> | null>(null);
  useEffect(() => {
    load().then((component) => setPage(() => component));
  }, []);
  return Page ? <Page {...props} /> : <p class="loading" role="status">Loading…</p>;
}
const loadReports = () => import("./reports").then((module) => module.Reports);
const loadSlaSettings = () => import("./slasettings").then((module) => module.SlaSettings);

async function loadProject(): Promise<void> {
  const [projectReply, peopleReply, meReply] = await Promise.allSettled([
    api.get<Project>(""),
    api.get<People>("/people"),
    api.get<Member>("/me"),
  ]);
  if (projectReply.status === "fulfilled") project.value = projectReply.value.body;
  if (peopleReply.status === "fulfilled") people.value = peopleReply.value.body;
  // Automation keys belong to no member.
  me.value = meReply.status === "fulfilled" ? meReply.value.body : null;
}

function Shortcuts({ dialog }: { dialog: { current: HTMLDialogElement | null } }) {
  return (
    <dialog ref={dialog} aria-labelledby="shortcuts-title" class="card">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table class="shortcuts">
        <tbody>
          {SHORTCUT_HELP.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}

function Shell({ projectId, children }: { projectId: string; children: preact.ComponentChildren }) {
  const dialog = useRef<HTMLDialogElement | null>(null);
  const [loaded, setLoaded] = useState(project.value?.id === projectId);

  useEffect(() => {
    if (project.value?.id === projectId) return;
    loadProject().finally(() => setLoaded(true));
  }, [projectId]);

  useShortcuts({
    c: () => navigate(`projects/${projectId}/new`),
    "?": () => dialog.current?.showModal(),
  });

  return (
    <>
      <a class="skip" href="#main" data-external>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={`projects/${projectId}`}>
          <span class="logo" aria-hidden="true">
            T
          </span>
          <span>{project.value?.name ?? "Ticketry"}</span>
        </a>
        <nav class="sections" aria-label="Sections">
          <a href={`projects/${projectId}`} aria-current={route.value.page === "list" || route.value.page === "ticket" ? "page" : undefined}>
            Tickets
          </a>
          <a href={`projects/${projectId}/reports`} aria-current={route.value.page === "reports" ? "page" : undefined}>
            Reports
          </a>
          {me.value?.role === "admin" && (
            <a href={`projects/${projectId}/sla`} aria-current={route.value.page === "sla" ? "page" : undefined}>
              SLA policy
            </a>
          )}
        </nav>
        <nav class="actions" aria-label="Account">
          <button type="button" class="primary" onClick={() => navigate(`projects/${projectId}/new`)} aria-keyshortcuts="c">
            <Icon name="plus" /> New ticket
          </button>
          <button type="button" class="ghost" onClick={() => dialog.current?.showModal()} aria-label="Keyboard shortcuts">
            <Icon name="keyboard" />
          </button>
          <span class="who" title={me.value ? `Signed in as ${me.value.name}` : "Signed in with an automation key"}>
            {me.value?.name ?? "Automation"}
          </span>
          <button type="button" class="ghost" onClick={signOut}>
            <Icon name="out" /> Sign out
          </button>
        </nav>
      </header>
      {notice.value && (
        <div class={`notice ${notice.value.tone}`} role={notice.value.tone === "error" ? "alert" : "status"}>
          {notice.value.text}
        </div>
      )}
      {loaded ? children : <p class="loading" role="status">Loading…</p>}
      <Shortcuts dialog={dialog} />
    </>
  );
}

function WrongProject({ projectId }: { projectId: string }) {
  return (
    <main class="signin" id="main">
      <div class="card">
        <h1>Not your project</h1>
        <p>The API key of this tab belongs to another project, so project {projectId} cannot be shown.</p>
        <button type="button" class="primary" onClick={signOut}>
          Sign out
        </button>
      </div>
    </main>
  );
}

function App() {
  const current = route.value;
  if (current.page === "signin") return <SignIn />;
  if (current.page === "missing") {
    return (
      <main class="signin" id="main">
        <div class="card">
          <h1>Page not found</h1>
          <p>
            <a href="ui">Go to Ticketry</a>
          </p>
        </div>
      </main>
    );
  }
  const session = currentSession();
  if (!session) {
    navigate("ui", { replace: true });
    return null;
  }
  if (session.projectId !== current.projectId) return <WrongProject projectId={current.projectId} />;
  return (
    <Shell projectId={current.projectId}>
      {current.page === "list" && <TicketList projectId={current.projectId} params={current.params} />}
      {current.page === "new" && <NewTicket projectId={current.projectId} />}
      {current.page === "reports" && <Later load={loadReports} props={{ projectId: current.projectId, params: current.params }} />}
      {current.page === "sla" && <Later load={loadSlaSettings} props={{}} />}
      {current.page === "ticket" && <TicketPage key={current.ticketId} projectId={current.projectId} ticketId={current.ticketId} />}
    </Shell>
  );
}

// A sign-in link may also be opened in a tab already showing the UI: then only the fragment changes.
function takeHandedOverKey(): void {
  const handedOver = keyFromFragment();
  if (!handedOver) return;
  const session = startSession(handedOver);
  if (session && route.value.page === "signin") navigate(`projects/${session.projectId}`, { replace: true });
}
takeHandedOverKey();
addEventListener("hashchange", takeHandedOverKey);
document.addEventListener("click", followLink);
render(<App />, document.getElementById("app")!);
