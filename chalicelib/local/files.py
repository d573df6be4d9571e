"""Small file helpers for the local stack's state directory."""
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Readers see the old file or the new one, never half of it, even if the stack dies mid-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            for chunk in [data] if isinstance(data, bytes) else data:
                file.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, value: Any) -> None:
    write_atomically(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return default
