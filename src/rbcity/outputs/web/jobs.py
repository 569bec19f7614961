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

Engine re-runs (``POST /api/runs``, the ``/rerun`` form) are jobs of the same runner. A job
function reports finer progress with :func:`report_progress` (the importer's ``progress``
callback): the worker puts ``(job id, fraction, message)`` on a queue the server drains.
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

#: what a job's ``progress`` is in each state when its function reported none
PROGRESS = {"queued": 0.0, "running": 0.0, "done": 1.0, "failed": 1.0}

# in a worker process: the queue to the server and the job being run (set by _init_worker/_call)
_QUEUE: Any = None
_CURRENT: str | None = None
_STORES: dict[str, Any] = {}


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
    #: the last progress the job's function reported (0–1) and what it said
    fraction: float | None = None
    message: str = ""

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
        prog = self.fraction if st == "running" and self.fraction is not None else PROGRESS[st]
        return {"id": self.id, "kind": self.kind, "label": self.label, "user": self.user, "status": st,
                "progress": round(prog, 4), "message": self.message if st == "running" else "",
                "created": self.created, "finished": self.finished,
                "batch_id": (self.result or {}).get("batch_id"), "result": self.result, "error": self.error}


def _init_worker(queue=None) -> None:
    """Worker initializer: a lower CPU priority than the server, so page reads come first;
    ``queue`` carries progress back to the server."""
    import os

    global _QUEUE
    _QUEUE = queue
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass


def _call(job_id: str, fn, args: tuple, kwargs: dict):
    """Run one job's function in the worker, with ``job_id`` as the one progress is reported for."""
    global _CURRENT
    _CURRENT = job_id
    try:
        return fn(*args, **kwargs)
    finally:
        _CURRENT = None


def report_progress(fraction: float, message: str = "") -> None:
    """Tell the server how far the current job is (``fraction`` 0–1, a short message);
    does nothing outside a job worker (the CLI, tests calling the job function directly)."""
    if _QUEUE is None or _CURRENT is None:
        return
    try:
        _QUEUE.put_nowait((_CURRENT, max(0.0, min(1.0, float(fraction))), str(message)[:200]))
    except Exception:  # noqa: BLE001 — progress is a courtesy; a full or closed queue never fails the job
        pass


def worker_store(db_url: str):
    """The worker's store engine for ``db_url`` (opened once, kept between jobs)."""
    from rbcity.data.store import open_store

    engine = _STORES.get(db_url)
    if engine is None:
        engine = _STORES[db_url] = open_store(db_url)
    return engine


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
        self._progress: Any = None  # the workers' progress queue (made with the first pool)
        self._drainer: threading.Thread | None = None

    def _drain(self) -> None:
        """Move the workers' progress reports onto their jobs."""
        import queue

        while not self._stopped:
            try:
                job_id, fraction, message = self._progress.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError, ValueError):
                return
            job = self._jobs.get(job_id)
            if job is not None and job.finished is None:
                job.fraction = max(job.fraction or 0.0, fraction)  # never backwards
                job.message = message

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

            ctx = multiprocessing.get_context("spawn")
            if self._progress is None:
                self._progress = ctx.Queue(1000)
                self._drainer = threading.Thread(target=self._drain, name="rbcity-job-progress", daemon=True)
                self._drainer.start()
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                             initargs=(self._progress,))
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
                job.future = self._executor().submit(_call, job.id, fn, args, kwargs)
            except BrokenProcessPool:
                self._pool = None
                job.future = self._executor().submit(_call, job.id, fn, args, kwargs)

        def finished(fut: Future) -> None:
            after = ("nothing was imported" if job.kind == "import" else
                     "engines that had finished keep their stored runs")
            try:
                job.result = fut.result()
            except BrokenProcessPool:
                if self._killed:
                    job.error = (f"内存不足 out of memory: the job passed the worker's cap of "
                                 f"{self.memory // 2**20} MB and was stopped; {after}")
                    self._killed.clear()
                else:
                    job.error = f"工作进程意外退出 the worker process died; {after}"
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
