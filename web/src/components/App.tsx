import { Later } from "./Later";
import { NewTicket } from "../pages/NewTicket";
import { NoProjects } from "../pages/NoProjects";
import { NotFound } from "../pages/NotFound";
import { SignIn } from "../pages/SignIn";
import { TicketList } from "../pages/TicketList";
import { TicketPage } from "../pages/TicketPage";
import { WrongProject } from "../pages/WrongProject";
import { navigate, route } from "../router";
import { activeProject, firstProject, reaches, session } from "../session";
import { toSignIn } from "../state/session";
import { linkArrivals } from "../state/signIn";
import { Shell } from "./Shell";

const loadReports = () => import("../pages/Reports").then((module) => module.Reports);
const loadSlaSettings = () => import("../pages/SlaSettings").then((module) => module.SlaSettings);
const loadMembers = () => import("../pages/Members").then((module) => module.Members);
const loadProjectEmail = () => import("../pages/ProjectEmail").then((module) => module.ProjectEmail);
const loadProfile = () => import("../pages/Profile").then((module) => module.Profile);
const loadInbox = () => import("../pages/Inbox").then((module) => module.Inbox);

/** The page the address names, inside the project's frame once signed in. */
export function App() {
  const current = route.value;
  if (current.page === "signin") return <SignIn key={`${location.search}#${linkArrivals.value}`} params={current.params} />;
  if (current.page === "missing") return <NotFound />;
  if (!session.value) {
    toSignIn();
    return null;
  }
  if (current.page === "home") {
    const first = firstProject();
    if (!first) return <NoProjects />;
    navigate(`projects/${encodeURIComponent(first)}`, { replace: true });
    return null;
  }
  if (current.page === "profile") {
    return (
      <Shell key={activeProject() ?? ""} projectId={activeProject()}>
        <Later load={loadProfile} props={{}} />
      </Shell>
    );
  }
  if (current.page === "inbox") {
    return (
      <Shell key={activeProject() ?? ""} projectId={activeProject()}>
        <Later load={loadInbox} props={{ params: current.params }} />
      </Shell>
    );
  }
  if (!reaches(current.projectId)) return <WrongProject projectId={current.projectId} />;
  return (
    <Shell key={current.projectId} projectId={current.projectId}>
      {current.page === "list" && <TicketList projectId={current.projectId} params={current.params} />}
      {current.page === "new" && <NewTicket projectId={current.projectId} />}
      {current.page === "reports" && <Later load={loadReports} props={{ projectId: current.projectId, params: current.params }} />}
      {current.page === "sla" && <Later load={loadSlaSettings} props={{}} />}
      {current.page === "members" && <Later load={loadMembers} props={{}} />}
      {current.page === "email" && <Later load={loadProjectEmail} props={{}} />}
      {current.page === "ticket" && <TicketPage key={current.ticketId} projectId={current.projectId} ticketId={current.ticketId} />}
    </Shell>
  );
}
