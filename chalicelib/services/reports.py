"""Reports: the summary of a project's tickets per severity and day or week, from the aggregates
the tickets stream keeps; never a read of the tickets themselves."""
from collections import Counter
from datetime import date

from chalicelib.domain import reports as rules
from chalicelib.domain.clock import utc_now
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import SEVERITIES
from chalicelib.services.ports import Reports


class ReportService:
    def __init__(self, directory: Reports):
        self.directory = directory

    def summary(self, principal: Principal, first: date, last: date, bucket: str, today: date | None = None) -> dict:
        """Any range is answered: the days reported are those of [first, last] within five years
        back and a year ahead, and at most MAX_REPORT_DAYS of them from the first; the answer's
        `from` and `to` name them (a range with no such day has no buckets)."""
        today = today or utc_now().date()
        first, last = rules.reported_days(first, last, today)
        if last < first:
            return {"from": first.isoformat(), "to": last.isoformat(), "bucket": bucket, "buckets": []}
        # The backlog of a past day is today's less the changes since: every later day is read
        # too, those dated after today included, as the open counts read below already hold them.
        project_id = principal.project.id
        rows = {key: Counter(counters) for key, counters in self.directory.report_days(
            project_id, first.isoformat(), date.max.isoformat()).items()}
        counted = self.directory.tickets_counted(
            project_id, [(("severity_state", f"{severity}#open"),) for severity in SEVERITIES])
        open_now = dict(zip(SEVERITIES, counted))
        return rules.summarise(rows, first, last, bucket, open_now, today)
