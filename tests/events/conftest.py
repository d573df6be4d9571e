from tests.api.conftest import admin_id, api, client  # noqa: F401  (the same fixtures as the API tests)
