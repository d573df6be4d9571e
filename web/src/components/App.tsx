import { Later } from "./Later";
import { NewTicket } from "../pages/NewTicket";
import { NotFound } from "../pages/NotFound";
import { SignIn } from "../pages/SignIn";
import { TicketList } from "../pages/TicketList";
import { TicketPage } from "../pages/TicketPage";
import { WrongProject } from "../pages/WrongProject";
import { navigate, route } from "../router";
import { currentSession, reaches } from "../session";
import { Shell } from "./Shell";

const loadReports = () => import("../pages/Reports").then((module) => module.Reports);
const loadSlaSettings = () => import("../pages/SlaSettings").then((module) => module.SlaSettings);

/** The page the address names, inside the project's frame once signed in. */
export function App() {
  const current = route.value;
  if (current.page === "signin") return <SignIn />;
  if (current.page === "missing") return <NotFound />;
  const session = currentSession();
  if (!session) {
    navigate("ui", { replace: true });
    return null;
  }
  if (!reaches(session, current.projectId)) return <WrongProject projectId={current.projectId} />;
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
