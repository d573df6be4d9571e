"""The models are bound to their tables through models.bind / models.rebind, with the settings
of config.Tables: once per process, and again only when asked or when the tables move."""
import ast
import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pynamodb.connection import Connection

from bench import first_request
from chalicelib import config
from chalicelib.adapters.dynamodb import models, sessions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environment_tables():
    yield config.tables()
    models.rebind()


def test_binding_points_every_model_at_the_tables_given(environment_tables):
    elsewhere = dataclasses.replace(environment_tables, tickets="t-elsewhere", directory="d-elsewhere",
                                    deliveries="w-elsewhere", endpoint="http://127.0.0.1:1", region="eu-west-1")
    models.bind(elsewhere)
    assert {(m.Meta.table_name, m.Meta.host, m.Meta.region) for m in (models.TicketItem, models.HistoryItem)} == {
        ("t-elsewhere", "http://127.0.0.1:1", "eu-west-1")}
    assert models.ProjectItem.Meta.table_name == "d-elsewhere"
    assert models.DeliveryItem.Meta.table_name == "w-elsewhere"


def test_binding_again_to_the_same_tables_keeps_the_connection_and_rebinding_makes_a_new_one(environment_tables):
    models.bind(environment_tables)
    first = models.connection()
    models.bind(environment_tables)
    assert models.connection() is first
    models.rebind(environment_tables)
    assert models.connection() is not first


def test_nothing_but_the_models_module_touches_their_binding_state():
    def touches(path: Path) -> bool:
        return any(isinstance(node, ast.Attribute) and node.attr == "_bound"
                   or isinstance(node, ast.Name) and node.id == "_bound"
                   for node in ast.walk(ast.parse(path.read_text())))

    sources = [ROOT / "app.py", *(path for folder in ("chalicelib", "tests", "bench")
                                  for path in (ROOT / folder).rglob("*.py"))]
    assert [str(path.relative_to(ROOT)) for path in sources
            if path != ROOT / "chalicelib/adapters/dynamodb/models.py" and touches(path)] == []


def test_a_cold_processs_first_request_through_several_models_parses_dynamodbs_service_model_once():
    # A fresh process (bench.first_request): five model classes and the transaction connection,
    # each with its own botocore session, against moto in that process.
    assert first_request.run_once()["parses"] == 1


def test_every_pynamodb_connection_reads_botocores_data_through_the_shared_loader(environment_tables):
    # PynamoDB offers no setting for its sessions; sessions.install() replaces the name its
    # Connection.session calls. If PynamoDB stops calling it, each session gets a loader of its own.
    models.bind(environment_tables)
    for connection in (models.connection(), Connection(), Connection(host="http://127.0.0.1:1")):
        session = connection.session
        assert session.get_component("data_loader") is sessions.shared_loader(session.get_config_variable("data_path"))


def test_connections_opened_at_once_from_a_thread_pool_share_one_loader(environment_tables):
    # The event handlers fan out to thread pools: PynamoDB opens a session per connection and thread.
    models.bind(environment_tables)
    barrier = threading.Barrier(8)

    def loader_of_a_new_session(_):
        barrier.wait()
        return Connection().session.get_component("data_loader")

    with ThreadPoolExecutor(max_workers=8) as pool:
        loaders = set(pool.map(loader_of_a_new_session, range(8)))
    assert loaders == {sessions.shared_loader(None)}
