"""Periodic jobs run by every ``opsdesk worker``. Each job must be safe to run in several workers at once
(claims by compare-and-set), so scaling out workers needs no leader election."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

from opsdesk.core.context import acting_as

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every: float
    func: Callable[[], object]
    last_run: float = 0.0


_jobs: dict[str, Job] = {}


def register(name: str, every_seconds: float, func: Callable[[], object]) -> None:
    _jobs[name] = Job(name, every_seconds, func)


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_due(now: float | None = None) -> list[str]:
    ran = []
    now = time.monotonic() if now is None else now
    for job in _jobs.values():
        if now - job.last_run < job.every:
            continue
        job.last_run = now
        close_old_connections()
        try:
            with acting_as(None, "system"):
                job.func()
            ran.append(job.name)
        except Exception:
            log.exception("periodic job %s failed; it runs again next time", job.name)
        finally:
            close_old_connections()
    return ran


def start_ticker(stop: threading.Event, tick: float = 5.0) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            run_due()
            stop.wait(tick)

    thread = threading.Thread(target=loop, name="opsdesk-periodic", daemon=True)
    thread.start()
    return thread
