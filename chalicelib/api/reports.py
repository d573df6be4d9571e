"""Report routes: the summary of a project's tickets over time."""
from chalice import Blueprint

from chalicelib.api.routing import Call, endpoint, services
from chalicelib.schemas import reports as s

bp = Blueprint(__name__)


@endpoint(bp, "GET", "/v1/ce/projects/{project_id}/reports/summary",
          summary="Tickets created, acknowledged and resolved, MTTA and MTTR, SLA outcomes and the backlog, "
                  "per severity and day or week", role="member", query=s.ReportQuery, response=s.ReportSummary,
          tag="reports")
def report_summary(call: Call, project_id: str):
    query = call.query
    return services().reports.summary(call.principal, query.from_, query.to, query.bucket)
