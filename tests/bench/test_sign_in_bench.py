"""The sign-in benchmark at a tiny size, on DynamoDB Local: each step makes the calls
docs/benchmarks.md gives, and the enumeration run measures both kinds of address."""
import pytest

from bench import sign_in


@pytest.fixture(scope="module")
def figures():
    return sign_in.run(6)


def test_each_step_makes_the_calls_docs_benchmarks_gives(figures):
    steps = figures["steps"]
    asking = {"UpdateItem": 3, "GetItem": 1, "TransactWriteItems": 1}
    assert steps["request a code (known address)"]["operations"] == asking
    assert steps["request a code (unknown address)"]["operations"] == asking
    assert steps["a wrong code"]["operations"] == {"GetItem": 1, "TransactWriteItems": 1}
    assert steps["finish with the code"]["operations"] == {"GetItem": 3, "TransactWriteItems": 1, "PutItem": 1,
                                                           "Query": 1, "UpdateItem": 1}
    assert steps["finish with the emailed link"]["operations"] == {"GetItem": 3, "TransactWriteItems": 1,
                                                                   "PutItem": 1, "Query": 1, "UpdateItem": 1}
    assert steps["finish with an operator's link"]["operations"] == {"GetItem": 3, "DeleteItem": 1, "PutItem": 1,
                                                                     "Query": 1, "UpdateItem": 1}


def test_the_enumeration_run_times_both_kinds_of_address(figures):
    for kind in ("known", "unknown"):
        assert figures["enumeration"][kind]["requests"] == 6
    assert set(figures["counting"]) == {"three UpdateItems", "one TransactWriteItems"}
