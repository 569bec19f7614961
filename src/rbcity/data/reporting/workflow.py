"""A form's life: draft → submitted → accepted (province) → published (national), or returned
with comments per cell; and the completion dashboard.

Design: values of a form wait in ``report_value`` (a staging table) until publication, which
imports them into ``observation`` as one import batch through the importer — so the engines,
the public pages and every revision rule see only published values, and a published form
traces to its batch. Every change is a compare-and-set on ``report_form.version`` (optimistic
locking): two reviewers acting on one form, or two submitters on one city, cannot both win;
the loser gets :class:`StaleForm` (HTTP 409) and nothing of theirs is half-written. No row
lock is held across user think time, so there is nothing to deadlock on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources

import pandas as pd
import yaml
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from rbcity.data import schema as s
from rbcity.data.reporting.forms import COL, NOTE_PREFIX, FilledForm, read_workbook
from rbcity.data.reporting.scope import ACTIONS, Scope, ScopeRefused
from rbcity.errors import UserError

STATUSES = ("draft", "submitted", "returned", "accepted", "published")


class StaleForm(UserError, RuntimeError):
    """The form changed since the caller read it (another user acted first): HTTP 409."""

    status = 409


class WrongState(UserError, ValueError):
    """An action the form's current status does not allow (submit a published form): HTTP 409."""

    status = 409


def deadline(year: int) -> date:
    """The due date of a form for ``year`` (``config/reporting.yaml``)."""
    cfg = yaml.safe_load((resources.files("rbcity.config") / "reporting.yaml").read_text("utf-8"))["deadline"]
    return date(year + int(cfg["year_offset"]), int(cfg["month"]), int(cfg["day"]))


def city_of(engine: Engine, unit_id: str) -> tuple[str, str]:
    """(name, province) of a registry city; UserError for anything else."""
    with engine.connect() as conn:
        row = conn.execute(select(s.city.c.name, s.city.c.province).where(s.city.c.unit_id == unit_id)).first()
    if row is None:
        from rbcity.registry.resolve import UnknownCity

        raise UnknownCity(unit_id, [])  # 404: not one of the plan's 262 cities
    return row.name, row.province


def get_form(conn: Connection, unit_id: str, year: int) -> dict | None:
    row = conn.execute(select(s.report_form).where(s.report_form.c.unit_id == unit_id,
                                                   s.report_form.c.year == year)).mappings().first()
    return dict(row) if row else None


def check(scope: Scope, action: str, unit_id: str, province: str) -> None:
    """Raise :class:`ScopeRefused` unless ``scope`` may take ``action`` on this city."""
    if not scope.may(action, unit_id, province):
        raise ScopeRefused(f"用户 {scope.username}（{scope.role}）无权对 {unit_id} 执行 {action} "
                           f"user {scope.username} ({scope.role}) may not {action} the form of {unit_id}")


def check_read(scope: Scope, unit_id: str, province: str) -> None:
    if not scope.covers(unit_id, province):
        raise ScopeRefused(f"用户 {scope.username}（{scope.role}）无权查看 {unit_id} 的报表 "
                           f"user {scope.username} ({scope.role}) may not read the form of {unit_id}")


def _cas(conn: Connection, form: dict, version: int | None, action: str, user: str, **values) -> int:
    """Move ``form`` to the action's status if nobody changed it since ``version``; new version."""
    _, starts, to = ACTIONS[action]
    if form["status"] not in starts:
        raise WrongState(f"报表状态为 {form['status']}，不能 {action} form is {form['status']}: cannot {action}")
    if version is None:  # the caller never saw this form: replacing it would lose someone's update
        raise StaleForm(f"报表已存在（版本 {form['version']}），请带上所见版本 the form exists (version "
                        f"{form['version']}); send the version you saw")
    expected = version
    f = s.report_form.c
    res = conn.execute(update(s.report_form).where(
        f.id == form["id"], f.version == expected, f.status.in_([x for x in starts if x])).values(
        status=to, version=expected + 1, updated_at=datetime.now(UTC), updated_by=user, **values))
    if res.rowcount != 1:
        raise StaleForm(f"报表已被他人修改（版本 {expected} 已过期） the form changed since version {expected}; "
                        "reload it and try again")
    return expected + 1


def upload(engine: Engine, scope: Scope, unit_id: str, year: int, data: bytes, *, file: str = "form.xlsx",
           version: int | None = None) -> dict:
    """A filled workbook → the form's draft: values the importer accepts replace the draft's,
    every reject is kept per cell (``report_reject``). Returns the form summary. ``version``:
    the version the uploader saw; None creates the form (StaleForm when it already exists)."""
    from rbcity.data.importer import import_frame

    _, province = city_of(engine, unit_id)
    check(scope, "upload", unit_id, province)
    filled: FilledForm = read_workbook(data, unit_id, year, file)
    rep = import_frame(engine, filled.table, source=f"统计报表 {unit_id} {year}", user=scope.username, dry_run=True)
    cell_of = dict(zip(filled.table.rows.tolist(), [COL["value"]] * len(filled.table.rows), strict=True))
    header_col = {"value": COL["value"], "unit": COL["unit"], "indicator": COL["item"], "year": COL["year"],
                  "unit_id": COL["code"]}
    rejects = list(filled.rejects)
    for r in rep.rejects:
        col = header_col.get(r.column, cell_of.get(r.row, ""))
        rejects.append(r.__class__(r.file, r.sheet, r.row, f"{col}{r.row}" if r.row else r.column,
                                   r.raw_value, r.reason_code, r.reason))
    acc = rep.accepted
    with engine.begin() as conn:
        form = get_form(conn, unit_id, year)
        if form is None:
            try:
                with conn.begin_nested():
                    fid = conn.execute(insert(s.report_form).values(
                        unit_id=unit_id, year=year, status="draft", version=1, deadline=deadline(year),
                        updated_at=datetime.now(UTC), updated_by=scope.username)).inserted_primary_key[0]
            except IntegrityError as exc:  # another upload created it first
                raise StaleForm("报表已被他人创建 the form was just created by another upload; reload") from exc
            form = {"id": fid, "status": "draft", "version": 1}
            new_version = 1
        else:
            new_version = _cas(conn, form, version, "upload", scope.username)
        fid = form["id"]
        for t in (s.report_value, s.report_reject):
            conn.execute(delete(t).where(t.c.form_id == fid))
        rows = [dict(form_id=fid, item=str(a.indicator_id), value=float(a.value), unit=str(a.unit), text=None,
                     row=int(a.row)) for a in acc.itertuples(index=False)] if len(acc) else []
        rows += [dict(form_id=fid, item=f"{NOTE_PREFIX}{sec}", value=None, unit="", text=text, row=None)
                 for sec, text in filled.notes.items()]
        if rows:
            conn.execute(insert(s.report_value), rows)
        if rejects:
            conn.execute(insert(s.report_reject), [dict(
                form_id=fid, row=r.row, column=r.column, raw_value=r.raw_value, reason_code=r.reason_code,
                reason=r.reason) for r in rejects])
    return {"form_id": fid, "status": "draft", "version": new_version, "n_values": len(acc),
            "n_notes": len(filled.notes), "n_rejected": len(rejects),
            "rejects": [dict(cell=r.column, row=r.row, raw_value=r.raw_value, reason_code=r.reason_code,
                             reason=r.reason) for r in rejects]}


def act(engine: Engine, scope: Scope, unit_id: str, year: int, action: str, *, version: int | None,
        comments: dict[str, str] | None = None) -> dict:
    """submit / return (with ``comments`` item → text) / accept / publish a form."""
    if action not in ACTIONS or action == "upload":
        raise UserError(f"未知操作 unknown action {action!r}; allowed: submit, return, accept, publish")
    _, province = city_of(engine, unit_id)
    check(scope, action, unit_id, province)
    if action == "return" and not comments:
        raise UserError("退回须附意见 a return needs at least one comment (item → text)")
    with engine.begin() as conn:
        form = get_form(conn, unit_id, year)
        if form is None:
            raise WrongState(f"{unit_id} {year} 尚无报表 no form yet")
        new_version = _cas(conn, form, version, action, scope.username)
        if action == "return":
            conn.execute(insert(s.report_comment), [dict(form_id=form["id"], item=str(k)[:64], comment=str(v),
                                                         username=scope.username, at=datetime.now(UTC))
                                                    for k, v in comments.items()])
    batch_id = None
    if action == "publish":
        batch_id = _publish(engine, scope, form["id"], unit_id, year, new_version)
    return {"form_id": form["id"], "status": ACTIONS[action][2], "version": new_version, "batch_id": batch_id}


def _publish(engine: Engine, scope: Scope, form_id: int, unit_id: str, year: int, version: int) -> int | None:
    """Import the form's values into ``observation`` as one batch (all the importer's rules:
    revisions kept, no-op when nothing changed); on failure the form goes back to accepted."""
    from rbcity.data.importer import import_frame
    from rbcity.data.reader import RawTable

    v = s.report_value.c
    with engine.connect() as conn:
        vals = pd.DataFrame(conn.execute(select(v.item, v.value, v.unit).where(
            v.form_id == form_id, v.value.is_not(None))).all(), columns=["indicator", "value", "unit"])
    if vals.empty:
        return None
    frame = vals.assign(unit_id=unit_id, year=str(year), value=vals["value"].map(repr))
    table = RawTable(frame=frame[["unit_id", "year", "indicator", "value", "unit"]].astype(object),
                     rows=pd.Series(range(1, len(frame) + 1)), file=f"report_form:{form_id}", sheet="")
    try:
        rep = import_frame(engine, table, source=f"统计报表 reporting form {form_id} ({unit_id} {year})",
                           user=scope.username)
        if rep.status == "failed" or rep.n_rejected:
            raise UserError(f"发布失败 publication rejected by the importer: {rep.reasons()}")
    except Exception:
        with engine.begin() as conn:
            conn.execute(update(s.report_form).where(s.report_form.c.id == form_id, s.report_form.c.version == version)
                         .values(status="accepted", version=version + 1))
        raise
    with engine.begin() as conn:
        conn.execute(update(s.report_form).where(s.report_form.c.id == form_id).values(batch_id=rep.batch_id))
    return rep.batch_id


def detail(engine: Engine, scope: Scope, unit_id: str, year: int) -> dict:
    """The form as its reader may see it: status, version, values, rejects per cell, comments."""
    name, province = city_of(engine, unit_id)
    check_read(scope, unit_id, province)
    with engine.connect() as conn:
        form = get_form(conn, unit_id, year)
        if form is None:
            return {"unit_id": unit_id, "name": name, "year": year, "status": None, "version": 0,
                    "deadline": deadline(year).isoformat(), "values": [], "rejects": [], "comments": []}
        fid = form["id"]

        def rows(table, *order):
            return [dict(r) for r in conn.execute(select(table).where(table.c.form_id == fid)
                                                  .order_by(*order)).mappings()]
        values = rows(s.report_value, s.report_value.c.item)
        rejects = rows(s.report_reject, s.report_reject.c.id)
        comments = rows(s.report_comment, s.report_comment.c.id)
    for c in comments:
        c["at"] = c["at"].isoformat()
    return {"unit_id": unit_id, "name": name, "year": year, "status": form["status"], "version": form["version"],
            "deadline": form["deadline"].isoformat(), "updated_by": form["updated_by"], "batch_id": form["batch_id"],
            "values": values, "rejects": [dict(cell=r["column"], row=r["row"], raw_value=r["raw_value"],
                                               reason_code=r["reason_code"], reason=r["reason"]) for r in rejects],
            "comments": comments}


def dashboard(engine: Engine, scope: Scope, year: int, today: date | None = None) -> pd.DataFrame:
    """Completion by city for the cities in ``scope``: ``unit_id, name, province, status,
    deadline, overdue, version, updated_at, updated_by`` (status ``missing`` when no form exists,
    then version 0 and no last change; overdue = past the deadline and not yet
    submitted/accepted/published)."""
    today = today or datetime.now(UTC).date()
    c, f = s.city.c, s.report_form.c
    with engine.connect() as conn:
        cities = pd.DataFrame(conn.execute(select(c.unit_id, c.name, c.province)).all(),
                              columns=["unit_id", "name", "province"])
        forms = pd.DataFrame(conn.execute(select(f.unit_id, f.status, f.deadline, f.version, f.updated_at,
                                                 f.updated_by).where(f.year == year)).all(),
                             columns=["unit_id", "status", "deadline", "version", "updated_at", "updated_by"])
    df = cities.merge(forms, on="unit_id", how="left")
    df = df[[scope.covers(u, p) for u, p in zip(df["unit_id"], df["province"], strict=True)]]
    due = deadline(year)
    df["status"] = df["status"].fillna("missing")
    df["deadline"] = df["deadline"].where(df["deadline"].notna(), due).map(lambda d: d.isoformat())
    df["overdue"] = (today > due) & ~df["status"].isin(["submitted", "accepted", "published"])
    df["version"] = df["version"].fillna(0).astype(int)
    df = df[["unit_id", "name", "province", "status", "deadline", "overdue", "version", "updated_at", "updated_by"]]
    return df.sort_values(["province", "unit_id"]).reset_index(drop=True)


def form_years(engine: Engine) -> list[int]:
    """The years that have at least one form, ascending."""
    with engine.connect() as conn:
        ys = conn.execute(select(s.report_form.c.year).distinct()).scalars().all()
    return sorted(int(y) for y in ys)


def reporting_year(engine: Engine, today: date | None = None) -> int:
    """The latest reporting year: the year just closed (whose forms are being collected; a form
    for Y is due in Y+1, ``config/reporting.yaml``), or a later year that already has forms."""
    today = today or datetime.now(UTC).date()
    return max([today.year - 1, *form_years(engine)])


def dashboard_by_province(df: pd.DataFrame) -> pd.DataFrame:
    """Counts per province of a :func:`dashboard` frame: cities and each status, and overdue."""
    counts = pd.crosstab(df["province"], df["status"]).reindex(
        columns=["missing", *STATUSES], fill_value=0)
    counts.insert(0, "cities", df.groupby("province").size())
    counts["overdue"] = df.groupby("province")["overdue"].sum().astype(int)
    return counts.reset_index()


def n_forms(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.report_form)).scalar_one())
