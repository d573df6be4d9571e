"""moto in server mode (S3, SQS, SES, ...) on a loopback port. moto keeps state in memory only, so S3
objects are mirrored to a folder and put back on the next start; other services start empty."""
import contextlib
import hashlib
import logging
import shutil
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import boto3
from botocore.config import Config

from chalicelib.local.files import read_json, write_atomically, write_json

log = logging.getLogger(__name__)

INDEX = "index.json"
OBJECTS = "objects"
# Object headers worth keeping besides the body and user metadata; each maps to put_object's
# parameter of the same name.
HEADERS = ("ContentType", "ContentDisposition", "ContentEncoding", "ContentLanguage", "CacheControl")
COPY_CHUNK = 1024 * 1024


class PortInUse(RuntimeError):
    pass


def ensure_port_free(port: int, owner: str) -> None:
    """Fails early with a useful message; a server thread that cannot bind would fail silently."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise PortInUse(f"port {port} ({owner}) is already in use") from None


def s3_client(endpoint: str):
    # Path-style: bucket host names under 127.0.0.1 do not resolve.
    return boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))


@dataclass
class SyncReport:
    fetched: int = 0
    removed: int = 0


class S3Mirror:
    """Keeps `folder` equal to the buckets on an S3 endpoint: folder/<bucket>/index.json holds each
    object's headers and change stamp, folder/<bucket>/objects/<sha256 of key> its body."""

    def __init__(self, endpoint: str, folder: Path):
        self.s3 = s3_client(endpoint)
        self.folder = folder
        self._lock = threading.Lock()

    def restore(self) -> int:
        """Puts every stored object back; returns how many."""
        restored = 0
        with self._lock:
            existing = {b["Name"] for b in self.s3.list_buckets().get("Buckets", [])}
            for bucket_dir in self._bucket_dirs():
                bucket = bucket_dir.name
                if bucket not in existing:
                    self.s3.create_bucket(Bucket=bucket)
                index = read_json(bucket_dir / INDEX, {})
                for key, entry in index.items():
                    with open(bucket_dir / OBJECTS / entry["file"], "rb") as body:
                        self.s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=entry["metadata"],
                                           **{h: entry[h] for h in HEADERS if entry.get(h)})
                    if entry.get("version_id"):
                        _give_back_version_id(bucket, key, entry["version_id"])
                    restored += 1
                # The puts gave every object a new ETag/LastModified; record them so the next sync
                # does not fetch everything again. Nothing else writes while the stack starts.
                for listed in self._listing(bucket):
                    entry = index.get(listed["Key"])
                    if entry is not None:
                        entry.update(_stamp(listed))
                        entry["captured_at"] = entry["last_modified"] + 1
                write_json(bucket_dir / INDEX, index)
        return restored

    def sync(self) -> SyncReport:
        """Copies objects that changed since the last sync and forgets deleted ones."""
        report = SyncReport()
        with self._lock:
            buckets = {b["Name"] for b in self.s3.list_buckets().get("Buckets", [])}
            for bucket_dir in self._bucket_dirs():
                if bucket_dir.name not in buckets:
                    shutil.rmtree(bucket_dir)
            for bucket in sorted(buckets):
                self._sync_bucket(bucket, report)
        return report

    def _sync_bucket(self, bucket: str, report: SyncReport) -> None:
        bucket_dir = self.folder / bucket
        objects = bucket_dir / OBJECTS
        objects.mkdir(parents=True, exist_ok=True)
        index = read_json(bucket_dir / INDEX, {})
        changed = not (bucket_dir / INDEX).exists()
        listed_keys = set()
        for listed in self._listing(bucket):
            key = listed["Key"]
            listed_keys.add(key)
            if _unchanged(index.get(key), listed):
                continue
            entry = self._fetch(bucket, key, objects)
            if entry is not None:
                index[key] = entry
                report.fetched += 1
                changed = True
        for key in set(index) - listed_keys:
            (objects / index.pop(key)["file"]).unlink(missing_ok=True)
            report.removed += 1
            changed = True
        if changed:
            write_json(bucket_dir / INDEX, index)

    def _fetch(self, bucket: str, key: str, objects: Path) -> dict | None:
        captured_at = time.time()
        try:
            response = self.s3.get_object(Bucket=bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            return None  # deleted since the listing; the next sync drops it
        file_name = hashlib.sha256(key.encode()).hexdigest()
        with contextlib.closing(response["Body"]) as body:
            write_atomically(objects / file_name, iter(lambda: body.read(COPY_CHUNK), b""))
        entry = {"file": file_name, "metadata": response.get("Metadata", {}), "captured_at": captured_at,
                 **_stamp({"ETag": response["ETag"], "Size": response["ContentLength"],
                           "LastModified": response["LastModified"]})}
        entry.update({h: response[h] for h in HEADERS if response.get(h)})
        if response.get("VersionId") not in (None, "null"):
            entry["version_id"] = response["VersionId"]
        return entry

    def _listing(self, bucket: str) -> Iterator[dict]:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            yield from page.get("Contents", [])

    def _bucket_dirs(self) -> list[Path]:
        if not self.folder.exists():
            return []
        return sorted(p for p in self.folder.iterdir() if p.is_dir())


def _give_back_version_id(bucket: str, key: str, version_id: str) -> None:
    """A put gives the restored object a new version id, but the app names the version it confirmed
    in its download links (services.attachments): the object gets its old id back, in the moto
    backend this process serves."""
    from moto.s3.models import s3_backends

    partition, account_id = s3_backends.bucket_accounts[bucket]
    s3_backends[account_id][partition].buckets[bucket].keys[key]._version_id = version_id


def _stamp(listed: dict) -> dict:
    return {"etag": listed["ETag"], "size": listed["Size"], "last_modified": int(listed["LastModified"].timestamp())}


def _unchanged(entry: dict | None, listed: dict) -> bool:
    """LastModified has whole seconds only: a rewrite in the same second as our copy would keep the
    same stamp, so an object copied during the second it was written is copied once more."""
    if entry is None:
        return False
    stamp = _stamp(listed)
    same = all(entry[name] == stamp[name] for name in ("etag", "size", "last_modified"))
    return same and stamp["last_modified"] < int(entry["captured_at"])


def reset(endpoint: str) -> None:
    """Empties every moto backend: in-process servers share them, so a new one would see old state."""
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"), timeout=10).close()


@contextlib.contextmanager
def running(port: int, s3_folder: Path | None = None, sync_interval: float = 2.0,
            watch: Callable[[str, threading.Thread], None] | None = None) -> Iterator[str]:
    """Yields the endpoint URL. With s3_folder, S3 starts from that folder, is copied back to it every
    sync_interval seconds and once more on the way out. `watch` gets each thread that must live as
    long as the server."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    ensure_port_free(port, "moto server")
    _check_sqs_retention_cheaply()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request, syncs included
    # What moto's ThreadedMotoServer does, but bound here: its start() waits forever for a thread
    # that died because the port was taken meanwhile.
    try:
        server = make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app), threaded=True,
                             request_handler=MotoRequestHandler)
    except OSError as error:
        raise PortInUse(f"port {port} (moto server) cannot be used: {error.strerror}") from None
    serving = threading.Thread(target=server.serve_forever, name="moto", daemon=True)
    serving.start()
    if watch is not None:
        watch(f"the AWS server (moto, port {port})", serving)
    endpoint = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    syncer = None
    try:
        reset(endpoint)
        if s3_folder is not None:
            mirror = S3Mirror(endpoint, s3_folder)
            count = mirror.restore()
            if count:
                log.info("restored %d S3 object(s) from %s", count, s3_folder)
            syncer = threading.Thread(target=_sync_periodically, args=(mirror, stop, sync_interval),
                                      name="s3-sync", daemon=True)
            syncer.start()
            if watch is not None:
                watch(f"the S3 copy to {s3_folder}", syncer)
        yield endpoint
    finally:
        stop.set()
        try:
            if syncer is not None:
                syncer.join()
                mirror.sync()
        finally:
            server.shutdown()
            serving.join()
            server.server_close()


def _check_sqs_retention_cheaply() -> None:
    """moto (5.2.5) checks each message a ReceiveMessage hands out against the queue's retention
    period by building all the queue's attributes three times over, and three of those attributes
    count the queue's messages: one receive of 10 makes about 90 passes over the queue. With 1,000
    webhook deliveries waiting, a receive took 1.4 s (50 ms with this check), in the process that
    also runs the app, so a backlog slowed down the very work that would have cleared it. Reading
    the one attribute decides the same."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def is_message_valid_based_on_retention_period(self, queue_name: str, message) -> bool:
        retain_until = self.get_queue(queue_name).message_retention_period + message.sent_timestamp / 1000
        return retain_until > unix_time()

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


def _sync_periodically(mirror: S3Mirror, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            mirror.sync()
        except Exception:  # a failed round is retried by the next one
            log.exception("S3 sync failed")
