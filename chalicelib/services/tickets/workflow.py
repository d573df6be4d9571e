"""A project's workflow: which status may move to which."""
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Workflow
from chalicelib.services.ports import Projects


class WorkflowService:
    def __init__(self, projects: Projects):
        self.projects = projects

    def transitions(self, principal: Principal) -> dict[str, list[str]]:
        return Workflow(principal.project.workflow).transitions

    def replace(self, principal: Principal, transitions: dict[str, list[str]]) -> dict[str, list[str]]:
        workflow = Workflow.parse(transitions)
        self.projects.set_workflow(principal.project.id, workflow.transitions)
        return workflow.transitions
