"""Email that people send in, as Ticketry reads it: who wrote to whom, in which thread, what they
wrote (and what of it is new), what came attached, whether a machine sent it, and what the
receiving service said of it. Pure: the standard library's `email` package (policy.default) reads
the message, `quotequail` finds where quoted history begins."""
import binascii
import codecs
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from urllib.parse import urlsplit

import quotequail

from chalicelib.domain.attachments import clean_file_name
from chalicelib.domain.notifications import header_safe

# SES stores each received message under this key prefix (`inbound/<SES message id>`).
INBOUND_PREFIX = "inbound/"

MAX_SUBJECT_LENGTH = 998  # RFC 5322's longest line: no sender can mean a longer subject
MAX_NAME_LENGTH = 100
MAX_DIAGNOSTIC_LENGTH = 1000
# Quoted history starts near the top of a reply; looking further only costs time on long texts.
MAX_REPLY_LINES = 1000
# A text this long is cut by whoever stores it long before its end: converting more HTML than
# this only costs time (the converter is pure Python, about a second a megabyte).
MAX_HTML_CHARS = 1_000_000
# Longer HTML is not read again for its reply: the text (or its conversion) is, which is faster.
MAX_REPLY_HTML_CHARS = 200_000

VERDICT_NAMES = ("spam", "virus", "spf", "dkim", "dmarc")
FAIL = "FAIL"


class UnreadableMessage(Exception):
    """What was received is not a message that can be answered: not a message at all, or no
    sender address."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReceivedFile:
    file_name: str
    content_type: str
    data: bytes
    inline: bool  # shown within the text (an image the HTML refers to by its Content-ID)
    content_id: str | None  # without <>


@dataclass(frozen=True)
class Bounce:
    recipients: tuple[str, ...]  # the addresses that could not be delivered to, lowercased
    status: str                  # the first one's RFC 3463 status, e.g. "5.1.1"
    diagnostic: str              # what the receiving server said, one line


@dataclass(frozen=True)
class InboundMessage:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    reply_text: str
    attachments: tuple[ReceivedFile, ...]
    auto_submitted: bool
    auto_reply: bool
    bulk: bool
    bounce: Bounce | None
    verdicts: dict[str, str] = field(default_factory=dict)

    def failed_verdicts(self) -> list[str]:
        """The checks the message failed (spam, virus, spf, dkim, dmarc), in that order."""
        return [name for name, verdict in self.verdicts.items() if verdict == FAIL]


def parse(raw: bytes) -> InboundMessage:
    """Reads a message as received (headers and body, bytes). Raises UnreadableMessage only when it
    is not a message or names no sender; anything else odd in it (unknown charsets, broken
    headers, bad encodings) is read as well as it can be."""
    message = _read(raw)
    headers = _Headers(message)
    sender, sender_name = _sender(headers)
    body = _Body.of(message)
    html = body.html()
    text = body.text(html)
    bounce = _bounce(message)
    return InboundMessage(
        message_id=_first_id(headers.first("Message-ID")),
        in_reply_to=tuple(_ids(headers.first("In-Reply-To"))),
        references=tuple(_ids(headers.first("References"))),
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(_recipients(headers)),
        cc=tuple(_unique(address for name in ("To", "Cc") for value in headers.all(name)
                         for address in addresses_in(value) if address != sender)),
        subject=_subject(headers),
        text=text,
        reply_text=strip_reply(text, html or None),
        attachments=tuple(_received_file(part) for part in body.files),
        auto_submitted=_auto_submitted(headers) or _is_delivery_report(message),
        auto_reply=_auto_reply(headers) or (_is_delivery_report(message) and bounce is None),
        bulk=_bulk(headers),
        bounce=bounce,
        verdicts=_verdicts(headers),
    )


# --- reading the message ---------------------------------------------------------------------

def _read(raw: bytes) -> EmailMessage:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if not bytes(raw).strip():
        raise UnreadableMessage("empty")
    try:
        message = BytesParser(policy=policy.default).parsebytes(bytes(raw))
    except Exception as error:  # the parser is lenient; what breaks it is no message
        raise UnreadableMessage(f"not a message ({type(error).__name__})") from error
    if not message.keys():
        raise UnreadableMessage("not a message: no headers")
    return message


class _Headers:
    """A message's header fields as received, in order (topmost first), unfolded."""

    def __init__(self, message: EmailMessage):
        self._fields = [(name.lower(), _unfold(value)) for name, value in message.raw_items()]

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for field_name, value in self._fields if field_name == name]

    def first(self, name: str) -> str | None:
        found = self.all(name)
        return found[0] if found else None

    def has(self, name: str) -> bool:
        return self.first(name) is not None


def _unfold(value) -> str:
    return re.sub(r"\r?\n|\r", "", str(value))


def _unescaped(value: str) -> str:
    """Text the email package could not decode (8-bit header bytes, an unknown charset) arrives
    as surrogate escapes of its bytes: those are read as UTF-8, or else Latin-1."""
    if not re.search("[\udc80-\udcff]", value):
        return value
    return decode_text(value.encode("utf-8", "surrogateescape"), None)


# --- addresses -------------------------------------------------------------------------------

_ADDR_SPEC = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+")


def addresses_in(raw_header_value: str) -> list[str]:
    """The addresses a header such as To or Cc names, lowercased, each once, in order."""
    return _unique(address for address, _ in _mailboxes(raw_header_value))


def _mailboxes(raw_value: str) -> list[tuple[str, str]]:
    """(address, display name) of each mailbox a header value names; what is not an address
    (an empty group, a name alone) is left out."""
    try:
        pairs = [(a.addr_spec, _unescaped(a.display_name))
                 for a in policy.default.header_factory("to", raw_value).addresses]
    except Exception:  # e.g. a name encoding CR/LF, which the strict parser refuses: the lenient one
        pairs = [(address, decode_words(name)) for name, address in _lenient_addresses(raw_value)]
    found = []
    for address, name in pairs:
        address = _unescaped(address).strip().lower()
        if _ADDR_SPEC.fullmatch(address) and not _has_unsafe_characters(address):
            found.append((address, header_safe(name, MAX_NAME_LENGTH)))
    return found


def _lenient_addresses(raw_value: str) -> list[tuple[str, str]]:
    try:
        return getaddresses([raw_value], strict=False)
    except TypeError:  # a Python from before getaddresses became strict (3.11.10, 3.12.6, 3.13)
        return getaddresses([raw_value])


def _has_unsafe_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in value)


def _sender(headers: _Headers) -> tuple[str, str]:
    mailboxes = _mailboxes(headers.first("From") or "")
    if not mailboxes:
        raise UnreadableMessage("no sender address")
    return mailboxes[0]


def _recipients(headers: _Headers) -> list[str]:
    """Where the message was delivered: the envelope recipient the receiving server noted in its
    (topmost) Received line, then To, Cc, Delivered-To and X-Original-To."""
    envelope = re.search(r"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?", headers.first("Received") or "", re.IGNORECASE)
    values = [envelope.group(1)] if envelope else []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        values += headers.all(name)
    return _unique(address for value in values for address in addresses_in(value))


def _unique(items) -> list:
    return list(dict.fromkeys(items))


# --- identifiers and subject -----------------------------------------------------------------

_BRACKETED_ID = re.compile(r"<([^<>\s]+)>")


def _ids(value: str | None) -> list[str]:
    """Message ids in a header (In-Reply-To, References), without <>, in order, each once; ids
    that a careless client wrote without brackets are taken too."""
    if not value:
        return []
    found = _BRACKETED_ID.findall(value)
    if not found:
        found = [word for word in value.split() if "@" in word and not _has_unsafe_characters(word)]
    return _unique(_unescaped(message_id) for message_id in found)


def _first_id(value: str | None) -> str | None:
    ids = _ids(value)
    return ids[0] if ids else None


def _subject(headers: _Headers) -> str:
    return header_safe(decode_words(headers.first("Subject") or ""), MAX_SUBJECT_LENGTH)


_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bq])\?([^?\s]*)\?=", re.IGNORECASE)


def decode_words(value: str) -> str:
    """Text with its RFC 2047 encoded words (`=?utf-8?q?caf=C3=A9?=`) decoded, in any charset
    decode_text reads. Space between two encoded words goes (RFC 2047, 6.2); adjacent words in one
    charset are decoded together, so that a character split between them survives."""
    pieces: list[tuple[str | None, bytes | str]] = []  # (charset, bytes) or (None, text)
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position:match.start()]
        after_word = bool(pieces) and pieces[-1][0] is not None
        if between and not (after_word and not between.strip()):
            pieces.append((None, between))
        charset, data = match.group(1).lower(), _word_bytes(match.group(2), match.group(3))
        if pieces and pieces[-1][0] == charset:
            pieces[-1] = (charset, pieces[-1][1] + data)
        else:
            pieces.append((charset, data))
        position = match.end()
    pieces.append((None, value[position:]))
    return "".join(decode_text(data, charset) if charset else _unescaped(data) for charset, data in pieces)


def _word_bytes(encoding: str, text: str) -> bytes:
    data = text.encode("ascii", "surrogateescape")
    try:
        if encoding.lower() == "b":
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):  # not base64 after all: the word as written
        return data


# --- classification --------------------------------------------------------------------------

# Subjects that out-of-office and autoresponders write before the original subject.
_AUTO_REPLY_SUBJECT = re.compile(
    r"(automatic reply|auto[- ]?reply|auto[- ]?response|autosvar|abwesenheitsnotiz"
    r"|out of (the )?office( auto ?reply)?|r[ée]ponse automatique|respuesta autom[áa]tica)\s*(:|$)",
    re.IGNORECASE)


def _keyword(value: str | None) -> str:
    """A header's value without comments and parameters, lowercased: `auto-replied`."""
    if value is None:
        return ""
    return re.sub(r"\([^()]*\)", "", value).split(";")[0].strip().lower()


def _auto_submitted(headers: _Headers) -> bool:
    return _keyword(headers.first("Auto-Submitted")) not in ("", "no") or headers.has("X-Auto-Response-Suppress")


def _auto_reply(headers: _Headers) -> bool:
    return (_keyword(headers.first("Auto-Submitted")) == "auto-replied"
            or headers.has("X-Autoreply") or headers.has("X-Autorespond")
            or _AUTO_REPLY_SUBJECT.match(_subject(headers)) is not None)


def _bulk(headers: _Headers) -> bool:
    return (_keyword(headers.first("Precedence")) in ("bulk", "list", "junk")
            or headers.has("List-Id") or headers.has("List-Unsubscribe"))


def _is_delivery_report(message: EmailMessage) -> bool:
    return (message.get_content_type() == "multipart/report"
            and str(message.get_param("report-type", "")).lower() == "delivery-status")


def _bounce(message: EmailMessage) -> Bounce | None:
    """What a delivery status notification (RFC 3464) says could not be delivered; None for any
    other message, and for a report of delays or deliveries only."""
    if not _is_delivery_report(message) or not message.is_multipart():
        return None
    report = next((part for part in message.iter_parts()
                   if part.get_content_type() == "message/delivery-status"), None)
    failed = [fields for fields in _recipient_fields(report) if _failed(fields)]
    recipients = _unique(address for fields in failed
                         for address in addresses_in(_after_type(fields.get("final-recipient")
                                                                 or fields.get("original-recipient"))))
    if not recipients:
        return None
    first = failed[0]
    return Bounce(recipients=tuple(recipients), status=_keyword(first.get("status")),
                  diagnostic=header_safe(_after_type(first.get("diagnostic-code")), MAX_DIAGNOSTIC_LENGTH))


def _recipient_fields(report: EmailMessage | None) -> list[dict[str, str]]:
    """The per-recipient field groups of a message/delivery-status part (the first group is about
    the message, each later one about a recipient)."""
    if report is None or not isinstance(report.get_payload(), list):
        return []
    groups = [{name.lower(): _unfold(value) for name, value in reversed(list(block.raw_items()))}
              for block in report.get_payload()]
    return groups[1:]


def _failed(fields: dict[str, str]) -> bool:
    action = _keyword(fields.get("action"))
    return action == "failed" or (not action and _keyword(fields.get("status")).startswith("5"))


def _after_type(value: str | None) -> str:
    """`rfc822; bob@example.com` → `bob@example.com`; `smtp; 550 ...` → `550 ...`."""
    if not value:
        return ""
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


# --- verdicts --------------------------------------------------------------------------------

_METHOD_RESULT = re.compile(r"(?:^|[;\s])(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def _verdicts(headers: _Headers) -> dict[str, str]:
    """The receiving service's verdicts, from the topmost header of each kind: the service writes
    its own above what the sender wrote, so any lower one may be forged."""
    verdicts = {}
    for name, header in (("spam", "X-SES-Spam-Verdict"), ("virus", "X-SES-Virus-Verdict")):
        if headers.has(header):
            verdicts[name] = _keyword(headers.first(header)).upper()
    results = _authentication_results(headers.first("Authentication-Results"))
    received_spf = _keyword(headers.first("Received-SPF")).split(" ")[0]
    if "spf" not in results and received_spf:
        results["spf"] = received_spf.upper()
    verdicts.update((name, results[name]) for name in VERDICT_NAMES if name in results)
    return {name: verdicts[name] for name in VERDICT_NAMES if verdicts.get(name)}


def _authentication_results(value: str | None) -> dict[str, str]:
    """spf / dkim / dmarc results of an Authentication-Results header (RFC 8601); of several DKIM
    signatures, one that passes is enough."""
    if not value:
        return {}
    without_comments = value
    while re.search(r"\([^()]*\)", without_comments):
        without_comments = re.sub(r"\([^()]*\)", " ", without_comments)
    results: dict[str, str] = {}
    for method, result in _METHOD_RESULT.findall(without_comments):
        method, result = method.lower(), result.upper()
        if method not in results or (method == "dkim" and result == "PASS"):
            results[method] = result
    return results


# --- body ------------------------------------------------------------------------------------

# Parts of a delivery report that are read as such (see _bounce), neither text nor files.
_REPORT_PARTS = frozenset({"message/delivery-status", "text/rfc822-headers",
                           "message/disposition-notification", "message/feedback-report"})


@dataclass
class _Body:
    """The parts of a message that make its text (plain, HTML) and the files that came with it."""
    plain: list[EmailMessage] = field(default_factory=list)
    html_parts: list[EmailMessage] = field(default_factory=list)
    files: list[EmailMessage] = field(default_factory=list)

    @classmethod
    def of(cls, message: EmailMessage) -> "_Body":
        body = cls()
        body.collect(message)
        return body

    def collect(self, part: EmailMessage) -> None:
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            children = part.get_payload()
            if part.get_content_subtype() == "alternative":
                self.choose_alternative(children)
            else:
                for child in children:
                    self.collect(child)
            return
        kind = _part_kind(part)
        if kind == "plain":
            self.plain.append(part)
        elif kind == "html":
            self.html_parts.append(part)
        elif kind == "file":
            self.files.append(part)

    def choose_alternative(self, children: list[EmailMessage]) -> None:
        """Alternatives are one content in different forms: the text of the first with plain text,
        the HTML of the last with HTML (the richest, RFC 2046), the files of every one."""
        options = [_Body.of(child) for child in children]
        with_plain = next((option for option in options if option.plain), None)
        with_html = next((option for option in reversed(options) if option.html_parts), None)
        self.plain += with_plain.plain if with_plain else []
        self.html_parts += with_html.html_parts if with_html else []
        self.files += _unique(part for option in options for part in option.files)

    def text(self, html: str) -> str:
        if self.plain:
            return "\n\n".join(filter(None, (_plain_text(part) for part in self.plain)))
        return html_to_text(html)

    def html(self) -> str:
        return "\n".join(_decoded(part) for part in self.html_parts)


def _part_kind(part: EmailMessage) -> str:
    content_type = part.get_content_type()
    if content_type in _REPORT_PARTS:
        return "report"
    if part.get_content_maintype() == "multipart":  # declared multipart without parts: its text
        return "plain"
    if part.get_content_disposition() == "attachment" or _file_name_given(part):
        return "file"
    if content_type == "text/plain":
        return "plain"
    if content_type == "text/html":
        return "html"
    return "file"


def _file_name_given(part: EmailMessage) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # a malformed parameter: no name
        return None
    return _unescaped(name).strip() if name and name.strip() else None


def _payload(part: EmailMessage) -> bytes:
    """A part's content with its transfer encoding (base64, quoted-printable) undone."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _decoded(part: EmailMessage) -> str:
    data = _payload(part)
    charset = part.get_content_charset()
    if charset is None and part.get_content_type() == "text/html":
        charset = _meta_charset(data)
    return _clean_text(decode_text(data, charset))


def _meta_charset(html: bytes) -> str | None:
    found = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", html[:4096], re.IGNORECASE)
    return found.group(1).decode("ascii") if found else None


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode's Cc, but tab and line feed


def _clean_text(text: str) -> str:
    """Line ends as \\n, without control characters other than tabs."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _plain_text(part: EmailMessage) -> str:
    text = _decoded(part)
    if str(part.get_param("format", "")).lower() == "flowed":
        text = _unflowed(text, str(part.get_param("delsp", "")).lower() == "yes")
    return text.strip()


def _unflowed(text: str, delete_space: bool) -> str:
    """format=flowed text (RFC 3676) as its paragraphs: a line ending in a space goes on in the
    next line of the same quote depth."""
    lines: list[str] = []
    joining = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content[1:] if content.startswith(" ") else content  # space-stuffing
        if joining and lines and _depth(lines[-1]) == depth:
            lines[-1] += content
        else:
            lines.append(">" * depth + (" " if depth and content else "") + content)
        joining = content.endswith(" ") and content != "-- "
        if joining and delete_space:
            lines[-1] = lines[-1][:-1]
    return "\n".join(line if line == "-- " else line.rstrip(" ") for line in lines)


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(">"))


# --- charsets --------------------------------------------------------------------------------

# Labels that mail software writes for a charset that Python names differently, or whose superset
# is what the sending software really used (as browsers read them: WHATWG Encoding).
_CHARSET_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "x-sjis": "cp932", "sjis": "cp932", "ms_kanji": "cp932",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8", "windows-874": "cp874", "tis-620": "cp874",
    "x-mac-roman": "mac_roman", "macintosh": "mac_roman",
}
# Codecs that are not character sets, or that interpret escapes in the text they decode.
_NOT_CHARSETS = frozenset({"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"})


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes as text in the charset declared; text that does not decode in it is tried as UTF-8.
    An unknown charset (or none, or US-ASCII with 8-bit bytes) is read as UTF-8, else as Latin-1
    (Windows' version, cp1252, first: its quotes and dashes are what such bytes mostly are).
    Never fails."""
    codec = _codec(charset)
    known = codec not in (None, "ascii")
    for candidate in ([codec, "utf-8"] if known else ["utf-8", "cp1252"]):
        try:
            return data.decode(candidate)
        except (UnicodeError, LookupError, ValueError, TypeError):
            continue
    return data.decode(codec, errors="replace") if known else data.decode("latin-1")


def _codec(charset: str | None) -> str | None:
    label = (charset or "").strip().strip("\"'").lower()
    if not label:
        return None
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    # Latin-1 as Windows writes it (WHATWG Encoding reads the label so too); bytes it leaves
    # undefined are tried as UTF-8, then replaced.
    return "cp1252" if info.name == "iso8859-1" else info.name


# --- files -----------------------------------------------------------------------------------

def _received_file(part: EmailMessage) -> ReceivedFile:
    content_id = _content_id(part)
    disposition = part.get_content_disposition()
    return ReceivedFile(
        file_name=_file_name(part),
        content_type=part.get_content_type(),
        data=_message_bytes(part) if part.get_content_maintype() == "message" else _payload(part),
        inline=disposition == "inline" or (disposition is None and content_id is not None),
        content_id=content_id,
    )


def _content_id(part: EmailMessage) -> str | None:
    """The part's Content-ID without <> (some clients write it without them)."""
    raw = _Headers(part).first("Content-ID")
    if raw is None:
        return None
    bracketed = _BRACKETED_ID.findall(raw)
    bare = raw.strip()
    if bracketed:
        return _unescaped(bracketed[0])
    return _unescaped(bare) if bare and " " not in bare and not _has_unsafe_characters(bare) else None


def _file_name(part: EmailMessage) -> str:
    given = _file_name_given(part)
    if given:
        return clean_file_name(given)
    content_type = part.get_content_type()
    if part.get_content_maintype() == "message":
        return "message.eml"
    extension = mimetypes.guess_extension(content_type, strict=False) or ""
    return ("image" if part.get_content_maintype() == "image" else "attachment") + extension


def _message_bytes(part: EmailMessage) -> bytes:
    """An attached message as bytes, its headers as received."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if inner is None:
        return _payload(part) or str(part.get_payload()).encode("utf-8", "surrogateescape")
    try:
        return inner.as_bytes(policy=policy.default.clone(refold_source="none"))
    except Exception:  # a header the generator cannot write back: the message as text
        return str(inner).encode("utf-8", "surrogateescape")


# --- replies ---------------------------------------------------------------------------------

# What mobile clients append to a message, alone on its last line.
_MOBILE_SIGNATURE = re.compile(
    r"(sent|envoy[ée]|enviado|inviato|verzonden|skickat|gesendet)\s+(from|with|via|de|desde|da|van|fr[åa]n|von)\s.{1,60}"
    r"|get outlook for \w+.{0,80}|von meinem .{1,40} gesendet|sent from my .{1,60}",
    re.IGNORECASE)
# A signature after "-- " (RFC 3676) longer than this is more likely text that a line of two
# dashes happens to start.
MAX_SIGNATURE_LINES = 10


def strip_reply(text: str, html: str | None = None) -> str:
    """What a reply adds: `text` without the quoted history below it and without the signature.
    Given the HTML part too, that is read instead, as its markup shows the history more surely
    (Gmail's gmail_quote, Outlook's appendonsend and divRplyFwdMsg, Apple Mail's cite blockquote)."""
    if html and len(html) <= MAX_REPLY_HTML_CHARS:
        new_part = _without_quote_and_signature(_html_text(html, reply_only=True))
        if new_part:
            return new_part
    return _without_quote_and_signature(text)


def _without_quote_and_signature(text: str) -> str:
    return _without_signature(_above_quote(text.strip())).strip()


def _above_quote(text: str) -> str:
    """The text above the first quoted history ("On ... wrote:", "-----Original Message-----",
    Outlook's "From: ... Sent: ..." block, lines quoted with ">"), found by quotequail."""
    lines = text.split("\n")
    head = "\n".join(lines[:MAX_REPLY_LINES])
    unwrapped = quotequail.unwrap(head)
    if unwrapped and (unwrapped["type"] != "forward" or "from" in unwrapped):
        return unwrapped.get("text_top", "")
    # A block of header-like lines without From is no quoted message: only the intro lines count.
    expanded = quotequail.quote(head, limit=MAX_REPLY_LINES + 1, quote_intro_line=True)
    if len(expanded) == 1:
        return text
    return expanded[0][1]


def _without_signature(text: str) -> str:
    lines = text.rstrip().split("\n")
    delimiter = next((n for n in range(len(lines) - 1, -1, -1) if lines[n].rstrip() == "--"), None)
    if delimiter is not None and len([line for line in lines[delimiter + 1:] if line.strip()]) <= MAX_SIGNATURE_LINES:
        lines = lines[:delimiter]
    while lines and (not lines[-1].strip() or _MOBILE_SIGNATURE.fullmatch(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines)


# --- HTML ------------------------------------------------------------------------------------

def html_to_text(html: str) -> str:
    """HTML as Markdown-ish text: paragraphs, line breaks, lists, quotes, headings; links as
    [text](url) for http, https and mailto only; scripts, styles and hidden content dropped, and
    no markup left."""
    return _html_text(html, reply_only=False)


def _html_text(html: str, reply_only: bool) -> str:
    converter = _HtmlToText(reply_only)
    converter.feed(_without_unfinished_tag(html[:MAX_HTML_CHARS]))
    converter.close()
    return converter.result()


def _without_unfinished_tag(html: str) -> str:
    """HTML without a tag cut off at its end, which the parser would otherwise pass on as text."""
    unfinished = re.search(r"<[a-zA-Z/!?][^>]*\Z", html)
    return html[:unfinished.start()] if unfinished else html


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
# Elements whose content is never shown as text.
_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object",
                      "applet", "svg", "math", "frameset", "xml", "select", "textarea", "audio", "video"})
_PARAGRAPHS = frozenset({"p", "blockquote", "pre", "table", "dl", "figure", "address",
                         "h1", "h2", "h3", "h4", "h5", "h6"})
_LINES = frozenset({"div", "li", "tr", "dt", "dd", "center", "section", "article", "header", "footer",
                    "form", "caption", "summary", "details", "main", "nav", "aside", "figcaption",
                    "fieldset", "ul", "ol", "menu"})
_LINKED_SCHEMES = frozenset({"http", "https", "mailto"})
# Where an element of the key implicitly ends an open element of its value (HTML's parsing rules,
# the common cases), searching the open elements down to one of the boundaries.
_IMPLIED_ENDS = {
    "li": ({"li"}, {"ul", "ol", "menu"}), "dt": ({"dt", "dd"}, {"dl"}), "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr"}, {"table"}), "td": ({"td", "th"}, {"tr", "table"}), "th": ({"td", "th"}, {"tr", "table"}),
}
# What a paragraph (p) cannot contain: any of these starting ends it.
_ENDS_PARAGRAPH = _PARAGRAPHS | _LINES | {"hr"}
_PARAGRAPH_BOUNDARIES = (_PARAGRAPHS | _LINES | {"td", "th", "body", "html"}) - {"p"}
# What the head of a document holds; anything else starting means the body has begun.
_HEAD_CONTENT = frozenset({"meta", "title", "style", "script", "link", "base", "noscript", "template", "xml"})
# Outlook's markers of where the quoted message starts (everything below is history).
_HISTORY_START_IDS = frozenset({"appendonsend", "divrplyfwdmsg", "x_divrplyfwdmsg",
                                "mail-editor-reference-message-container", "zwchr"})
# Quoted messages (Gmail, Yahoo, Proton, Thunderbird) and signatures (Gmail, Outlook, Apple Mail).
_QUOTE_CLASSES = frozenset({"gmail_quote", "gmail_quote_container", "gmail_attr", "yahoo_quoted",
                            "protonmail_quote", "moz-cite-prefix", "gmail_signature",
                            "gmail_signature_prefix", "moz-signature", "outlookmessageheader"})
_SIGNATURE_IDS = frozenset({"signature", "applemailsignature", "ms-outlook-mobile-signature"})


def _style(attrs: dict[str, str]) -> str:
    return re.sub(r"\s+", "", attrs.get("style", "")).lower()


def _hidden(attrs: dict[str, str]) -> bool:
    style = _style(attrs)
    return ("hidden" in attrs or "display:none" in style or "visibility:hidden" in style
            or "mso-hide:all" in style)


def _starts_history(tag: str, attrs: dict[str, str]) -> bool:
    style = _style(attrs)
    return (attrs.get("id", "").lower() in _HISTORY_START_IDS
            # Outlook desktop's header block above the quoted message
            or (tag == "div" and style.startswith("border:none;border-top:solid") and "padding:3.0pt0" in style))


def _quote_or_signature(tag: str, attrs: dict[str, str]) -> bool:
    classes = set(attrs.get("class", "").lower().split())
    return ((tag == "blockquote" and attrs.get("type", "").lower() == "cite")
            or bool(classes & _QUOTE_CLASSES) or attrs.get("id", "").lower() in _SIGNATURE_IDS)


def _link(label: str, href: str) -> str:
    """A link as Markdown; a URL of any other scheme (javascript:, data:, file:) is left out."""
    href = re.sub(r"[\s\x00-\x1f]+", "", href)
    if _scheme(href) not in _LINKED_SCHEMES:
        return label
    address = href[len("mailto:"):] if href.lower().startswith("mailto:") else None
    if not label or label in (href, address):
        return address or href
    target = href.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return "[" + label.replace("[", "\\[").replace("]", "\\]") + "](" + target + ")"


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:  # a malformed host ("http://[x"): not a link
        return ""


class _HtmlToText(HTMLParser):
    """Writes the text of HTML as it reads it, keeping a stack of the open elements so that the
    content of a dropped element ends where the element does."""

    def __init__(self, reply_only: bool):
        super().__init__(convert_charrefs=True)
        self.reply_only = reply_only  # drop quoted history and signatures
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip_below: int | None = None  # dropping until the open elements are fewer than this
        self.stopped = False                # the rest is quoted history
        self.breaks = 0                     # line ends owed before the next text
        self.break_depth = 0                # the shallowest quote depth since they were owed
        self.line_started = False
        self.quote_depth = 0
        self.lists: list[list] = []         # [kind, next number] of each open list
        self.marker = ""                    # a list item's marker, written before its first text
        self.prefix = ""                    # a heading's marker
        self.link: tuple[str, list[str]] | None = None
        self.pre = 0

    # parser events

    def handle_starttag(self, tag, attrs):
        if self.stopped:
            return
        attributes = {name.lower(): value or "" for name, value in attrs}
        if self.skip_below is None and self.reply_only and _starts_history(tag, attributes):
            self.stopped = True
            return
        self.end_implied(tag)
        if tag not in _VOID:
            self.open.append(tag)
        if self.skip_below is not None:
            return
        if tag in _DROPPED or _hidden(attributes) or (self.reply_only and _quote_or_signature(tag, attributes)):
            if tag not in _VOID:
                self.skip_below = len(self.open)
            return
        self.start(tag, attributes)

    def handle_endtag(self, tag):
        if self.stopped or tag in _VOID or tag not in self.open:
            return
        while self.open:
            closed = self.open.pop()
            if self.skip_below is not None and len(self.open) < self.skip_below:
                self.skip_below = None
            elif self.skip_below is None:
                self.end(closed)
            if closed == tag:
                break

    def handle_data(self, data):
        if self.stopped or self.skip_below is not None:
            return
        if self.pre:
            for n, line in enumerate(data.replace("\r\n", "\n").split("\n")):
                if n:
                    self.line_break(1, add=True)
                self.write(line.replace("\xa0", " "), keep_spaces=True)
        else:
            self.write(re.sub(r"[\s\xa0]+", " ", data))

    def close(self):
        super().close()
        if self.link is not None:
            self.end("a")

    # elements

    def end_implied(self, tag: str) -> None:
        if "head" in self.open and tag not in _HEAD_CONTENT and ":" not in tag:
            self.end_open({"head"}, set())
        if tag in _ENDS_PARAGRAPH:
            self.end_open({"p"}, _PARAGRAPH_BOUNDARIES)
        if tag in _IMPLIED_ENDS:
            self.end_open(*_IMPLIED_ENDS[tag])

    def end_open(self, tags: set[str], boundaries: set[str]) -> None:
        """Ends the innermost open element of `tags`, unless one of `boundaries` is open inside it."""
        for element in reversed(self.open):
            if element in tags:
                self.handle_endtag(element)
                return
            if element in boundaries:
                return

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in _PARAGRAPHS or tag == "hr":
            self.line_break(2)
        elif tag in _LINES:
            self.line_break(1)
        if tag == "br":
            self.line_break(1, add=True)
        elif tag == "hr":
            self.write("---")
            self.line_break(2)
        elif tag == "img":
            self.write(attrs.get("alt", "").strip())
        elif tag == "a" and self.link is None and attrs.get("href"):
            self.link = (attrs["href"], [])
        elif tag in ("ul", "ol", "menu"):
            self.lists.append([tag, _start_number(attrs)])
        elif tag == "li":
            self.marker = self.list_marker()
        elif tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("td", "th") and self.line_started and not self.out[-1].endswith(" | "):
            self.write(" | ")
        elif re.fullmatch(r"h[1-6]", tag):
            self.prefix = "#" * int(tag[1]) + " "

    def end(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            href, label = self.link
            self.link = None
            self.write(_link(re.sub(r"\s+", " ", "".join(label)).strip(), href))
        elif tag in ("ul", "ol", "menu") and self.lists:
            self.lists.pop()
        elif tag == "blockquote":
            self.quote_depth = max(self.quote_depth - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag in _PARAGRAPHS:
            self.line_break(2)
        elif tag in _LINES:
            self.line_break(1)
        self.break_depth = min(self.break_depth, self.quote_depth)

    def list_marker(self) -> str:
        if not self.lists:
            return "- "
        current = self.lists[-1]
        if current[0] != "ol":
            return "- "
        current[1] += 1
        return f"{current[1] - 1}. "

    # writing

    def line_break(self, count: int, add: bool = False) -> None:
        if self.link is not None:
            self.link[1].append(" ")
            return
        if not self.out:
            return
        if add:
            self.breaks = min(self.breaks + count, 2)
        else:
            self.breaks = max(self.breaks, count)
        if self.line_started:
            self.break_depth = self.quote_depth
        self.break_depth = min(self.break_depth, self.quote_depth)
        self.line_started = False

    def write(self, text: str, keep_spaces: bool = False) -> None:
        if self.link is not None:
            self.link[1].append(text)
            return
        if not self.line_started:
            text = text if keep_spaces else text.lstrip(" ")
            if not text:
                return
            self.begin_line()
        elif not keep_spaces and text.startswith(" ") and self.out[-1].endswith(" "):
            text = text[1:]
        self.out.append(text)

    def begin_line(self) -> None:
        if self.out:
            blank = "\n" + ("> " * self.break_depth).rstrip() if self.breaks > 1 else ""
            self.out.append(blank + "\n")
        indent = "  " * max(len(self.lists) - (1 if self.marker else 0), 0)
        self.out.append("> " * self.quote_depth + indent + self.marker + self.prefix)
        self.marker = self.prefix = ""
        self.breaks = 0
        self.break_depth = self.quote_depth
        self.line_started = True

    def result(self) -> str:
        lines = _clean_text("".join(self.out)).split("\n")
        return "\n".join(line.rstrip() for line in lines).strip("\n")


def _start_number(attrs: dict[str, str]) -> int:
    start = attrs.get("start", "").strip()
    return int(start) if start.isdigit() and len(start) < 7 else 1
