"""Sign-in throttling that slows password guessing without locking the owner out.

Wrong passwords are counted per user name and per client address. After ``free_failures``
wrong passwords a key must wait before its next try: ``base_delay`` seconds, doubled for each
further failure, up to a cap — a short cap for a *name* (an attacker can delay the owner by at
most a minute) and a long one for an *address* (the guesser's own address pays). While a key
waits, every try — the right password included — is answered 429 with ``Retry-After``; once the
wait is over the right password works at once and clears the name's counter. Counters live in
a least-recently-used table of at most ``max_entries`` keys, and a key with no failure for
``forget_after`` seconds is forgotten, so a flood of made-up names cannot exhaust memory (nor
wipe the others' counters). Per process; settings in ``config/web.yaml``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class LoginThrottle:
    """Exponential back-off per name and per client address (see the module docstring)."""

    def __init__(self, free_failures: int | None = None, base_delay: float | None = None,
                 max_delay_name: float | None = None, max_delay_address: float | None = None,
                 forget_after: float | None = None, max_entries: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        from rbcity.outputs.web.sessions import web_config

        cfg = web_config()["throttle"]
        pick = lambda v, k: cfg[k] if v is None else v  # noqa: E731
        self.free = pick(free_failures, "free_failures")
        self.base = pick(base_delay, "base_delay")
        self.cap = {"name": pick(max_delay_name, "max_delay_name"),
                    "addr": pick(max_delay_address, "max_delay_address")}
        self.forget = pick(forget_after, "forget_after")
        self.max_entries = pick(max_entries, "max_entries")
        self.clock = clock
        self._fails: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _delay(self, kind: str, count: int) -> float:
        if count <= self.free:
            return 0.0
        return float(min(self.cap[kind], self.base * 2 ** (count - self.free - 1)))

    def _entry(self, key: tuple[str, str], now: float) -> tuple[int, float] | None:
        hit = self._fails.get(key)
        if hit is not None and now - hit[1] > self.forget:
            del self._fails[key]
            return None
        return hit

    def _keys(self, name: str, address: str | None) -> list[tuple[str, str]]:
        return [("name", name)] + ([("addr", address)] if address else [])

    def wait(self, name: str, address: str | None = None) -> float:
        """Seconds before ``name`` from ``address`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [0.0]
            for key in self._keys(name, address):
                hit = self._entry(key, now)
                if hit is not None:
                    waits.append(hit[1] + self._delay(key[0], hit[0]) - now)
            return max(waits)

    def failed(self, name: str, address: str | None = None) -> float:
        """Count a wrong password; returns the wait it imposes (0 while failures are free)."""
        now = self.clock()
        with self._lock:
            imposed = 0.0
            for key in self._keys(name, address):
                hit = self._entry(key, now)
                count = (hit[0] if hit else 0) + 1
                self._fails[key] = (count, now)
                self._fails.move_to_end(key)
                imposed = max(imposed, self._delay(key[0], count))
            while len(self._fails) > self.max_entries:  # least recently failed first
                self._fails.popitem(last=False)
            return imposed

    def succeeded(self, name: str, address: str | None = None) -> None:
        """The right password: the name's counter is cleared (the address keeps its record, so
        one valid account does not reset a guesser's address)."""
        with self._lock:
            self._fails.pop(("name", name), None)

    def __len__(self) -> int:
        return len(self._fails)
