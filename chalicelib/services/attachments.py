"""Attachment use cases: start an upload, confirm it (by the client or by S3's event), list,
read and remove. Files go between clients and S3 directly; here we keep the records."""
import logging
import time
from dataclasses import replace
from typing import Protocol, Sequence
from urllib.parse import unquote_plus

from chalicelib import config
from chalicelib.adapters.attachment_store import AttachmentStore, StorageError
from chalicelib.domain import attachments as rules
from chalicelib.domain.attachments import AVAILABLE, PENDING, Additions, Attachment, AttachmentChanged
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.mailbox import derived_id, size_in_words
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Events, HistoryEntry, Ticket, public_view
from chalicelib.errors import AttachmentLimitReached, Conflict, DomainError, NotFound, UploadMissing, ValidationFailed
from chalicelib.schemas.attachments import AttachmentCreate
from chalicelib.services.ports import Attachments, Tickets

log = logging.getLogger(__name__)

UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 5 * 60
# A pending record outlives its upload form (a big file may still be arriving when the form
# expires) and lasts as long as the lifecycle rule keeps an unconfirmed file: one day.
PENDING_RECORD_SECONDS = 24 * 3600
WRITE_ATTEMPTS = 3


class FileReceived(Protocol):
    """A file that came with an email (domain.inbound_mail.ReceivedFile)."""
    file_name: str
    content_type: str
    data: bytes


class AttachmentService:
    def __init__(self, tickets: Tickets, attachments: Attachments, store: AttachmentStore):
        self.tickets = tickets
        self.attachments = attachments
        self.store = store

    def start_upload(self, principal: Principal, ticket_id: str, body: AttachmentCreate) -> dict:
        ticket, seen = self._ticket_for_upload(principal, ticket_id)
        content_type = rules.stored_content_type(body.content_type)
        rules.check_announced_size(body.size, config.max_attachment_bytes())
        limit = config.max_attachments_per_ticket()
        for _ in range(WRITE_ATTEMPTS):
            # Pending uploads hold a place too. Records expiring or removed since the count only
            # make it high; one added since the ticket was read makes add_pending fail.
            now = time.time()
            if sum(1 for a in self.attachments.for_ticket(ticket.id) if a.is_live(now)) >= limit:
                raise AttachmentLimitReached(f"a ticket has at most {limit} attachments; remove one first")
            attachment = Attachment(
                id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id,
                file_name=rules.clean_file_name(body.file_name), content_type=content_type, size=body.size,
                status=PENDING, uploaded_by=principal.actor, created_at=now_iso(),
                expires_at=int(now) + PENDING_RECORD_SECONDS,
            )
            try:
                self.attachments.add_pending(attachment, seen)
                break
            except AttachmentChanged:
                # Another upload was added, or the ticket changed or went: read it and count again.
                ticket, seen = self._ticket_for_upload(principal, ticket_id)
        else:
            raise Conflict("attachments are being added to this ticket too quickly; try again")
        form = self.store.upload_form(attachment.key, attachment.content_type, attachment.size, UPLOAD_SECONDS)
        return {"attachment": self.public(attachment),
                "upload": {"url": form.url, "fields": form.fields, "expires_at": form.expires_at}}

    def complete(self, principal: Principal, ticket_id: str, attachment_id: str) -> dict:
        ticket = self._live_ticket(principal, ticket_id)
        attachment = self._live_attachment(ticket, attachment_id)
        return self.public(self._confirm(ticket, attachment))

    def confirm_stored_object(self, key: str) -> None:
        """S3 reported a new object: confirm its upload as `complete` would, for clients that never
        call it. An object no live record wants (ticket or attachment gone, record expired, a
        file that breaks the rules) is deleted."""
        key = unquote_plus(key)
        parsed = rules.parse_object_key(key)
        if parsed is None:
            log.warning("ignoring object %r: not an attachment key", key)
            return
        project_id, ticket_id, attachment_id = parsed
        ticket = self.tickets.get(ticket_id)
        attachment = self.attachments.get(ticket_id, attachment_id) if ticket is not None else None
        if (ticket is None or ticket.project_id != project_id or attachment is None
                or not attachment.is_live(time.time())):
            log.info("deleting %s: no live attachment record wants it", key)
            self.store.delete(key)
            return
        if attachment.is_available:
            self._drop_reposts(attachment)
            return
        try:
            self._confirm(ticket, attachment)
        except NotFound:
            self.store.delete(key)
        except DomainError as error:
            log.warning("upload %s refused: %s", key, error.message)

    def attached_count(self, ticket_id: str) -> int:
        """The ticket's attachments, pending uploads included (they hold a place too)."""
        now = time.time()
        return sum(1 for a in self.attachments.for_ticket(ticket_id) if a.is_live(now))

    def screen_received(self, files: Sequence[FileReceived], attached: int) -> tuple[list[int], list[str]]:
        """Which of an email's files a ticket with `attached` attachments takes (their positions),
        and a note naming each one it does not take and why, for the text the email makes."""
        size_limit, count_limit = config.max_attachment_bytes(), config.max_attachments_per_ticket()
        taken, notes = [], []
        for position, file in enumerate(files):
            name = rules.clean_file_name(file.file_name)
            if not file.data:
                notes.append(f"Not attached: {name} (empty)")
            elif len(file.data) > size_limit:
                notes.append(f"Not attached: {name} ({size_in_words(len(file.data))}; the limit is "
                             f"{size_in_words(size_limit)})")
            elif attached + len(taken) >= count_limit:
                notes.append(f"Not attached: {name} (a ticket has at most {count_limit} attachments)")
            else:
                taken.append(position)
        return taken, notes

    def attach_received(self, ticket: Ticket, files: Sequence[FileReceived], positions: list[int], actor: str,
                        seed: str) -> list[Attachment]:
        """Attaches the files at `positions` (as screen_received chose them) to the ticket, as
        `actor`, each with its ATTACHMENT_ADDED entry, within the limits. Their ids come from
        `seed` and their position: attaching the same email's files again adds none twice, and
        finishes what an interrupted attempt left. Returns those attached."""
        attached = []
        for position in positions:
            file = files[position]
            attachment = self._received_record(ticket, file, actor, derived_id(f"{seed}#{position}"))
            if attachment is None:
                continue
            if not attachment.is_available:
                self.store.put(attachment.key, file.data, attachment.content_type)
                try:
                    attachment = self._confirm(ticket, attachment)
                except NotFound:
                    log.info("ticket %s went before its file %s was attached", ticket.id, attachment.id)
                    continue
            attached.append(attachment)
        return attached

    def _received_record(self, ticket: Ticket, file: FileReceived, actor: str, attachment_id: str) -> Attachment | None:
        """The record of a received file: as stored, or made now (pending); None when the ticket
        went or has no room left."""
        kept = self.attachments.get(ticket.id, attachment_id)
        if kept is not None:
            return kept
        try:
            content_type = rules.stored_content_type(file.content_type)
        except ValidationFailed:
            content_type = rules.OCTET_STREAM
        limit = config.max_attachments_per_ticket()
        for _ in range(WRITE_ATTEMPTS):
            found = self.attachments.ticket_for_upload(ticket.id)
            if found is None:
                return None
            current, seen = found
            now = time.time()
            if sum(1 for a in self.attachments.for_ticket(ticket.id) if a.is_live(now)) >= limit:
                log.warning("ticket %s has no room for the received file %s", ticket.id, file.file_name)
                return None
            attachment = Attachment(
                id=attachment_id, ticket_id=ticket.id, project_id=ticket.project_id,
                file_name=rules.clean_file_name(file.file_name), content_type=content_type, size=len(file.data),
                status=PENDING, uploaded_by=actor, created_at=now_iso(), expires_at=int(now) + PENDING_RECORD_SECONDS)
            try:
                self.attachments.add_pending(attachment, seen)
                return attachment
            except AttachmentChanged:
                kept = self.attachments.get(ticket.id, attachment_id)
                if kept is not None:
                    return kept
        raise Conflict("attachments are being added to this ticket too quickly; try again")

    def limits(self) -> dict:
        return {"attachment_bytes": config.max_attachment_bytes(),
                "attachments_per_ticket": config.max_attachments_per_ticket()}

    def storage_origin(self) -> str:
        return self.store.origin()

    def list_all(self, principal: Principal, ticket_id: str) -> dict:
        ticket = self._live_ticket(principal, ticket_id)
        now = time.time()
        return {"data": [self.public(a) for a in self.attachments.for_ticket(ticket.id) if a.is_live(now)]}

    def get(self, principal: Principal, ticket_id: str, attachment_id: str) -> dict:
        ticket = self._live_ticket(principal, ticket_id)
        return self.public(self._live_attachment(ticket, attachment_id))

    def remove(self, principal: Principal, ticket_id: str, attachment_id: str) -> None:
        for _ in range(WRITE_ATTEMPTS):
            ticket = self._live_ticket(principal, ticket_id)
            attachment = self._live_attachment(ticket, attachment_id)
            entry = None
            if attachment.is_available:  # a pending upload was never in the history
                entry = _entry(ticket, Events.ATTACHMENT_REMOVED, principal.actor, now_iso(),
                               {"attachment": {"old": attachment.summary(), "new": None}})
            try:
                self.attachments.remove(attachment, entry)
            except AttachmentChanged:
                continue  # confirmed or removed meanwhile, or the ticket went: look again
            # After the commit: had the file gone first, a failed commit would leave a record without one.
            self.store.delete(attachment.key)
            return
        raise Conflict("the attachment is changing too often to remove; try again")

    def delete_files(self, ticket: Ticket) -> None:
        """Deletes the files of a ticket that was just deleted, confirmed or not."""
        prefix = rules.ticket_prefix(ticket.project_id, ticket.id)
        try:
            self.store.delete_prefix(prefix)
        except StorageError:
            # The ticket is gone already and a retry would find nothing to delete: leave a trail.
            log.exception("files under %s were not deleted with their ticket", prefix)

    def public(self, attachment: Attachment) -> dict:
        download_url = None
        if attachment.is_available:
            download_url = self.store.download_url(attachment.key, attachment.version_id, attachment.content_type,
                                                   rules.content_disposition(attachment.file_name), DOWNLOAD_SECONDS)
        return {
            "id": attachment.id, "file_name": attachment.file_name, "content_type": attachment.content_type,
            "size": attachment.size, "status": attachment.status, "uploaded_by": attachment.uploaded_by,
            "uploaded_at": attachment.uploaded_at, "download_url": download_url,
        }

    # ---- helpers -----------------------------------------------------------------------------

    def _confirm(self, ticket: Ticket, attachment: Attachment) -> Attachment:
        """Checks the stored file against the record and makes the attachment available, once."""
        if attachment.is_available:
            return attachment
        stored = self.store.head(attachment.key)
        if stored is None:
            raise UploadMissing("the file has not been uploaded yet: POST it with the upload form first")
        try:
            rules.check_stored_object(attachment, stored, config.max_attachment_bytes())
        except DomainError:
            self.store.delete(attachment.key)
            raise
        # Untag before committing: if the commit then fails, the next attempt confirms again; the
        # other order could leave an available attachment whose file the lifecycle rule expires.
        # Only the version checked: one posted meanwhile stays pending.
        self.store.confirm(attachment.key, stored.version_id)
        uploaded_at = now_iso()
        entry = _entry(ticket, Events.ATTACHMENT_ADDED, attachment.uploaded_by, uploaded_at,
                       {"attachment": {"old": None, "new": attachment.summary()}})
        try:
            self.attachments.mark_available(attachment, uploaded_at, stored, entry)
        except AttachmentChanged:
            # Confirmed concurrently (the client and S3's event at once), removed, or ticket gone.
            current = self.attachments.get(ticket.id, attachment.id)
            if current is not None and current.is_available:
                self._drop_reposts(current)
                return current
            raise NotFound("attachment not found") from None
        return replace(attachment, status=AVAILABLE, uploaded_at=uploaded_at, expires_at=None,
                       version_id=stored.version_id, etag=stored.etag)

    def _drop_reposts(self, attachment: Attachment) -> None:
        """An upload form stays valid for its 15 minutes after it was used, and S3 cannot make it
        single use: posted again, it adds a newer version of the confirmed object. Downloads serve
        the version confirmed whatever came after; the newer ones are deleted, so that the
        confirmed one is current again and no lifecycle rule ever treats it as an old version."""
        if attachment.version_id is None:
            # Confirmed before versions were recorded: its form expired long ago.
            return
        dropped = self.store.delete_other_versions(attachment.key, attachment.version_id)
        if dropped:
            log.warning("attachment %s: deleted %d object version(s) posted after it was confirmed",
                        attachment.key, dropped)

    def _live_ticket(self, principal: Principal, ticket_id: str) -> Ticket:
        ticket = self.tickets.get(ticket_id)
        if ticket is None or ticket.project_id != principal.project.id:
            raise NotFound("ticket not found")
        return ticket

    def _ticket_for_upload(self, principal: Principal, ticket_id: str) -> tuple[Ticket, Additions]:
        found = self.attachments.ticket_for_upload(ticket_id)
        if found is None or found[0].project_id != principal.project.id:
            raise NotFound("ticket not found")
        return found

    def _live_attachment(self, ticket: Ticket, attachment_id: str) -> Attachment:
        attachment = self.attachments.get(ticket.id, attachment_id)
        if attachment is None or not attachment.is_live(time.time()):
            raise NotFound("attachment not found")
        return attachment


def _entry(ticket: Ticket, event: str, actor: str, now: str, changes: dict) -> HistoryEntry:
    return HistoryEntry(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id, event=event,
                        timestamp=now, changed_by=actor, changes=changes, ticket=public_view(ticket))
