"""The local stack as a developer runs it, in a child process on ports and data of its own."""
import pytest
import requests

from chalicelib.local.stack_process import StackProcess


@pytest.fixture
def stack(tmp_path):
    stack = StackProcess(tmp_path)
    yield stack
    stack.kill()


def api(info: dict, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{info['api_url']}/v1/ce/projects/{info['project_id']}{path}",
                            headers={"Authorization": f"Bearer {info['api_key']}"}, timeout=10, **kwargs)
