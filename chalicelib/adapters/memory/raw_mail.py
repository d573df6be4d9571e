"""Received messages kept in memory by object key, as the inbound bucket keeps them: for tests."""


class MemoryRawMail:
    def __init__(self):
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, raw: bytes) -> None:
        """What SES does on AWS: stores a received message."""
        self.objects[key] = raw

    def get(self, key: str) -> bytes | None:
        return self.objects.get(key)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
