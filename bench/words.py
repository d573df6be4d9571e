"""Ticket text with the word frequencies of real text: a few words in almost every ticket, a long
tail of words in a handful. Word ranks follow Zipf's law (frequency ~ 1 / rank), as words do in
natural language; the vocabulary is ops English first, then made-up names (hosts, services,
customers) for the tail.
"""
import itertools
import random
from bisect import bisect
from functools import lru_cache

COMMON = """
the to and a of in is on for it not with after when from at error be this are we as but
was have fails an by can all request server after service again users time out page login
failed slow timeout database api down check seems still since deploy no cannot returns up
after restart connection error customer report more some only production latency high
disk full memory cpu queue backlog alert alerts monitoring dashboard graph spike retry retries
checkout payment invoice billing export import search upload download email notification
webhook token session cookie cache redis postgres mysql kafka nginx load balancer dns tls
certificate expired expiring network packet loss region zone node pod container kubernetes
cluster scaling autoscaler job cron batch worker thread lock deadlock transaction rollback
migration schema index query slowlog replica primary failover backup restore snapshot storage
bucket permission denied forbidden unauthorized rate limit throttled quota exceeded 500 502 503
504 404 timeouts intermittent always sometimes reproduce steps expected actual observed
version release build pipeline test flaky regression hotfix patch config configuration
configured setting flag feature mobile android ios browser chrome firefox safari layout broken
button click form field validation message wrong missing duplicate stuck pending processing
delayed sync syncing stale data report reports metrics logs log trace traces stack exception
null pointer overflow crash crashed panic oom killed evicted throttling saturation capacity
""".split()
SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vo", "zu", "pel", "dri", "sam", "qui", "nor", "bex", "tal", "gri",
             "fen", "hu", "jas", "ol", "wir")
TAIL = 4000


@lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Every word, most frequent first, with cumulative Zipf weights."""
    made_up = ("".join(parts) for parts in itertools.product(SYLLABLES, repeat=3))
    tail = [f"{word}-{n % 97}" if n % 3 == 0 else word for n, word in enumerate(itertools.islice(made_up, TAIL))]
    words = tuple(dict.fromkeys(COMMON + tail))
    cumulative = tuple(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    return words, cumulative


def sentence(rng: random.Random, length: int) -> str:
    words, cumulative = vocabulary()
    total = cumulative[-1]
    return " ".join(words[bisect(cumulative, rng.random() * total)] for _ in range(length))
