import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useShortcuts } from "../keys";
import { navigate, route } from "../router";
import { notice } from "../state/notice";
import { loadProject, me, project } from "../state/project";
import { signOut } from "../state/session";
import { Icon } from "./Icon";
import { ShortcutsDialog } from "./ShortcutsDialog";

/** Every project page's frame: the top bar, passing notices, and the shortcuts dialog. */
export function Shell({ projectId, children }: { projectId: string; children: ComponentChildren }) {
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
      <ShortcutsDialog dialog={dialog} />
    </>
  );
}
