"""One botocore loader for every DynamoDB connection of the process.

PynamoDB opens a botocore session per connection (each model class has its own connection, and
each connection one session per thread), and every session's loader parses botocore's JSON for
DynamoDB (service model, endpoint rules, partitions) again: about 60 ms of CPU per model class on a
cold Lambda. The files do not change while the process runs, so the sessions the models open all
read through one loader, made at first use, which keeps what it has parsed. The sessions stay one
per connection and thread (a botocore session is not thread-safe) and still read credentials,
region and settings themselves; only the static data is shared.
"""
import threading

import botocore.loaders
import botocore.session
import pynamodb.connection.base

_loaders: dict[str | None, botocore.loaders.Loader] = {}
_loaders_lock = threading.Lock()


def shared_loader(data_path: str | None = None) -> botocore.loaders.Loader:
    """The process's loader for botocore's data under `data_path` (AWS_DATA_PATH), made once."""
    with _loaders_lock:
        loader = _loaders.get(data_path)
        if loader is None:
            loader = _loaders[data_path] = botocore.loaders.create_loader(data_path)
        return loader


def new_session() -> botocore.session.Session:
    """A fresh botocore session that reads botocore's data through the shared loader."""
    session = botocore.session.get_session()
    session.lazy_register_component(
        "data_loader", lambda: shared_loader(session.get_config_variable("data_path")))
    return session


def install() -> None:
    """Makes PynamoDB's connections open their sessions with `new_session`.

    PynamoDB has no setting or argument for the session (or loader) its connections use:
    `Connection.session` calls the `get_session` its module imported from botocore, so that name is
    the one place to hand it ours. tests/unit/test_model_binding.py fails if PynamoDB stops calling
    it."""
    pynamodb.connection.base.get_session = new_session
