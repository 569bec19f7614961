"""Issue 12: a job reports its progress from the worker process (fraction and message), and the
page shows it in the page's language."""

from __future__ import annotations

import time
from pathlib import Path


def slow_job(flag: str) -> dict:
    """Reports 30 % and waits (in the worker) until the test creates ``flag``."""
    from rbcity.outputs.web.jobs import report_progress

    report_progress(0.3, "已读 1,200 行 read and checked 1,200 rows")
    deadline = time.monotonic() + 60
    while not Path(flag).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return {"ok": True}


def test_worker_progress_reaches_the_job(tmp_path):
    from rbcity.outputs.web.jobs import JobRunner

    runner = JobRunner(workers=1, queue_limit=2, keep=10, memory=0)
    try:
        job = runner.submit("import", "ana", slow_job, str(tmp_path / "go"), label="x.csv")
        deadline = time.monotonic() + 60
        while job.as_dict()["progress"] != 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        d = job.as_dict()
        assert (d["status"], d["progress"], d["message"]) == ("running", 0.3, "已读 1,200 行 read and checked 1,200 rows")
        (tmp_path / "go").touch()
        runner.wait(job.id, timeout=60)
        d = job.as_dict()
        assert (d["status"], d["progress"], d["message"], d["result"]) == ("done", 1.0, "", {"ok": True})
    finally:
        runner.shutdown()


def test_report_progress_outside_a_worker_does_nothing():
    from rbcity.outputs.web.jobs import report_progress

    assert report_progress(0.5, "x") is None


def test_half_of_a_bilingual_message():
    from rbcity.outputs.web.i18n import half

    msg = "已读 1,200 行 read and checked 1,200 rows"
    assert half(msg, "zh") == "已读 1,200 行" and half(msg, "en") == "read and checked 1,200 rows"
    assert half("正在计算 2018 年 running all engines for 2018", "en") == "running all engines for 2018"
    assert half("only english", "zh") == "only english" and half("", "en") == ""
