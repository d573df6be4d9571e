"""What a received email costs in DynamoDB, and how long the handler takes for it: a message that
opens a ticket, a reply matched by the token of its reply address, a reply matched only by
`In-Reply-To`, a reply to a resolved ticket (which reopens it), the same message delivered twice,
and an automatic answer (noted on its ticket's thread only).

    .venv/bin/python -m bench.inbound_cost                       # 20 repetitions; about a minute
    .venv/bin/python -m bench.inbound_cost --repetitions 50 --json inbound.json

It starts a fresh in-memory DynamoDB Local with the tables from infra/resources.json, creates a
project with two members, and hands each message to `InboundService.receive` exactly as the S3
event's handler does, the raw message read from memory instead of the bucket (S3 is not DynamoDB,
and its one GetObject is the same for every message). Every DynamoDB call is counted with the
capacity DynamoDB Local reports (bench.meter, ReturnConsumedCapacity=TOTAL); times are medians
and include parsing the message. The stream's work for the event each message makes (watchers,
email, inbox, webhooks) is what `bench.events_cost` measures for any comment or new ticket.
"""
import argparse
import json
import os
import platform
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from bench import cost
from bench.inbox_cost import summary
from bench.meter import Meter, Recording
from chalicelib import config
from chalicelib.adapters.attachment_store import AttachmentStore
from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.adapters.memory.raw_mail import MemoryRawMail
from chalicelib.domain import mail_threads
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import Member, Principal
from chalicelib.local import dynamodb_local, provision
from chalicelib.services import registry
from chalicelib.services.notifications import NotificationService

STAGE = cost.STAGE
DOMAIN = "support.example.com"
BODY = ("Hello,\n\nThe printer on the third floor shows error E-42 again since this morning, and nobody can "
        "print the invoices for the month's end. Could someone have a look today?\n\nThanks,\nAna\n")
QUOTED = "\n\nOn Tue, 4 Mar 2025 at 09:12, Operations <ops@support.example.com> wrote:\n> " + BODY.replace("\n", "\n> ")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def message(sender: str, to: str, subject: str, body: str, *, in_reply_to: str | None = None,
            auto_replied: bool = False) -> tuple[bytes, str]:
    """A message as SES stores it (its verdict headers on top), and its Message-ID."""
    mail = EmailMessage()
    mail["X-SES-Spam-Verdict"] = "PASS"
    mail["X-SES-Virus-Verdict"] = "PASS"
    mail["Authentication-Results"] = "amazonses.com; spf=pass; dkim=pass; dmarc=pass"
    mail["From"] = f"Ana Lima <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(usegmt=True)
    message_id = make_msgid(domain="example.com")
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    if auto_replied:
        mail["Auto-Submitted"] = "auto-replied"
    mail.set_content(body)
    return mail.as_bytes(), message_id.strip("<>")


def run(repetitions: int) -> dict:
    with dynamodb_local.running() as endpoint, cost.restored_environment(cost.environment(endpoint)):
        os.environ.update(cost.environment(endpoint))
        os.environ[config.INBOUND_DOMAIN] = DOMAIN
        os.environ.setdefault(config.REPLY_TOKEN_SECRET, "bench-reply-token-key")
        provision.create_tables(cost.dynamodb_client(endpoint), STAGE)
        cost.rebind()
        raw_mail, outbox = MemoryRawMail(), MemoryOutbox()
        storage = registry.dynamodb_storage()
        services = registry.build(storage, AttachmentStore(), lambda: NotificationService(
            storage.directory, storage.tickets, outbox, "https://tickets.example.com"), lambda: outbox, raw_mail)
        project, admin, _ = services.people.create_project("Operations", "OPS", "admin@example.com")
        for name in ("ben", "cat"):
            storage.directory.add_member(project.id, Member(user_id=new_id(), email=f"{name}@example.com",
                                                            name=name.title(), role="member", created_at=now_iso()))
        address = f"ops@{DOMAIN}"
        meter = Meter()
        recordings: dict[str, list[Recording]] = {name: [] for name in (
            "new ticket", "reply by reply address", "reply by In-Reply-To", "reply reopening a resolved ticket",
            "the same message again", "automatic answer (out of office)")}

        def receive(name: str, raw: bytes) -> str | None:
            key = f"inbound/{new_id(40)}"
            raw_mail.put(key, raw)
            with meter.recording() as recording:
                received = services.inbound.receive(key)
            recordings[name].append(recording)
            return received.ticket_id

        with meter.installed():
            for n in range(repetitions):
                sender = f"requester{n}@example.net"
                first, first_id = message(sender, address, f"Printer error E-42, floor {n}", BODY)
                ticket_id = receive("new ticket", first)
                receive("the same message again", first)
                token = mail_threads.reply_token(config.reply_token_secret(), project.id, ticket_id)
                reply_to = mail_threads.reply_address(address, token)
                raw, _ = message(sender, reply_to, f"Re: [OPS-{n + 1}] Printer", "It works again." + QUOTED)
                receive("reply by reply address", raw)
                raw, _ = message(sender, address, "Re: Printer", "Broken again." + QUOTED, in_reply_to=f"<{first_id}>")
                receive("reply by In-Reply-To", raw)
                raw, _ = message(sender, reply_to, "Automatic reply: Printer", "I am away until Monday.",
                                 auto_replied=True)
                receive("automatic answer (out of office)", raw)
                resolve(services, project, admin, ticket_id)
                raw, _ = message(sender, reply_to, "Re: Printer", "It is broken once more." + QUOTED)
                receive("reply reopening a resolved ticket", raw)
    figures = {name: summary(parts) for name, parts in recordings.items()}
    figures["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    figures["repetitions"] = repetitions
    return figures


def resolve(services, project, admin, ticket_id: str) -> None:
    """The ticket resolved by the project's admin, through the use case a PATCH calls."""
    principal = Principal(project=project, actor=admin.user_id, role="admin", key_id=None, user_id=admin.user_id)
    services.ticket_changes.change(principal, ticket_id, lambda ticket: {"status": "resolved"}, None)


def markdown(figures: dict) -> str:
    lines = [f"{figures['repetitions']} of each; {figures['machine']}.", "",
             "| Message | Calls | RRU | WRU | Items read | Items written | ms (p50) |", "|---|---|---|---|---|---|---|"]
    for name, part in figures.items():
        if not isinstance(part, dict):
            continue
        calls = ", ".join(f"{operation} {count}" for operation, count in part["calls"].items())
        lines.append(f"| {name} | {calls} | {part['read_units']} | {part['write_units']} | {part['items_read']} | "
                     f"{part['items_written']} | {part['ms_p50']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inbound_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    figures = run(args.repetitions)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
