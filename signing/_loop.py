"""Run pyHanko's synchronous API from code that already runs an asyncio event loop.

pyHanko's blocking calls use ``asyncio.run`` internally, which refuses to start inside a
running loop (an async web server, the signing agent's WebSocket handler, a test tool
such as Playwright's sync API). In that case the call runs in a short-lived worker
thread, which has no loop; otherwise it runs directly.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def outside_event_loop(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: call ``func`` in a worker thread when this thread runs an event loop."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return func(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="signing") as pool:
            return pool.submit(func, *args, **kwargs).result()

    return wrapper
