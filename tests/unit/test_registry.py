"""registry.serving: what every caller of services() gets while a block runs on other storage."""
from chalicelib.services import registry


def on_memory() -> registry.Services:
    return registry.on(registry.memory_storage())


def test_serving_puts_services_in_place_for_its_block_and_then_puts_back_the_ones_before():
    outer, inner = on_memory(), on_memory()
    with registry.serving(outer):
        assert registry.services() is outer
        with registry.serving(inner):
            assert registry.services() is inner
        assert registry.services() is outer


def test_serving_puts_them_back_when_the_block_fails():
    outer, inner = on_memory(), on_memory()
    with registry.serving(outer):
        try:
            with registry.serving(inner):
                raise RuntimeError("the block failed")
        except RuntimeError:
            pass
        assert registry.services() is outer

