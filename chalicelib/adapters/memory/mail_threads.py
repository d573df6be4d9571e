"""Tickets' email threads and the Message-ID index in memory, as adapters/dynamodb/mail_threads.py
keeps them."""
from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain import mail_threads
from chalicelib.domain.mail_threads import AutoReply, MailThread


class MemoryMailThreads(MemoryRepository):
    def thread(self, ticket_id: str) -> MailThread | None:
        return self.store.mail_threads.get(ticket_id)

    def add_to_thread(self, ticket_id: str, message_ids: list[str], cc: list[str],
                      auto_reply: AutoReply | None = None) -> MailThread:
        grown = mail_threads.grown(self.store.mail_threads.get(ticket_id), ticket_id, message_ids, cc, auto_reply)
        self.store.mail_threads[ticket_id] = grown
        return grown

    def ticket_by_message_id(self, project_id: str, message_ids: list[str]) -> str | None:
        for one in message_ids:
            found = self.store.message_ids.get((project_id, mail_threads.message_id_key(one)))
            if found is not None:
                return found
        return None

    def record_message_ids(self, project_id: str, ticket_id: str, message_ids: list[str]) -> None:
        for one in message_ids:
            if key := mail_threads.message_id_key(one):
                self.store.message_ids[(project_id, key)] = ticket_id
