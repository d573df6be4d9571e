from tests.memory_services import desk, memory_services, outbox  # noqa: F401  (fixtures)
