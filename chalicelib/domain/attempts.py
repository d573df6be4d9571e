"""Wrong API keys: how many one source, and one key, may send in a minute before the answer is
429, and what counts as one source.

Only attempts with a wrong secret (or naming no key) are counted, never a key that works: a correct
key is answered as fast as ever, and nobody can lock a key's owner out by sending wrong secrets
for it. The secrets carry 256 random bits, so the limit is no defence against guessing one (no
rate finds it); it turns a client or a script that keeps sending bad keys into cheap 429s with a
time to come back, instead of an endless stream of 401s.
"""
import ipaddress
import math
from dataclasses import dataclass

# Counted per minute of the clock; the limits are settings (config.wrong_keys_per_source and
# config.wrong_keys_per_key).
WINDOW_SECONDS = 60
# An IPv6 subscriber usually gets a whole /64 and can send from any address in it.
IPV6_SOURCE_PREFIX = 64


@dataclass(frozen=True)
class Window:
    start: int      # epoch seconds, a multiple of `length`
    length: int = WINDOW_SECONDS

    @property
    def end(self) -> int:
        return self.start + self.length

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the window ends, at least 1: what Retry-After says."""
        return max(1, math.ceil(self.end - now))


def window_at(now: float, length: int = WINDOW_SECONDS) -> Window:
    return Window(int(now // length) * length, length)


def source_subject(address: str | None) -> str:
    return f"source:{source_of(address)}"


def source_of(address: str | None) -> str:
    """One source: an IPv4 address, or the /64 of an IPv6 one."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_SOURCE_PREFIX}", strict=False))
    return str(ip)


def key_subject(project_id: str, key_id: str) -> str:
    return f"key:{project_id}:{key_id}"
