"""Reports: the summary of a project's tickets per severity and day or week, from the aggregates
the tickets stream keeps; never a read of the tickets themselves."""
from collections import Counter
from datetime import date

from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.domain import reports as rules
from chalicelib.domain.clock import utc_now
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import SEVERITIES
from chalicelib.errors import ValidationFailed


class ReportService:
    def __init__(self, directory: DirectoryRepository):
        self.directory = directory

    def summary(self, principal: Principal, first: date, last: date, bucket: str, today: date | None = None) -> dict:
        if last < first:
            raise ValidationFailed.on("to", "must not be before from")
        if (last - first).days >= rules.MAX_REPORT_DAYS:
            raise ValidationFailed.on("to", f"at most {rules.MAX_REPORT_DAYS} days after from")
        today = today or utc_now().date()
        if (last - today).days > rules.MAX_REPORT_DAYS:
            raise ValidationFailed.on("to", "at most a year from today")
        # The backlog of a past day is today's less the changes since: those days are read too.
        until = max(today, last)
        if (until - first).days > 5 * rules.MAX_REPORT_DAYS:
            raise ValidationFailed.on("from", "at most five years ago")
        project_id = principal.project.id
        rows = {key: Counter(counters) for key, counters in self.directory.report_days(
            project_id, first.isoformat(), until.isoformat()).items()}
        counted = self.directory.tickets_counted(
            project_id, [(("severity_state", f"{severity}#open"),) for severity in SEVERITIES])
        open_now = dict(zip(SEVERITIES, counted))
        return rules.summarise(rows, first, last, bucket, open_now, today)
