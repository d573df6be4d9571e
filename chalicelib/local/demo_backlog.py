"""What the demo project of `make run` starts with: two teammates, their team, an SLA policy and a
small ops team's backlog. Data only; chalicelib/local/seed.py makes it through the API. People are
named by handle (ADMIN, ANA, BEN, TEAM); due dates are relative to the moment of seeding."""
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Teammate:
    handle: str
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class Change:
    """A PATCH by `by`; the fields left None stay as they are."""
    by: str
    status: str | None = None
    severity: str | None = None
    assignee: str | None = None


@dataclass(frozen=True)
class Comment:
    by: str
    text: str


@dataclass(frozen=True)
class Ticket:
    title: str
    description: str
    severity: str
    reporter: str
    assignee: str | None = None
    tags: tuple[str, ...] = ()
    due: timedelta | None = None
    source: str = "api"
    then: tuple[Change | Comment, ...] = ()


ADMIN, ANA, BEN, TEAM = "admin", "ana", "ben", "team"

TEAMMATES = (
    Teammate(ANA, "ana@example.com", "Ana Lima", "member"),
    Teammate(BEN, "ben@example.com", "Ben Okafor", "member"),
)
TEAM_NAME, TEAM_EMAIL, TEAM_MEMBERS = "Infrastructure", "infra@example.com", (ANA, BEN)

HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# Wall time for what wakes people up, business hours (9 h a day) for the rest.
SLA_POLICY = {
    "targets": {
        "critical": {"acknowledge": {"minutes": 15}, "resolve": {"minutes": 4 * 60}},
        "high": {"acknowledge": {"minutes": 60}, "resolve": {"minutes": 24 * 60}},
        "medium": {"acknowledge": {"minutes": 4 * 60, "business_hours": True},
                   "resolve": {"minutes": 3 * 9 * 60, "business_hours": True}},
        "low": {"acknowledge": {"minutes": 9 * 60, "business_hours": True},
                "resolve": {"minutes": 10 * 9 * 60, "business_hours": True}},
    },
    "business_hours": {"time_zone": "Europe/Lisbon", "working_days": ["mon", "tue", "wed", "thu", "fri"],
                       "start": "09:00", "end": "18:00"},
    "pause_on_deferred": True,
}

BACKLOG = (
    # ---- new -------------------------------------------------------------------------------------
    Ticket(
        "TLS certificate for portal.example.com expires in 9 days",
        "The certificate monitor warns that `portal.example.com` expires soon.\n\n"
        "Automatic renewal has failed three nights in a row: the DNS challenge record was removed during "
        "the DNS provider move last month.",
        "high", ADMIN, assignee=TEAM, tags=("tls", "security", "dns"), due=6 * DAY, source="monitoring"),
    Ticket(
        "Antivirus definitions 5 days old on 14 workstations",
        "The endpoint console lists 14 machines whose definitions stopped updating on the same day. All of "
        "them are on the 2nd floor, behind the new switch.",
        "medium", BEN, tags=("security", "laptop"), due=DAY, source="monitoring"),
    Ticket(
        "Meeting room display shows \"No signal\" with USB-C laptops",
        "HDMI laptops work. With the USB-C adapter from the drawer the display flickers once, then shows "
        "*No signal*. Tried two adapters.",
        "low", ANA, tags=("office", "av")),
    Ticket(
        "Cloning the monorepo from the Git server takes 20 minutes",
        "A fresh clone of `platform` took 19 min this morning (it used to take 3). Fetches are slow too. "
        "The server's disk is busy at 100% during clones.",
        "medium", BEN, assignee=TEAM, tags=("git", "performance"), due=7 * DAY),
    # ---- acknowledged ----------------------------------------------------------------------------
    Ticket(
        "Nightly backup of fileserver fs-01 failed: snapshot timed out",
        "The 02:00 job failed after 3 retries:\n\n```\nsnapshot creation timed out after 600 s (volume vol1)\n```\n\n"
        "The last good backup is from the night before.",
        "critical", ADMIN, assignee=BEN, tags=("backup", "storage"), due=4 * HOUR, source="monitoring",
        then=(Change(BEN, status="acknowledged"),
              Comment(BEN, "vol1 is at 97% and the snapshot reserve is full. Freeing space, then running the "
                           "job by hand."))),
    Ticket(
        "Laptop and accounts for Priya Shah, starting next week",
        "New analyst in Finance. Needs:\n\n- a laptop with the standard image\n- email and SSO account\n"
        "- access to the finance share\n- a badge for the 3rd floor",
        "medium", ADMIN, assignee=BEN, tags=("onboarding", "laptop"), due=3 * DAY, source="email",
        then=(Change(BEN, status="acknowledged"),)),
    Ticket(
        "SSO sign-in loops for some users since the identity provider upgrade",
        "After entering their password, a few users are sent back to the sign-in page again and again. "
        "Clearing cookies helps for a day.",
        "high", ANA, assignee=ANA, tags=("sso", "security"), due=DAY,
        then=(Change(ANA, status="acknowledged"),
              Comment(BEN, "Three more reports this morning, all on Safari."),
              Comment(ANA, "Looks like the new session cookie lacks `SameSite=None`. Checking with the "
                           "provider's support."))),
    # ---- in progress -----------------------------------------------------------------------------
    Ticket(
        "Printer on the 3rd floor jams on every double-sided job",
        "Single-sided printing works. Double-sided jams at the fuser after the first page, every time.",
        "low", BEN, assignee=ANA, tags=("printer", "office"), due=2 * DAY,
        then=(Change(ANA, status="acknowledged"),
              Comment(BEN, "Same with the recycled paper from the new box, so it is not the paper."),
              Change(ANA, status="in_progress"),
              Comment(ANA, "Fuser kit ordered, arriving Thursday. Please print single-sided until then."))),
    Ticket(
        "VPN drops every 20 minutes for remote staff on macOS",
        "Since Monday, remote staff on macOS lose the VPN every ~20 minutes and must reconnect. Windows "
        "users are not affected.",
        "high", ADMIN, assignee=ANA, tags=("vpn", "network"), due=-DAY, source="email",
        then=(Change(ANA, status="acknowledged"),
              Change(ANA, status="in_progress"),
              Comment(ANA, "Reproduced on two laptops: the tunnel drops at the 20-minute rekey and the "
                           "client gives up."),
              Comment(ADMIN, "Sales are on the road this week. Can we have a workaround out today?"),
              Comment(ANA, "Workaround live: the rekey lifetime is 8 h for the remote profile. Watching "
                           "tonight's logs before I close this."))),
    Ticket(
        "Password reset emails land in spam at Gmail",
        "Users with Gmail addresses find password reset emails in spam, or do not get them at all.",
        "medium", BEN, assignee=ADMIN, tags=("email", "dns"), due=-3 * DAY,
        then=(Change(ADMIN, status="in_progress"),
              Comment(ADMIN, "The SPF record lacks the new mail provider's include; DKIM is fine. The DNS "
                             "change waits for the registrar's approval."))),
    Ticket(
        "Restore test of the staging database for the quarterly audit",
        "The auditors need evidence of a successful restore from last month's backup: the restore log and "
        "the row counts checked against production.",
        "medium", ADMIN, assignee=BEN, tags=("backup", "database", "audit"), due=-5 * HOUR,
        then=(Change(BEN, status="in_progress"),
              Comment(ADMIN, "The auditors asked for the restore log by the end of the day."))),
    Ticket(
        "Revoke access of a contractor leaving on Friday",
        "Contractor account `j.doe`: email, VPN, Git, the cloud console and the door badge. Hand their "
        "laptop to the Finance team.",
        "high", ADMIN, assignee=ANA, tags=("access", "security", "offboarding"), due=3 * HOUR,
        then=(Change(ANA, status="in_progress"),
              Comment(ANA, "Email forwarding set up for their manager. Git and the cloud console done."))),
    # ---- deferred --------------------------------------------------------------------------------
    Ticket(
        "Wi-Fi in the Lisbon meeting room keeps disconnecting",
        "Calls in the Lisbon room drop several times an hour. Other rooms are fine.",
        "low", BEN, assignee=ANA, tags=("network", "office", "wifi"),
        then=(Change(ANA, status="acknowledged"),
              Comment(ANA, "The access point there is the last of the old model and fails under load. The "
                           "new one arrives in three weeks."),
              Change(ANA, status="deferred"))),
    Ticket(
        "Move the wiki to the new server before the old one's support ends",
        "The wiki runs on the last server of the old rack, out of support at the end of the year.",
        "medium", ANA, assignee=TEAM, tags=("migration",), due=30 * DAY,
        then=(Change(ADMIN, status="deferred"),
              Comment(ADMIN, "Parked until next quarter's budget is approved."))),
    # ---- resolved --------------------------------------------------------------------------------
    Ticket(
        "Disk usage on db-2 above 90%",
        "Alert: `/var/lib/postgresql` on db-2 at 91% and rising ~2% a day.",
        "high", ADMIN, assignee=BEN, tags=("database", "storage", "monitoring"), source="monitoring",
        then=(Change(BEN, status="acknowledged"),
              Change(BEN, status="in_progress"),
              Comment(BEN, "180 GB of WAL archives from the old replica were never pruned. Pruned them and "
                           "added a retention job; the disk is at 54%."),
              Change(BEN, status="resolved"))),
    Ticket(
        "Access to the finance share for the new controller",
        "Read and write on `\\\\fs-01\\finance` for Marta Silva, approved by the CFO (email attached to the "
        "onboarding request).",
        "low", ADMIN, assignee=BEN, tags=("access", "onboarding"), source="email",
        then=(Change(BEN, status="in_progress"),
              Change(BEN, status="resolved"))),
    # ---- closed ----------------------------------------------------------------------------------
    Ticket(
        "Production API returns 502 for 2% of requests since the 14:00 deploy",
        "Error rate jumped from 0.01% to 2% right after the 14:00 release. Only some requests, on every "
        "endpoint.",
        "high", ANA, assignee=ADMIN, tags=("incident", "api", "monitoring"), source="monitoring",
        then=(Change(ADMIN, severity="critical", status="acknowledged"),
              Change(ADMIN, status="in_progress"),
              Comment(ADMIN, "Rolled back to the previous release at 14:40; errors are back to 0.01%."),
              Change(ADMIN, status="resolved"),
              Comment(ANA, "Cause: the new release halved the database connection pool by a changed "
                           "default. The fix is merged; the write-up is in the wiki."),
              Change(ADMIN, status="closed"))),
    Ticket(
        "Server room temperature alarm: 29 °C",
        "The temperature sensor in the server room reads 29 °C (threshold 27 °C).",
        "high", ADMIN, assignee=BEN, tags=("facilities", "monitoring"), source="monitoring",
        then=(Change(BEN, status="acknowledged"),
              Comment(BEN, "One of the two air conditioners had tripped its breaker. Reset; back to 22 °C. "
                           "The technician checks it on Friday."),
              Change(BEN, status="resolved"),
              Change(BEN, status="closed"))),
    # ---- canceled --------------------------------------------------------------------------------
    Ticket(
        "Shared calendar does not sync on phones",
        "The team calendar shows on laptops but not on phones.",
        "medium", BEN, assignee=ANA, tags=("email", "mobile"),
        then=(Comment(ANA, "The phones still had the old mail profile. Re-adding the account fixed it; "
                           "nothing to change on the server."),
              Change(ANA, status="canceled"))),
    Ticket(
        "Cancel the unused fax line",
        "Nobody has sent a fax in two years; the line still costs a monthly fee.",
        "low", ANA, tags=("telecom",),
        then=(Comment(ADMIN, "Legal keeps the line for the court's notices until the end of the year."),
              Change(ADMIN, status="canceled"))),
)
