"""A project's workflow: which status may move to which."""
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Workflow


class WorkflowService:
    def __init__(self, directory: DirectoryRepository):
        self.directory = directory

    def transitions(self, principal: Principal) -> dict[str, list[str]]:
        return Workflow(principal.project.workflow).transitions

    def replace(self, principal: Principal, transitions: dict[str, list[str]]) -> dict[str, list[str]]:
        workflow = Workflow.parse(transitions)
        self.directory.set_workflow(principal.project.id, workflow.transitions)
        return workflow.transitions
