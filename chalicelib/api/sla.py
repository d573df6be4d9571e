"""SLA routes: the project's policy (targets per severity, business hours) and its versions."""
import re

from chalice import Blueprint

from chalicelib.api.routing import Call, endpoint, services
from chalicelib.schemas import sla as s

bp = Blueprint(__name__)
POLICY = "/v1/ce/projects/{project_id}/sla-policy"
VERSION_PATTERN = re.compile(r"[1-9][0-9]{0,7}")


@endpoint(bp, "GET", POLICY, summary="The project's current SLA policy", role="admin", response=s.SlaPolicyOut,
          tag="projects")
def get_sla_policy(call: Call, project_id: str):
    return services().sla.current(call.principal)


@endpoint(bp, "PUT", POLICY, summary="Replace the project's SLA policy (a new version; tickets keep theirs)",
          role="admin", body=s.SlaPolicyIn, response=s.SlaPolicyOut, tag="projects")
def put_sla_policy(call: Call, project_id: str):
    return services().sla.replace_policy(call.principal, call.body.model_dump(mode="json"))


@endpoint(bp, "GET", "/v1/ce/projects/{project_id}/business-hours", summary="The business hours of the SLA policy",
          role="admin", response=s.BusinessHoursOut, tag="projects")
def get_business_hours(call: Call, project_id: str):
    return services().sla.business_hours(call.principal)


@endpoint(bp, "PUT", "/v1/ce/projects/{project_id}/business-hours",
          summary="Replace the business hours (a new SLA policy version with the same targets)", role="admin",
          body=s.BusinessHours, response=s.SlaPolicyOut, tag="projects")
def put_business_hours(call: Call, project_id: str):
    return services().sla.replace_business_hours(call.principal, call.body.model_dump(mode="json"))


@endpoint(bp, "GET", POLICY + "/versions/{version}", summary="One version of the project's SLA policy",
          role="admin", response=s.SlaPolicyOut, tag="projects", ids={"version": VERSION_PATTERN})
def get_sla_policy_version(call: Call, project_id: str, version: str):
    return services().sla.version(call.principal, int(version))
