"""Request and response shapes of SLA policies and of the `sla` every ticket answer carries."""
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.schemas.common import Strict


@lru_cache(maxsize=1)
def _time_zones() -> list[str]:
    return sorted(available_timezones())


def _known_time_zones(schema: dict) -> None:
    # The zones this runtime knows, what the policy check accepts; read from disk only when the
    # document is built, not at every cold start.
    schema["enum"] = _time_zones()


TargetName = Literal["acknowledge", "resolve"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"),
                      Field(description="HH:MM, local time; 24:00 is the end of the day")]
# A calendar date: the format says what the policy check accepts (a pattern alone would admit 2026-02-30).
Day = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
                Field(description="YYYY-MM-DD", json_schema_extra={"format": "date"})]


class TargetIn(Strict):
    minutes: int = Field(ge=1, le=366 * 24 * 60, description="The time allowed, in minutes")
    business_hours: bool = Field(default=False, description="Count only the business hours (else wall time)")


class SeverityTargets(Strict):
    acknowledge: TargetIn | None = Field(default=None, description="Until the ticket first leaves `new`")
    resolve: TargetIn | None = Field(default=None, description="Until it first reaches resolved or closed")


class Targets(Strict):
    critical: SeverityTargets | None = None
    high: SeverityTargets | None = None
    medium: SeverityTargets | None = None
    low: SeverityTargets | None = None


class BusinessHours(Strict):
    time_zone: str = Field(min_length=1, max_length=64, description="An IANA time zone, such as Europe/Paris",
                           json_schema_extra=_known_time_zones)
    working_days: list[Weekday] = Field(min_length=1, max_length=7)
    start: ClockTime
    end: ClockTime
    holidays: list[Day] = Field(default_factory=list, max_length=400, description="Local dates with no working hours")


def _hours_when_counted(schema: dict) -> None:
    # A target may count business hours only when the policy has them: either the policy has
    # business hours, or none of its targets counts them.
    wall_target = {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"business_hours": {"const": False}}}]}
    wall_severity = {"anyOf": [{"type": "null"}, {"type": "object", "properties": {
        name: wall_target for name in ("acknowledge", "resolve")}}]}
    schema["oneOf"] = [
        {"title": "With business hours", "required": ["business_hours"],
         "properties": {"business_hours": {"type": "object"}}},
        {"title": "Wall time only", "properties": {
            "business_hours": {"type": "null"},
            "targets": {"type": "object", "properties": {
                severity: wall_severity for severity in ("critical", "high", "medium", "low")}}}},
    ]


class SlaPolicyIn(Strict):
    model_config = Strict.model_config | {"json_schema_extra": _hours_when_counted}
    targets: Targets
    business_hours: BusinessHours | None = Field(default=None, description="Needed by targets that count "
                                                                           "business hours")
    pause_on_deferred: bool = Field(default=True, description="Clocks pause while a ticket is deferred")


class TargetOut(BaseModel):
    minutes: int
    business_hours: bool


class SeverityTargetsOut(BaseModel):
    acknowledge: TargetOut | None = None
    resolve: TargetOut | None = None


class BusinessHoursOut(BaseModel):
    time_zone: str
    working_days: list[Weekday]
    start: str
    end: str
    holidays: list[str]


class SlaPolicyOut(BaseModel):
    version: int = Field(description="Tickets keep the version they started under")
    targets: dict[Literal["critical", "high", "medium", "low"], SeverityTargetsOut]
    business_hours: BusinessHoursOut | None
    pause_on_deferred: bool
    created_at: str | None
    created_by: str | None


class SlaTarget(BaseModel):
    minutes: int = Field(description="The target, in counted minutes")
    business_hours: bool = Field(description="Whether it counts business hours or wall time")
    state: Literal["running", "paused", "stopped", "met", "breached"] = Field(
        description="paused: deferred (when the policy pauses it); stopped: canceled; breached: past due, "
                    "whether met late or not met")
    due_at: str | None = Field(description="When it is (or was) due; null while paused or stopped")
    at_risk_at: str | None = Field(description="When under 25 % of its time is left; null while paused or stopped")
    at_risk: bool = Field(description="Running with under 25 % of its time left")
    elapsed_seconds: int = Field(description="Counted time so far (until met)")
    remaining_seconds: int | None = Field(description="Counted time left; null once met or breached")
    overrun_seconds: int | None = Field(description="Counted time past the target; null unless breached")
    met_at: str | None = Field(description="When it was met (also when met late)")
    took_seconds: int | None = Field(description="Counted time it took, once met")


class SlaTargets(BaseModel):
    acknowledge: SlaTarget | None = None
    resolve: SlaTarget | None = None


class SlaOut(BaseModel):
    policy_version: int
    targets: SlaTargets = Field(description="The targets of the ticket's severity; a severity without one has none")
