"""Request and response shapes of the reports."""
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.common import Date, Strict


class ReportQuery(Strict):
    from_: Date = Field(alias="from", description="First day (UTC), inclusive, YYYY-MM-DD; days more than five "
                                                  "years back are not reported")
    to: Date = Field(description="Last day (UTC), inclusive. The answer covers at most 366 days from `from` and "
                                 "none more than a year ahead; its `from` and `to` name the days it covers "
                                 "(none when `to` comes before `from`)")
    bucket: Literal["day", "week"] = Field(default="day", description="day, or ISO week (Monday to Sunday, "
                                                                       "cut to the range)")


class Durations(BaseModel):
    count: int
    mean_seconds: float | None = Field(description="Exact")
    p50_seconds: float | None = Field(description="Read off fixed duration buckets: within the bucket of the "
                                                  "true value (see docs/api.md)")
    p90_seconds: float | None


class Figures(BaseModel):
    created: int
    acknowledged: int = Field(description="Tickets that first left `new` in the bucket")
    resolved: int = Field(description="Tickets that first reached resolved or closed in the bucket")
    mtta: Durations = Field(description="Creation to acknowledgement of the tickets acknowledged in the bucket")
    mttr: Durations = Field(description="Creation to resolution of the tickets resolved in the bucket")
    sla_met: int = Field(description="SLA targets met in time in the bucket")
    sla_breached: int = Field(description="SLA targets met late in the bucket")
    backlog: int | None = Field(description="Open tickets at the end of the bucket; null for a bucket ending "
                                            "after today")


class Severities(BaseModel):
    critical: Figures
    high: Figures
    medium: Figures
    low: Figures


class ReportBucket(BaseModel):
    start: str = Field(description="First day, YYYY-MM-DD")
    end: str = Field(description="Last day, inclusive")
    severities: Severities
    total: Figures


class ReportSummary(BaseModel):
    from_: str = Field(alias="from")
    to: str
    bucket: Literal["day", "week"]
    buckets: list[ReportBucket]
