import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useShortcuts } from "../keys";
import { navigate, route } from "../router";
import { session } from "../session";
import { notice } from "../state/notice";
import { project, projectReady } from "../state/project";
import { signOut } from "../state/session";
import { Icon } from "./Icon";
import { InboxLink } from "./InboxLink";
import { ProjectSwitcher } from "./ProjectSwitcher";
import { ShortcutsDialog } from "./ShortcutsDialog";

/**
 * Every signed-in page's frame: the top bar, passing notices, and the shortcuts dialog. `projectId` is
 * the project the page shows (for the profile: the last one shown; null for an account in none).
 */
export function Shell({ projectId, children }: { projectId: string | null; children: ComponentChildren }) {
  const dialog = useRef<HTMLDialogElement | null>(null);
  const [loaded, setLoaded] = useState(!projectId || project.value?.id === projectId);
  const page = route.value.page;
  const role = session.value?.projects.find((each) => each.id === projectId)?.role;
  const person = session.value?.principal;

  useEffect(() => {
    // The load may have finished between the first render and now (it starts with the page).
    if (!loaded) projectReady().finally(() => setLoaded(true));
  }, [projectId]);

  useShortcuts(projectId ? {
    c: () => navigate(`projects/${projectId}/new`),
    "?": () => dialog.current?.showModal(),
    "g i": () => navigate("inbox"),
  } : { "g i": () => navigate("inbox") });

  const section = (name: string, path: string, current: boolean) => (
    <a href={`projects/${projectId}${path}`} aria-current={current ? "page" : undefined}>
      {name}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main" data-external>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={projectId ? `projects/${projectId}` : ""} aria-label="Ticketry home">
          <span class="logo" aria-hidden="true">
            T
          </span>
        </a>
        <ProjectSwitcher projectId={projectId} />
        {projectId && (
          <nav class="sections" aria-label="Sections">
            {section("Tickets", "", page === "list" || page === "ticket")}
            {section("Reports", "/reports", page === "reports")}
            {role === "admin" && section("SLA policy", "/sla", page === "sla")}
            {role === "admin" && section("Members", "/members", page === "members")}
            {role === "admin" && section("Email", "/email", page === "email")}
          </nav>
        )}
        {/* The ticket list has the inbox in its sidebar; every other page has it here. */}
        {page !== "list" && <InboxLink current={page === "inbox"} class="top" />}
        <nav class="actions" aria-label="Account">
          {projectId && (
            <button type="button" class="primary" onClick={() => navigate(`projects/${projectId}/new`)} aria-keyshortcuts="c">
              <Icon name="plus" /> New ticket
            </button>
          )}
          {projectId && (
            <button type="button" class="ghost" onClick={() => dialog.current?.showModal()} aria-label="Keyboard shortcuts">
              <Icon name="keyboard" />
            </button>
          )}
          <a class="who" href="profile" title="Your profile and sessions" aria-current={page === "profile" ? "page" : undefined}>
            {person?.name || person?.email || "Profile"}
          </a>
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
      <ShortcutsDialog dialog={dialog} />
    </>
  );
}
