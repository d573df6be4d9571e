"""Attachment rules: file names, content types, size checks, headers, keys; and the bucket's
lifecycle rule agreeing with the tag uploads carry."""
import re
from urllib.parse import unquote

import pytest
from hypothesis import given, strategies as st

from chalicelib.adapters.attachment_store import PENDING_TAG_KEY, PENDING_TAG_VALUE
from chalicelib.domain.attachments import (
    ALLOWED_CONTENT_TYPES,
    OCTET_STREAM,
    Attachment,
    StoredObject,
    check_announced_size,
    check_stored_object,
    clean_file_name,
    content_disposition,
    media_type,
    stored_content_type,
    object_key,
    parse_object_key,
)
from chalicelib.errors import AttachmentTooLarge, UploadRejected, ValidationFailed
from chalicelib.local.provision import load_template


def attachment(**fields) -> Attachment:
    base = dict(id="a1", ticket_id="t1", project_id="p1", file_name="notes.txt", content_type="text/plain",
                size=5, status="pending", uploaded_by="u1", created_at="2026-01-01T00:00:00.000Z", expires_at=100)
    return Attachment(**(base | fields))


class TestFileNames:
    @pytest.mark.parametrize("raw,clean", [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("logs/", "logs"),
        ("a\r\nb.txt", "ab.txt"),
        ("\u202etxt.exe", "txt.exe"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
        ("  spaced.txt . ", "spaced.txt"),
        (".env", ".env"),
        ("..", "attachment"),
        ("/", "attachment"),
        ("\x00\x01", "attachment"),
        ("e\u0301t\u00e9.txt", "\u00e9t\u00e9.txt"),  # NFC
    ])
    def test_cleaning(self, raw, clean):
        assert clean_file_name(raw) == clean

    def test_long_names_keep_their_extension(self):
        assert clean_file_name("x" * 1000 + ".pdf") == "x" * 251 + ".pdf"
        assert clean_file_name("y" * 1000) == "y" * 255
        assert clean_file_name("z." + "e" * 300) == ("z." + "e" * 300)[:255]

    @given(st.text(min_size=1, max_size=600))
    def test_any_name_comes_out_short_single_segment_and_printable(self, raw):
        name = clean_file_name(raw)
        assert 1 <= len(name) <= 255
        assert not re.search(r'[/\\\x00-\x1f\x7f"\u2028\u2029\u202a-\u202e\u2066-\u2069]', name)
        assert name not in (".", "..")
        disposition = content_disposition(name)
        assert disposition.isascii() and "\r" not in disposition and "\n" not in disposition
        encoded = disposition.split("filename*=UTF-8''", 1)[1]
        assert unquote(encoded, encoding="utf-8", errors="strict") == name


class TestContentTypes:
    @pytest.mark.parametrize("raw,stored", [
        ("application/pdf", "application/pdf"),
        ("Image/PNG", "image/png"),
        ("text/plain;charset=UTF-8", "text/plain; charset=utf-8"),
        ("text/csv; header=present; charset=us-ascii", "text/csv; charset=us-ascii"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("application/json; charset=utf-8", "application/json"),
        ("video/mp4", "video/mp4"),
    ])
    def test_listed_types_keep_their_type(self, raw, stored):
        assert stored_content_type(raw) == stored

    def test_a_charset_that_could_spell_markup_is_dropped(self):
        assert stored_content_type("text/plain; charset=utf-7") == "text/plain"

    @pytest.mark.parametrize("raw", [
        "text/html", "TEXT/HTML; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "application/atom+xml",
        "text/xml", "application/xml", "text/javascript", "application/javascript", "text/x-javascript",
        "text/jscript", "application/x-ecmascript", "text/livescript", "text/x-html", "text/vbscript",
        "application/x-shockwave-flash", "application/hta", "multipart/mixed", "x-custom/thing",
        "message/rfc822", "application/octet-stream",
    ])
    def test_any_other_type_is_stored_as_octet_stream(self, raw):
        assert stored_content_type(raw) == OCTET_STREAM

    @pytest.mark.parametrize("raw", [
        "", "text", "text/", "/x", "a/b/c", "text/plain;", "text/plain; charset", "text/plain\nX: y",
        "t\u00e9xt/plain", 'text/plain; charset="utf-8"',
    ])
    def test_malformed_types_are_refused_naming_the_field(self, raw):
        with pytest.raises(ValidationFailed) as refused:
            stored_content_type(raw)
        assert refused.value.details[0].field == "content_type"

    def test_every_listed_type_is_well_formed_and_none_is_active(self):
        for listed in ALLOWED_CONTENT_TYPES:
            assert media_type(listed) == listed
            assert not re.search(r"html|[+/]xml|script|svg", listed), listed


class TestStoredObjectChecks:
    def test_matching_object_passes(self):
        check_stored_object(attachment(), StoredObject(5, "text/plain"), limit=10)
        check_stored_object(attachment(), StoredObject(5, "Text/Plain"), limit=10)

    def test_over_the_limit(self):
        with pytest.raises(AttachmentTooLarge):
            check_stored_object(attachment(size=5), StoredObject(11, "text/plain"), limit=10)

    @pytest.mark.parametrize("stored", [StoredObject(4, "text/plain"), StoredObject(5, "image/png"),
                                        StoredObject(5, ""), StoredObject(5, "binary/octet-stream")])
    def test_mismatch(self, stored):
        with pytest.raises(UploadRejected):
            check_stored_object(attachment(), stored, limit=10)

    def test_a_file_stored_as_another_type_is_no_octet_stream(self):
        """A type outside the list is recorded as application/octet-stream; the stored file must be
        that too, not the type it was declared as."""
        octets = attachment(content_type=OCTET_STREAM)
        check_stored_object(octets, StoredObject(5, OCTET_STREAM), limit=10)
        with pytest.raises(UploadRejected):
            check_stored_object(octets, StoredObject(5, "text/html"), limit=10)

    def test_announced_size(self):
        check_announced_size(10, 10)
        with pytest.raises(AttachmentTooLarge):
            check_announced_size(11, 10)


class TestKeys:
    def test_round_trip(self):
        key = object_key("p1", "t1", "a1")
        assert key == "p1/t1/a1" and parse_object_key(key) == ("p1", "t1", "a1")

    @pytest.mark.parametrize("key", ["p1/t1", "p1/t1/a1/x", "../t1/a1", "P1/t1/a1", "p1/t1/a 1", ""])
    def test_foreign_keys_are_not_ours(self, key):
        assert parse_object_key(key) is None


def test_visibility_of_pending_records():
    assert attachment(expires_at=100).is_live(99.5)
    assert not attachment(expires_at=100).is_live(100)
    assert attachment(status="available", expires_at=None).is_live(10 ** 12)


def test_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert content_disposition("r\u00e9sum\u00e9 50%.pdf") == (
        "attachment; filename=\"r_sum_ 50_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%2050%25.pdf")


class TestBucketTemplate:
    @pytest.fixture
    def bucket(self):
        return load_template()["Resources"]["AttachmentsBucket"]["Properties"]

    def test_lifecycle_expires_uploads_still_carrying_the_pending_tag(self, bucket):
        rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
        unconfirmed = rules["expire-unconfirmed-uploads"]
        assert unconfirmed["Status"] == "Enabled"
        assert unconfirmed["TagFilters"] == [{"Key": PENDING_TAG_KEY, "Value": PENDING_TAG_VALUE}]
        assert unconfirmed["ExpirationInDays"] == 1
        assert unconfirmed["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}  # the bucket is versioned

    def test_object_created_events_reach_eventbridge(self, bucket):
        assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"] == {"EventBridgeEnabled": True}
