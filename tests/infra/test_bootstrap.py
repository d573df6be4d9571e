"""Bootstrapping a stage's first project with the operator CLI (docs/deploy.md)."""
import json
import os

from chalicelib import cli
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from tests.infra.conftest import chalice_config


def test_create_project_prints_the_admin_key_once(aws, capsys, monkeypatch):
    monkeypatch.setattr(os, "environ", os.environ.copy())  # --stage adds the stage's settings to it
    assert cli.main(["--stage", "local", "create-project", "--name", "Operations", "--key", "OPS",
                     "--admin-email", "ada@example.com", "--admin-name", "Ada"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["project_key"] == "OPS" and created["api_key"]
    assert DirectoryRepository().project(created["project_id"]).name == "Operations"


def test_a_stage_contributes_its_table_names():
    settings = cli.stage_settings("prod")
    assert settings == chalice_config()["stages"]["prod"]["environment_variables"]
    assert settings["DIRECTORY_TABLE"] == "ticketry-prod-directory"


def test_an_unknown_stage_is_an_error(capsys):
    assert cli.main(["--stage", "nope", "create-project", "--name", "N", "--key", "K", "--admin-email", "a@b.c"]) == 2
    assert "no stage 'nope'" in capsys.readouterr().err
