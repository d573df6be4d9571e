from tests.memory_services import desk, memory_services  # noqa: F401  (fixtures)
