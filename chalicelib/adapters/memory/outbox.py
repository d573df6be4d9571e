"""Email kept instead of sent: what tests read of the messages a use case sent."""
from chalicelib.domain.notifications import Email


class MemoryOutbox:
    def __init__(self):
        self.sent: list[Email] = []

    def send(self, email: Email, reference: str) -> str:
        self.sent.append(email)
        return f"memory-{len(self.sent)}-{reference}"

    def to(self, address: str) -> list[Email]:
        return [email for email in self.sent if email.to == address]
