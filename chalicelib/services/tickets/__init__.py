"""Ticket use cases, one module per job: reading (reads), creating (create), changing (change),
changing many at once (bulk), deleting (delete), searching (search), commenting (comments) and the
project's workflow (workflow). What they share is in common and idempotency."""
