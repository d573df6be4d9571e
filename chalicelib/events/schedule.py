"""Work done every minute: due webhook retries, overdue tickets, SLA events and the digests of the
hour just finished (a minute's check of that hour is one read once it is done)."""
from chalice import Blueprint, Rate

from chalicelib.services.registry import services

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES))
def every_minute(event):
    services().webhooks.sweep_retries()
    services().overdue.sweep()
    services().sla.sweep()
    services().digests.send_due()
