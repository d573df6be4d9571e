"""Every port is offered, with the same parameters, by the DynamoDB repositories and by the
in-memory ones: a service wired to either finds each method it names."""
import inspect
from typing import Protocol

import pytest

from chalicelib.adapters import memory
from chalicelib.adapters.dynamodb.account_sessions import DynamoAccountSessions
from chalicelib.adapters.dynamodb.attachment_records import AttachmentRepository
from chalicelib.adapters.dynamodb.tables import DirectoryRepository, TicketRepository
from chalicelib.adapters.dynamodb.views import ViewRepository
from chalicelib.adapters.dynamodb.webhooks import WebhooksRepository
from chalicelib.services import ports, registry

STORAGES = {
    "dynamodb": {"tickets": TicketRepository, "directory": DirectoryRepository, "attachments": AttachmentRepository,
                 "views": ViewRepository, "webhooks": WebhooksRepository, "sessions": DynamoAccountSessions},
    "memory": {"tickets": memory.MemoryTicketsTable, "directory": memory.MemoryDirectory,
               "attachments": memory.MemoryAttachments, "views": memory.MemoryViews,
               "webhooks": memory.MemoryWebhooks, "sessions": memory.MemoryAccountSessions},
}
PORTS = {field: registry.Storage.__annotations__[field] for field in STORAGES["memory"]}


def _methods(protocol: type) -> dict[str, inspect.Signature]:
    found = {}
    for klass in reversed(protocol.__mro__):
        if klass is Protocol or klass is object or not issubclass(klass, Protocol):
            continue
        for name, member in vars(klass).items():
            if callable(member) and not name.startswith("_"):
                found[name] = inspect.signature(member)
    return found


def _shape(signature: inspect.Signature) -> list[tuple[str, object, bool]]:
    return [(p.name, p.kind, p.default is inspect.Parameter.empty) for p in signature.parameters.values()]


@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("table", PORTS)
def test_every_port_method_is_implemented_with_its_parameters(storage, table):
    implementation = STORAGES[storage][table]
    methods = _methods(PORTS[table])
    assert methods, f"no port names the methods of {table}"
    for name, wanted in methods.items():
        offered = getattr(implementation, name, None)
        assert offered is not None, f"{implementation.__name__} has no {name}"
        assert _shape(inspect.signature(offered)) == _shape(wanted), f"{implementation.__name__}.{name}"


def test_every_port_is_offered_by_one_table():
    """So that the tests above cover it: each port (and each join of ports a service takes) is
    within what one table's storage offers."""
    tables = {table: set(_methods(port)) for table, port in PORTS.items()}
    for value in vars(ports).values():
        if isinstance(value, type) and issubclass(value, Protocol) and value is not Protocol:
            wanted = set(_methods(value))
            assert any(wanted <= offered for offered in tables.values()), value.__name__
