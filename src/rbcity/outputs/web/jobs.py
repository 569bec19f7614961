"""Long writes (imports) run as jobs in a separate worker process, never on the server's event loop.

``JobRunner.submit`` queues a picklable function (a bounded queue: beyond ``queue_limit``
waiting jobs the answer is 503 with ``Retry-After``) and returns a :class:`Job` at once; the
client polls ``GET /api/jobs/{id}`` (or the import page's progress bar does, with HTMX). The
worker process has its own store connection, a lower CPU priority, and a memory cap watched
from the server (resident memory above ``worker_memory`` in ``config/web.yaml`` kills the
worker): a file that would need more memory fails its job with a clear message,
and the server — which only waits for the result — keeps answering page reads meanwhile. One
worker by default, so imports into one store run one at a time. If the worker dies, its job
fails and a new worker is started for the next one.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from rbcity.outputs.web.errors import Busy

#: what a job's ``progress`` is in each state (the importer reports no finer progress yet)
PROGRESS = {"queued": 0.0, "running": 0.5, "done": 1.0, "failed": 1.0}


@dataclass
class Job:
    """One queued or finished piece of work; ``result`` is the function's return value."""

    id: str
    kind: str
    user: str
    label: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None
    result: dict | None = None
    error: str | None = None
    future: Future | None = field(default=None, repr=False)
    #: what the page needs to show the job (file name, upload token, source, commit or not)
    meta: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        if self.result is not None:
            return "done"
        if self.future is not None and self.future.running():
            return "running"
        return "queued"

    def as_dict(self) -> dict[str, Any]:
        st = self.status
        return {"id": self.id, "kind": self.kind, "label": self.label, "user": self.user, "status": st,
                "progress": PROGRESS[st], "created": self.created, "finished": self.finished,
                "batch_id": (self.result or {}).get("batch_id"), "result": self.result, "error": self.error}


def _init_worker() -> None:
    """Worker initializer: a lower CPU priority than the server, so page reads come first."""
    import os

    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass


class JobRunner:
    """A bounded queue in front of a pool of worker processes (see the module docstring)."""

    def __init__(self, workers: int | None = None, queue_limit: int | None = None, keep: int | None = None,
                 memory: int | None = None):
        from rbcity.outputs.web.sessions import web_config

        cfg = web_config()["jobs"]
        self.workers = workers or cfg["workers"]
        self.queue_limit = queue_limit if queue_limit is not None else cfg["queue_limit"]
        self.keep = keep or cfg["keep"]
        self.memory = memory if memory is not None else cfg["worker_memory"]
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stopped = False
        self._killed: set[int] = set()  # worker pids killed for memory

    def _watch(self) -> None:
        """Kill a worker whose resident memory passes the cap (its job fails, the server lives)."""
        import os
        import signal

        import psutil

        while not self._stopped:
            time.sleep(0.1)
            pool = self._pool
            procs = dict(getattr(pool, "_processes", None) or {}) if pool is not None else {}
            for pid in procs:
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    continue
                if self.memory and rss > self.memory:
                    self._killed.add(pid)
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker)
            if self._watcher is None and self.memory:
                self._watcher = threading.Thread(target=self._watch, name="rbcity-job-watch", daemon=True)
                self._watcher.start()
        return self._pool

    def submit(self, kind: str, owner: str, fn, /, *args, label: str = "", on_done=None, **kwargs) -> Job:
        """Queue ``fn(*args, **kwargs)`` (module-level, picklable) for user ``owner``;
        ``on_done(job)`` runs in the server once it has finished (either way)."""
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.status in ("queued", "running"))
            if waiting >= self.queue_limit:
                raise Busy(f"任务队列已满，请稍后再试 the job queue is full ({waiting} waiting); try again later")
            job = Job(secrets.token_hex(12), kind, owner, label)
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                oldest = next(iter(self._jobs.values()))
                if oldest.status in ("queued", "running"):
                    break
                self._jobs.popitem(last=False)
            try:
                job.future = self._executor().submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                self._pool = None
                job.future = self._executor().submit(fn, *args, **kwargs)

        def finished(fut: Future) -> None:
            try:
                job.result = fut.result()
            except BrokenProcessPool:
                if self._killed:
                    job.error = (f"内存不足 out of memory: the job passed the worker's cap of "
                                 f"{self.memory // 2**20} MB and was stopped; nothing was imported")
                    self._killed.clear()
                else:
                    job.error = "工作进程意外退出 the worker process died; nothing was imported"
                with self._lock:
                    self._pool = None
            except MemoryError:
                job.error = "内存不足 out of memory: the file needs more memory than a job may use"
            except Exception as exc:  # noqa: BLE001 — any failure is the job's answer, with its message
                job.error = str(exc) or type(exc).__name__
            job.finished = time.time()
            if on_done is not None:
                on_done(job)

        job.future.add_done_callback(finished)
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until the job has finished (for the CLI and tests)."""
        job = self._jobs[job_id]
        deadline = None if timeout is None else time.monotonic() + timeout
        while job.finished is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(job_id)
            time.sleep(0.02)
        return job

    def shutdown(self) -> None:
        self._stopped = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
