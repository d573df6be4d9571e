"""Mentions of people and teams in comments and descriptions.

Stored (and sent over the wire) as tokens: `<@USER_ID>` for a member, `<@team:TEAM_ID>` for a team,
which the UI shows as "@<current name>", so a renamed person shows their new name. Text written
with a member's address (`@ana@example.com`) is turned into their token on write; a token naming
no one of the project becomes plain text, so it can never mention anyone later. Nothing inside
fenced code blocks or inline code is a mention: logs and snippets are pasted there verbatim.
"""
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from chalicelib.domain.people import Member, Team, normalise_email
from chalicelib.domain.tickets import TEAM_PREFIX
from chalicelib.errors import ValidationFailed

MAX_MENTIONS = 20
# The character that every candidate mention holds: text without it is never read for people.
MARK = "@"

# A token as anyone may type it: `<@` and up to an address's length of anything but spaces and
# angle brackets. Whether it names someone is decided against the project's people.
_TOKEN = r"<@(?P<token>[^\s<>]{1,320})>"
# An address after `@`, where that `@` does not follow a word character: `@ana@example.com` is a
# mention, `ana@example.com` is an address in prose. The domain ends with a letter or digit, so
# the full stop that ends a sentence is not part of it. Combining accents count as letters: an
# address may be typed decomposed (NFD).
_LETTER = r"\w\u0300-\u036f"
_ADDRESS = rf"(?<!\w)@(?P<address>[{_LETTER}.+'-]+@[{_LETTER}-]+(?:\.[{_LETTER}-]+)+)"
_CANDIDATE = re.compile(f"{_TOKEN}|{_ADDRESS}")
_STORED_TOKEN = re.compile(_TOKEN)

# A fenced code block opens with three or more backticks or tildes (indented at most three spaces)
# and ends with a line of at least as many of the same character, or with the text.
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")


@dataclass(frozen=True)
class Resolved:
    text: str                 # the text to store: tokens only for the project's people
    ids: tuple[str, ...]      # who it mentions, first-seen order: user ids and `team:<id>`


def may_mention(text: str | None) -> bool:
    """Whether resolving `text` needs the project's people at all."""
    return bool(text) and MARK in text


def resolve(text: str, members: Iterable[Member], teams: Iterable[Team], *, field: str = "comment") -> Resolved:
    """`text` as it is to be stored, and whom it mentions. A token of a member or a team of the
    project stays (a member's token may also be written with their address); `@address` of a member
    becomes their token; any other token becomes `@` and what it held. At most MAX_MENTIONS
    different people and teams, else ValidationFailed on `field`."""
    by_id = {member.user_id: member for member in members}
    by_email = {normalise_email(member.email): member for member in by_id.values()}
    team_ids = {team.id for team in teams}

    def token_for(held: str) -> str | None:
        if held.startswith(TEAM_PREFIX):
            return held if held[len(TEAM_PREFIX):] in team_ids else None
        if held in by_id:
            return held
        member = by_email.get(normalise_email(held))
        return member.user_id if member is not None else None

    def replace(match: re.Match) -> str:
        if match["token"] is not None:
            ref = token_for(match["token"])
            return f"<@{ref}>" if ref is not None else MARK + match["token"]
        member = by_email.get(normalise_email(match["address"]))
        return f"<@{member.user_id}>" if member is not None else match[0]

    resolved = "".join(_CANDIDATE.sub(replace, piece) if not code else piece for piece, code in _pieces(text))
    ids = mentioned(resolved)
    if len(ids) > MAX_MENTIONS:
        raise ValidationFailed.on(field, f"mentions {len(ids)} people and teams; at most {MAX_MENTIONS}")
    return Resolved(resolved, ids)


def mentioned(text: str | None) -> tuple[str, ...]:
    """The ids the tokens of a stored text name, in first-seen order, each once (`team:<id>` for a
    team); tokens in code are not mentions."""
    if not may_mention(text):
        return ()
    found: dict[str, None] = {}
    for piece, code in _pieces(text):
        if not code:
            found.update(dict.fromkeys(match["token"] for match in _STORED_TOKEN.finditer(piece)))
    return tuple(found)


def shown(text: str, name: Callable[[str], str]) -> str:
    """`text` with each token outside code as `@` and the name `name` gives its id: how an email
    (which renders no tokens) shows a mention."""
    if not may_mention(text):
        return text
    return "".join(piece if code else _STORED_TOKEN.sub(lambda match: MARK + name(match["token"]), piece)
                   for piece, code in _pieces(text))


def newly_mentioned(old: str | None, new: str | None) -> tuple[str, ...]:
    """Who `new` mentions that `old` did not: an edit tells only them."""
    before = set(mentioned(old))
    return tuple(ref for ref in mentioned(new) if ref not in before)


def _pieces(text: str) -> Iterator[tuple[str, bool]]:
    """`text` cut into consecutive pieces, each with whether it is code (a fenced block, fences
    included, or an inline code span, backticks included). Joined, the pieces are `text`."""
    prose: list[str] = []
    fence: str | None = None
    block: list[str] = []
    for line in text.splitlines(keepends=True):
        if fence is None:
            opening = _FENCE.match(line)
            # A backtick fence's info string holds no backtick (CommonMark); else it is inline code.
            if opening and not (opening["fence"][0] == "`" and "`" in line[opening.end():]):
                yield from _inline("".join(prose))
                prose, fence, block = [], opening["fence"], [line]
            else:
                prose.append(line)
            continue
        block.append(line)
        closing = _FENCE.match(line)
        if (closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence)
                and not line[closing.end():].strip()):
            yield "".join(block), True
            fence, block = None, []
    if block:
        yield "".join(block), True
    yield from _inline("".join(prose))


def _inline(text: str) -> Iterator[tuple[str, bool]]:
    """Prose cut around its code spans: a run of backticks opens one, closed by the next run of
    exactly as many; a run never closed is plain backticks."""
    start = position = 0
    while (opening := _BACKTICKS.search(text, position)) is not None:
        closing = next((run for run in _BACKTICKS.finditer(text, opening.end())
                        if len(run[0]) == len(opening[0])), None)
        if closing is None:
            position = opening.end()
            continue
        if opening.start() > start:
            yield text[start:opening.start()], False
        yield text[opening.start():closing.end()], True
        start = position = closing.end()
    if start < len(text):
        yield text[start:], False
