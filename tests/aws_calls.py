"""Records every AWS request the deployed code makes while the test suite runs: what the IAM
policy check (tests/infra/test_iam.py) compares with the policy the functions get.

botocore sends every request, whether from boto3 or PynamoDB, through
`BaseClient._make_api_call`; presigned URLs and POSTs are signed without a request, so they are
recorded where botocore makes them. A call counts when deployed code (app.py, chalicelib/ but for
what the package leaves out) is on the stack: the tests' own set-up calls, the local stack's pumps
and the operator commands of chalicelib/cli.py do not run on Lambda.
"""
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from infra.package import LOCAL_ONLY

ROOT = Path(__file__).resolve().parents[1]
DEPLOYED = (str(ROOT / "chalicelib") + "/", str(ROOT / "app.py"))
NOT_DEPLOYED = tuple(f"{ROOT / folder}/" for folder in LOCAL_ONLY)  # left out of the package
# Run by an operator with their own credentials (a backfill's Scan, say), never by the functions.
OPERATOR_COMMANDS = str(ROOT / "chalicelib" / "cli.py")


@dataclass(frozen=True)
class Call:
    service: str          # botocore's service name, e.g. dynamodb, s3, sesv2
    signing_name: str     # the IAM prefix, e.g. ses for sesv2
    operation: str        # e.g. GetItem, or the operation a presigned request stands for
    params: dict = field(hash=False, compare=False)
    presigned: bool = False


class Recorder:
    def __init__(self):
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self.installed = False
        # Called with (client, call) for each request of deployed code, in the thread making it,
        # before botocore sends it (tests/faults.py chooses the call to fail with this).
        self.observers: list = []
        self._operator = threading.local()

    def install(self) -> None:
        """Patches botocore once per session, before any client class is built."""
        if self.installed:
            return
        import botocore.client
        import botocore.signers

        recorder = self
        make_api_call = botocore.client.BaseClient._make_api_call
        presign_url = botocore.signers.generate_presigned_url
        presign_post = botocore.signers.generate_presigned_post

        def recorded_api_call(client, operation_name, api_params):
            call = recorder._record(client, operation_name, api_params)
            if call is not None:
                for observer in list(recorder.observers):
                    observer(client, call)
            return make_api_call(client, operation_name, api_params)

        def recorded_presign_url(client, ClientMethod, Params=None, *args, **kwargs):
            operation = client.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
            recorder._record(client, operation, Params or {}, presigned=True)
            return presign_url(client, ClientMethod, Params, *args, **kwargs)

        def recorded_presign_post(client, Bucket, Key, Fields=None, Conditions=None, ExpiresIn=3600):
            recorder._record(client, "PutObject", {"Bucket": Bucket, "Key": Key, "Fields": Fields or {}},
                             presigned=True)
            return presign_post(client, Bucket, Key, Fields, Conditions, ExpiresIn)

        botocore.client.BaseClient._make_api_call = recorded_api_call
        botocore.signers.generate_presigned_url = recorded_presign_url
        botocore.signers.generate_presigned_post = recorded_presign_post
        self.installed = True

    @contextmanager
    def operator(self):
        """What runs inside is an operator's, as chalicelib/cli.py's commands are: a test calling an
        operator-only method of deployed code (the migration's Scan, say) directly."""
        self._operator.active = True
        try:
            yield
        finally:
            self._operator.active = False

    def _record(self, client, operation: str, params: dict, presigned: bool = False) -> Call | None:
        if getattr(self._operator, "active", False) or not _called_from_deployed_code():
            return None
        model = client.meta.service_model
        call = Call(model.service_name, model.signing_name, operation, dict(params or {}), presigned)
        with self._lock:
            self.calls.append(call)
        return call


def _called_from_deployed_code() -> bool:
    deployed = False
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == OPERATOR_COMMANDS:
            return False
        deployed = deployed or (filename.startswith(DEPLOYED) and not filename.startswith(NOT_DEPLOYED))
        frame = frame.f_back
    return deployed


RECORDER = Recorder()
