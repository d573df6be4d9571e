"""The whole product on this machine (`make run`), on 127.0.0.1 only: the API on $PORT (8000), moto for
S3/SQS/SES/EventBridge on $AWS_PORT (4566, the customary local AWS port), DynamoDB Local on
$DYNAMODB_PORT (4567, next to it; forwarded into the network namespace it runs in), and an SMTP
server taking mail for the projects on $SMTP_PORT (2525), stored where SES's receipt rule would. State lives in --state-dir / $STATE_DIR (.local); --reset empties
it first. A new demo project gets a demo team's backlog (chalicelib/local/demo_backlog.py) unless
--no-seed or $SEED=0; a seeding stopped part-way is finished by the next start."""
import argparse
import contextlib
import importlib
import logging
import os
import secrets
import shutil
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import boto3

from chalicelib.local import aws_server, dynamodb_local, provision
from chalicelib.local.files import read_json, write_json
from chalicelib.local.outbox import CodeWatcher
from chalicelib.local.seed import SeedFailed, seed_backlog
from chalicelib.local.supervisor import StackRunning, StopRequested, StopRequests, Supervisor

log = logging.getLogger("chalicelib.local.stack")

ROOT = Path(__file__).resolve().parents[2]
STAGE = "local"
HOST = "127.0.0.1"
API_BACKLOG = 512  # connections waiting to be accepted by the API server
EMAIL_DOMAIN = "ticketry.local"
DEMO_PROJECT = ("Demo", "DEMO", "admin@demo.local", "Demo Admin")
DEMO_ADMIN_EMAIL = DEMO_PROJECT[2]
SIGN_IN_LINK_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Ports:
    api: int
    aws: int
    dynamodb: int
    smtp: int = 2525

    @classmethod
    def from_environ(cls) -> "Ports":
        return cls(api=int(os.environ.get("PORT", 8000)), aws=int(os.environ.get("AWS_PORT", 4566)),
                   dynamodb=int(os.environ.get("DYNAMODB_PORT", 4567)), smtp=int(os.environ.get("SMTP_PORT", 2525)))


@dataclass(frozen=True)
class StateDir:
    root: Path

    @property
    def dynamodb(self) -> Path:
        return self.root / "dynamodb"

    @property
    def s3(self) -> Path:
        return self.root / "s3"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def pump(self) -> Path:
        return self.root / "pump.json"

    @property
    def stack(self) -> Path:
        return self.root / "stack.json"

    @property
    def seeding(self) -> Path:
        return self.root / "seeding.json"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets.json"

    @property
    def processes(self) -> Path:
        return self.root / "processes.json"

    @property
    def dynamodb_log(self) -> Path:
        return self.root / "dynamodb-local.log"

    def reset(self) -> None:
        """Forgets all data; secrets.json stays, as nothing signed with it survives anyway."""
        for folder in (self.dynamodb, self.s3, self.outbox):
            shutil.rmtree(folder, ignore_errors=True)
        for file in (self.pump, self.stack, self.seeding):
            file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.local.stack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="delete all local data first")
    parser.add_argument("--seed", action=argparse.BooleanOptionalAction, default=seed_default(),
                        help="give a new demo project teammates, a team, an SLA policy and a backlog of "
                             "tickets (default: yes, unless SEED=0)")
    parser.add_argument("--state-dir", type=Path, default=Path(os.environ.get("STATE_DIR") or ROOT / ".local"),
                        help="where data, logs and stack.json live (default: .local)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    for chatty in ("botocore", "boto3", "pynamodb"):  # they log their settings at start
        logging.getLogger(chatty).setLevel(logging.WARNING)

    requests = StopRequests().install()
    ports = Ports.from_environ()
    state = StateDir(args.state_dir.resolve())
    state.root.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(state.processes)
    try:
        # Before looking at ports: what an earlier run left behind holds them.
        supervisor.claim()
    except StackRunning as error:
        log.error("%s", error)
        return 1
    try:
        # Before any reset: a busy port most likely means a stack still running on this data.
        for port, owner in ((ports.api, "PORT"), (ports.aws, "AWS_PORT"), (ports.dynamodb, "DYNAMODB_PORT"),
                            (ports.smtp, "SMTP_PORT")):
            aws_server.ensure_port_free(port, owner)
    except aws_server.PortInUse as error:
        log.error("%s: stop whatever uses it or choose another port", error)
        supervisor.release()
        return 1
    if args.reset:
        state.reset()
        log.info("reset: local data in %s deleted", state.root)

    running = contextlib.ExitStack()
    code = 1
    try:
        run(running, state, ports, supervisor, requests.check, seed=args.seed)
        code = watch(supervisor, requests)
    except (dynamodb_local.SetupError, aws_server.PortInUse, SeedFailed) as error:
        log.error("%s", error)
    except StopRequested:
        code = 0
    finally:
        stopped = stop(running, supervisor, requests, code)
    return code if stopped else 1


def watch(supervisor: Supervisor, requests: StopRequests, interval: float = 0.5) -> int:
    """Until a signal asks for a stop (0) or a part of the stack dies (1)."""
    while True:
        requests.wait(interval)
        if requests.stop:
            return 0
        problem = supervisor.failure()
        if problem:
            log.error("%s: stopping the stack", problem)
            return 1


def stop(running: contextlib.ExitStack, supervisor: Supervisor, requests: StopRequests, code: int) -> bool:
    """Stops everything in reverse order, in a thread of its own so that a second Ctrl-C still reaches
    the main thread, which then ends the child processes and the stack at once (exiting with `code`).
    False when something failed to stop."""
    log.info("stopping")
    failed = []

    def stop_all():
        try:
            running.close()
        except BaseException:
            log.exception("stopping failed")
            failed.append(True)
        finally:
            requests.wake()

    stopper = threading.Thread(target=stop_all, name="stop", daemon=True)
    stopper.start()
    while stopper.is_alive():
        if requests.now:
            log.warning("stopping now: event handlers still running and the last S3 changes are not waited for")
            supervisor.kill_children()
            supervisor.release()
            log.info("stopped")
            sys.stderr.flush()
            os._exit(code)  # the threads still stopping would hold the interpreter's exit
        requests.wait(0.2)
    supervisor.kill_children()  # none unless stopping failed
    supervisor.release()
    log.info("stopped")
    return not failed


def seed_default() -> bool:
    value = os.environ.get("SEED", "1")
    if value not in ("0", "1"):
        raise SystemExit(f"SEED must be 0 (an empty demo project) or 1 (the demo backlog), not {value!r}")
    return value == "1"


def run(running: contextlib.ExitStack, state: StateDir, ports: Ports, supervisor: Supervisor,
        check: Callable[[], None], seed: bool = True) -> None:
    """Starts everything; `running` stops it all again, in reverse order. `check` raises if a stop was
    asked for meanwhile. DynamoDB Local must start in this, the main thread: it ends with the thread
    that starts it."""
    aws_endpoint = f"http://{HOST}:{ports.aws}"
    dynamodb_endpoint = f"http://{HOST}:{ports.dynamodb}"
    os.environ.update(aws_environment(aws_endpoint, dynamodb_endpoint))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):  # never reach a real account from here
        os.environ.pop(name, None)

    check()
    log.info("starting DynamoDB Local (data in %s)", state.dynamodb)
    running.enter_context(dynamodb_local.running(
        port=ports.dynamodb, db_path=state.dynamodb, log_path=state.dynamodb_log,
        jvm_options=dynamodb_local.QUICK_START,
        on_start=lambda process: supervisor.started_process(f"DynamoDB Local (log: {state.dynamodb_log})", process),
        watch=supervisor.started_thread))
    check()
    running.enter_context(aws_server.running(ports.aws, s3_folder=state.s3, watch=supervisor.started_thread))
    check()
    assigned = provision_resources(aws_endpoint, dynamodb_endpoint)
    check()

    os.environ.update(app_environment(state, ports, assigned))
    app = load_app()
    index_version = upgrade_search_indexes(state)
    migrate_accounts()
    demo = demo_project(state, seed)
    check()

    from chalicelib.local.gateway import create_local_server

    try:
        server = create_local_server(app, chalice_config(), HOST, ports.api)
    except OSError as error:
        raise aws_server.PortInUse(f"port {ports.api} (PORT) cannot be used: {error.strerror}") from None
    # http.server listens with a backlog of 5: a burst of clients connecting at once (API Gateway
    # takes thousands) had connections reset. Listening again only changes the backlog.
    server.server.socket.listen(API_BACKLOG)
    running.callback(server.server.server_close)
    server_thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
    server_thread.start()
    running.callback(server_thread.join)
    running.callback(server.shutdown)
    supervisor.started_thread(f"the API server (port {ports.api})", server_thread)

    from chalicelib.local.pump import Checkpoints, Pump, Settings

    pump = Pump(app, Settings(region=os.environ["AWS_DEFAULT_REGION"], account_id=provision.LOCAL_ACCOUNT_ID),
                Checkpoints(state.pump),
                streams_client=boto3.client("dynamodbstreams", endpoint_url=dynamodb_endpoint),
                sqs_client=boto3.client("sqs", endpoint_url=aws_endpoint),
                events_client=boto3.client("events", endpoint_url=aws_endpoint))
    pump.start()
    running.callback(pump.stop)
    for thread in pump.threads:
        supervisor.started_thread(f"the event pump of {thread.name.removeprefix('pump-')}", thread)
    smtp = start_smtp(aws_endpoint, ports.smtp)
    running.callback(smtp.stop)
    supervisor.started_thread(f"the SMTP server (port {ports.smtp})", smtp._thread)
    codes = CodeWatcher(state.outbox)
    codes.start()
    running.callback(codes.stop)
    supervisor.started_thread("the outbox watcher", codes.thread)
    check()

    api_url = f"http://{HOST}:{ports.api}"
    seeding = read_json(state.seeding, {})
    if seed and seeding.get("project_id") == demo["project_id"]:
        # Only a project made by a start (this one, or one stopped before its seeding was done): one
        # kept from an earlier run has its data (or was asked to stay empty).
        log.info("seeding the demo project" if demo["new"] else
                 "finishing the seeding of the demo project, which an earlier start began")
        made = seed_backlog(api_url, demo["project_id"], demo["api_key"],
                            datetime.fromisoformat(seeding["since"]), check)
        log.info("the demo project got its backlog: %s", " ".join(f"{what}={count}" for what, count in made.items()))
    ui_url = demo_admin_sign_in_link()
    smtp_url = f"smtp://{HOST}:{ports.smtp}"
    write_json(state.stack, {"api_url": api_url, "ui_url": ui_url, "project_id": demo["project_id"],
                             "api_key": demo["api_key"], "aws_endpoint_url": aws_endpoint, "smtp": smtp_url,
                             "index_version": index_version})
    if seed:
        state.seeding.unlink(missing_ok=True)  # after stack.json: a crash between finds both, and seeds again
    log.info("\n".join([
        "Ticketry is running",
        f"  Web UI        {api_url}/",
        f"  Sign in       {ui_url}",
        "                (the demo admin, once, within 24 hours; a new link at every start. A code asked for",
        "                any other address shows in this log: \"sign-in code for ...\")",
        f"  API           {api_url}   (OpenAPI: {api_url}/v1/ce/openapi.json)",
        f"  AWS (moto)    {aws_endpoint}   (sent email: {aws_endpoint}/moto-api/data.json)",
        f"  Email outbox  {state.outbox}   (a copy of each sent email, .eml)",
        f"  SMTP          {smtp_url}   (mail to the projects' addresses, e.g. {demo_address()})",
        f"  DynamoDB      {dynamodb_endpoint}",
        f"  Demo project  {demo['project_id']}, its admin API key is in {state.stack}",
        f"  Event handlers pumped: {len(pump.workers)}",
        "  Ctrl-C stops (a second Ctrl-C stops at once)",
    ]))


def start_smtp(aws_endpoint: str, port: int):
    """The SMTP server, storing into the inbound bucket through moto (whose S3 event then reaches the
    inbound handler through the pump, as on AWS)."""
    from chalicelib import config
    from chalicelib.local import smtp_server

    s3 = aws_server.s3_client(aws_endpoint)
    bucket = config.inbound_bucket()

    def store(key: str, raw: bytes) -> None:
        s3.put_object(Bucket=bucket, Key=key, Body=raw, ContentType="message/rfc822")

    try:
        return smtp_server.start(store, HOST, port)
    except OSError as error:
        raise aws_server.PortInUse(f"port {port} (SMTP_PORT) cannot be used: {error.strerror}") from None


def demo_address() -> str:
    """The demo project's email address (its key's, at the inbound domain)."""
    from chalicelib import config

    return f"{DEMO_PROJECT[1].lower()}@{config.inbound_domain()}"


def aws_environment(aws_endpoint: str, dynamodb_endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": dynamodb_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        # moto then names resources with the account id that the template's names are built with.
        "MOTO_ACCOUNT_ID": provision.LOCAL_ACCOUNT_ID,
    }


def provision_resources(aws_endpoint: str, dynamodb_endpoint: str) -> dict[str, str]:
    """Creates what infra/resources.json declares (moto forgets it between runs; DynamoDB Local does
    not) and returns the settings whose values the services assigned (stream ARNs, queue URLs)."""
    dynamodb = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint)
    provision.create_tables(dynamodb, STAGE)
    provision.create_buckets(aws_server.s3_client(aws_endpoint), STAGE)
    queue_urls = provision.create_queues(boto3.client("sqs", endpoint_url=aws_endpoint), STAGE)
    ses = boto3.client("sesv2", endpoint_url=aws_endpoint)
    provision.create_configuration_sets(ses, STAGE)
    try:
        ses.get_email_identity(EmailIdentity=EMAIL_DOMAIN)
    except ses.exceptions.NotFoundException:
        ses.create_email_identity(EmailIdentity=EMAIL_DOMAIN)
    names = provision.resource_names(STAGE)
    assigned = {}
    for setting, expression in provision.settings().items():
        if not provision.assigned_by_service(expression):
            continue
        if "Fn::GetAtt" in expression:  # a stream ARN
            table = names[expression["Fn::GetAtt"][0]]
            assigned[setting] = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        else:
            assigned[setting] = queue_urls[expression["Ref"]]
    return assigned


def app_environment(state: StateDir, ports: Ports, assigned: dict[str, str]) -> dict[str, str]:
    """The stage's variables from .chalice/config.json, overridden by what this run decides."""
    environment = dict(chalice_config().environment_variables)
    environment.update(provision.environment(STAGE))
    environment.update(assigned)
    environment["CURSOR_SIGNING_KEY"] = kept_secret(state, "cursor_signing_key")
    environment["SIGN_IN_SECRET"] = kept_secret(state, "sign_in_secret")
    environment["REPLY_TOKEN_SECRET"] = kept_secret(state, "reply_token_secret")
    # Served over plain HTTP on 127.0.0.1: a Secure cookie would never come back.
    environment["INSECURE_COOKIES"] = "1"
    environment["PUBLIC_URL"] = f"http://{HOST}:{ports.api}"
    # Flows and receivers on this machine are the point of the local stack.
    environment["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true"
    environment["EMAIL_OUTBOX_DIR"] = str(state.outbox)
    return environment


def kept_secret(state: StateDir, name: str) -> str:
    """Made once and kept, so what was signed with it before a restart (cursors, sign-in links and
    codes) still works after it."""
    saved = read_json(state.secrets, {})
    if not saved.get(name):
        saved[name] = secrets.token_urlsafe(32)
        write_json(state.secrets, saved)  # created 0600, like every file write_json makes
    return saved[name]


def chalice_config():
    from chalice.cli.factory import CLIFactory

    return CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=STAGE)


def load_app():
    """Imports app.py only now: handlers read settings such as stream ARNs when they are declared."""
    from chalice.deploy.validate import validate_routes

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    app = importlib.import_module("app").app
    validate_routes(app.routes)
    return app


def upgrade_search_indexes(state: StateDir) -> int:
    """Data kept from a run of an earlier version gets the search indexes this one reads; returns
    the version the data is now at."""
    from chalicelib import cli
    from chalicelib.services.search_index import INDEX_VERSION

    saved = read_json(state.stack, {})
    if saved and saved.get("index_version") != INDEX_VERSION:
        log.info("bringing the stored tickets up to the current search indexes: %s", cli.backfill())
    return INDEX_VERSION


def migrate_accounts() -> None:
    """Members kept from a version before accounts (the demo admin among them) get their account;
    a start after that finds nothing to do."""
    from chalicelib import cli

    done = cli.migrate()
    if any(done.values()):
        log.info("members given their accounts: %s", " ".join(f"{what}={count}" for what, count in done.items()))


def demo_admin_sign_in_link() -> str:
    """A one-time link that signs the demo admin in, in any browser: made at every start, so that the
    one printed always works (an earlier one may have been used)."""
    from chalicelib import cli

    return cli.sign_in_link(DEMO_ADMIN_EMAIL, SIGN_IN_LINK_SECONDS)


def demo_project(state: StateDir, seed: bool) -> dict:
    """The project whose seeding an earlier start left unfinished (seeding.json), else the one
    stack.json names, else a new one (`new`: first run, reset, lost data). A new project to be seeded
    is recorded in seeding.json as soon as it exists, so that a seeding stopped part-way is finished
    on it by the next start rather than begun anew on another project."""
    from chalicelib.adapters.dynamodb.tables import DirectoryRepository
    from chalicelib.services.people import PeopleService

    directory = DirectoryRepository()
    people = PeopleService(directory)
    for saved in (read_json(state.seeding, {}), read_json(state.stack, {})):
        project = directory.project(saved["project_id"]) if saved.get("project_id") and saved.get("api_key") else None
        if project is not None:
            people.claim_own_address(project)  # its address receives mail (a project made before email had none)
            return {"project_id": saved["project_id"], "api_key": saved["api_key"], "new": False}
    project, _, issued = people.create_project(*DEMO_PROJECT)
    log.info("created the demo project %s", project.id)
    if seed:
        write_json(state.seeding, {"project_id": project.id, "api_key": issued.token,
                                   "since": datetime.now(timezone.utc).isoformat()})
    return {"project_id": project.id, "api_key": issued.token, "new": True}


if __name__ == "__main__":
    sys.exit(main())
