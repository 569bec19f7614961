"""Statistics commands: ``import``, ``rejects``, ``history``, ``export``, ``indicators``,
``targets import|list`` and ``data coverage|load``."""

from __future__ import annotations

from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Fmt, Lang, Output, check_lang
from rbcity.outputs.frames import emit, write_frame

targets_app = typer.Typer(help="规划目标 Plan targets: import official rows, list them.", no_args_is_help=True)
data_app = typer.Typer(help="数据 Data: coverage of the store, (re)load the bundled data.", no_args_is_help=True)
app.add_typer(targets_app, name="targets")
app.add_typer(data_app, name="data")

Sheet = Annotated[str | None, typer.Option("--sheet", help="XLSX 工作表 sheet name (default: the first)")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="只校验不写入 validate only, store nothing")]


def _engine(db):
    from rbcity.outputs.cli.options import store

    return store(db)


def _parse_map(items: list[str] | None) -> dict | None:
    from rbcity.errors import UserError

    if not items:
        return None
    out = {}
    for it in items:
        if "=" not in it or ":" not in it.split("=", 1)[1]:
            raise UserError(f"--map 格式 format is 'HEADER=INDICATOR:UNIT', got {it!r}")
        h, rest = it.split("=", 1)
        ind, unit = rest.rsplit(":", 1)
        out[h] = (ind.strip(), unit.strip())
    return out


def report_text(rep, lang: str = "zh", max_rejects: int = 10) -> str:
    """The summary ``rbcity import`` prints (also used by ``rbcity run``)."""
    from rbcity.data.importer import REASONS

    i = 0 if lang == "zh" else 1
    status = {"committed": ("已提交", "committed"), "no-op": ("无变化", "no-op"), "failed": ("失败", "failed"),
              "dry-run": ("仅校验", "dry run")}.get(rep.status, (rep.status, rep.status))[i]
    lines = [f"{rep.file}{' [' + rep.sheet + ']' if rep.sheet else ''}: {status}"
             + (f" (batch {rep.batch_id})" if rep.batch_id else "")]
    if rep.message and rep.status == "no-op" and rep.n_rows == 0:
        lines.append("  " + rep.message)
        return "\n".join(lines)
    lines.append(f"  行 rows {rep.n_rows}; 接受 accepted {rep.n_accepted} (新 new {rep.n_new}, 修订 revised {rep.n_revised}, 未变 unchanged {rep.n_unchanged}); "
                  f"拒绝 rejected {rep.n_rejected}; 空白 blank {rep.n_blank}")
    if rep.rejects:
        lines.append("  " + ", ".join(f"{REASONS.get(k, (k, k))[i]} {k}: {n}" for k, n in sorted(rep.reasons().items())))
        for r in rep.rejects[:max_rejects]:
            where = f"row {r.row}" if r.row is not None else "file"
            lines.append(f"   - {where}, {r.column or '-'}: {r.raw_value!s:.40} — {r.reason:.160}")
        if len(rep.rejects) > max_rejects:
            lines.append(f"   … {len(rep.rejects) - max_rejects} more")
        if rep.batch_id:
            lines.append(f"  全部拒绝记录 all rejects: rbcity rejects --batch {rep.batch_id}")
    return "\n".join(lines)


@app.command("import")
def import_cmd(
    file: Annotated[str, typer.Argument(help="CSV / XLSX / Parquet 文件 file (long or wide layout)")],
    source: Annotated[str | None, typer.Option(help="来源 source tag stored with every value (default: file name)")] = None,
    sheet: Sheet = None, dry_run: DryRun = False,
    map_: Annotated[list[str] | None, typer.Option("--map", help="列映射 'HEADER=INDICATOR:UNIT' for headers that do not say it; repeatable")] = None,
    year: Annotated[int | None, typer.Option(help="截面数据的年份 year of a cross-section without a year column")] = None,
    level: Annotated[str | None, typer.Option(help="prefecture | county: narrows ties between same-named units")] = None,
    user: Annotated[str, typer.Option(help="记录的用户 user recorded with the batch")] = "",
    restore_older: Annotated[bool, typer.Option(
        "--restore-older", help="恢复旧值 let a re-imported older file replace newer revisions (default: keep the newer)")] = False,
    profile: Annotated[str | None, typer.Option("--profile", help="应用已保存的列映射 apply a saved mapping profile (--map wins)")] = None,
    save_profile: Annotated[str | None, typer.Option("--save-profile", help="把 --map（及 --profile）保存为命名配置 save the mapping under NAME")] = None,
    lang: Lang = "zh", db: Db = None,
) -> None:
    """导入数据 Import a statistics file: validate every cell, keep every reject, one transaction.

    Recognised without options: long/wide tables, CSMAR CRE tables (with their DES file),
    Stata .dta / SPSS .sav panels, yearbook tables (title, two-level headers, units, notes)."""
    from rbcity.data.importer import import_file
    from rbcity.data.profiles import load_profile
    from rbcity.data.profiles import save_profile as _save
    from rbcity.outputs.import_summary import mapping_text, readiness_text

    check_lang(lang)
    engine = _engine(db)
    columns = {**(load_profile(engine, profile) if profile else {}), **(_parse_map(map_) or {})} or None
    if save_profile:
        replaced = _save(engine, save_profile, columns or {}, user=user)
        typer.echo(f"映射配置已{'更新' if replaced else '保存'} profile {save_profile!r} "
                   f"{'replaced' if replaced else 'saved'} ({len(columns or {})} columns)")
    rep = import_file(engine, file, source=source, sheet=sheet, user=user, dry_run=dry_run,
                      columns=columns, year=year, level=level, restore_older=restore_older)
    typer.echo(report_text(rep, lang))
    for extra in (mapping_text(rep, lang), readiness_text(engine, rep, lang) if not dry_run else ""):
        if extra:
            typer.echo(extra)
    _exit_if_failed(rep)
    from rbcity.outputs.cli.checks_cmds import after_import_line
    after_import_line(_engine(db), rep, lang)  # plausibility checks (rbcity checks)


@app.command("import-profiles")
def import_profiles_cmd(fmt: Fmt = "table", output: Output = None, lang: Lang = "zh", db: Db = None) -> None:
    """已保存的列映射配置 List saved import mapping profiles (rbcity import --save-profile)."""
    import pandas as pd

    from rbcity.data.profiles import list_profiles

    check_lang(lang)
    df = pd.DataFrame(list_profiles(_engine(db)), columns=["name", "columns", "user", "updated_at", "note"])
    emit(write_frame(df, fmt, output, lang, title="映射配置 import profiles"))


def _exit_if_failed(rep) -> None:
    """A failed batch ends the command with status 2 (one line on stderr, like any UserError)."""
    from rbcity.errors import UserError

    if rep.status == "failed":
        codes = ", ".join(sorted(rep.reasons()))
        raise UserError(f"导入失败 import failed ({codes}); 见 see rbcity rejects --batch {rep.batch_id}")


@app.command("rejects")
def rejects_cmd(
    batch: Annotated[int | None, typer.Option(help="批次 batch id (default: the newest batch with rejects)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="所有批次 every batch")] = False,
    reason: Annotated[str | None, typer.Option(help="原因代码 reason code, e.g. out_of_range")] = None,
    limit: Annotated[int | None, typer.Option(help="最多显示 at most N rows")] = None,
    fmt: Fmt = "table", output: Output = None, lang: Lang = "zh", db: Db = None,
) -> None:
    """列出被拒绝的单元格 List rejected cells with file, sheet, row, column, raw value and reason."""
    from rbcity.data.audit import last_batch_with_rejects, rejects

    check_lang(lang)
    engine = _engine(db)
    if batch is None and not all_:
        batch = last_batch_with_rejects(engine)
        if batch is None:
            typer.echo("没有拒绝记录 no rejects stored")
            return
    df = rejects(engine, None if all_ else batch, reason, limit)
    title = f"拒绝记录 {len(df)} 条" + (f"（批次 {batch}）" if batch and not all_ else "") if lang == "zh" \
        else f"{len(df)} rejects" + (f" (batch {batch})" if batch and not all_ else "")
    emit(write_frame(df, fmt, output, lang, title=title))


@app.command("history")
def history_cmd(
    city: Annotated[str, typer.Argument(help="城市名称或代码 city name or code")],
    indicator: Annotated[str, typer.Argument(help="指标 indicator id or name")],
    fmt: Fmt = "table", lang: Lang = "zh", db: Db = None,
) -> None:
    """数值的修订历史 Every revision of a city's indicator, oldest first."""
    from rbcity.data.audit import history
    from rbcity.data.catalogue import match_indicator
    from rbcity.errors import UserError
    from rbcity.registry.resolve import get_resolver

    check_lang(lang)
    m = get_resolver("all").resolve(city)
    ind = match_indicator(indicator)
    if ind is None:
        raise UserError(f"未知指标 unknown indicator: {indicator!r}; 见 see `rbcity indicators`")
    df = history(_engine(db), m.unit_id, ind)
    title = f"{m.name}（{m.unit_id}）{ind}"
    if df.empty:
        typer.echo(f"{title}: 没有数据 no values stored")
        return
    emit(write_frame(df, fmt, None, lang, title=title))


@app.command("export")
def export_cmd(
    output: Annotated[str, typer.Option("--output", "-o", help="输出文件 .csv / .xlsx / .parquet / .dta")],
    layout: Annotated[str, typer.Option(help="long（每值一行 one row per value）| wide（每单位年一行 one row per unit-year）")] = "long",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="csv | xlsx | parquet | dta (default: from the file name)")] = None,
    indicators: Annotated[str | None, typer.Option(help="逗号分隔的指标 comma-separated indicator ids")] = None,
    years: Annotated[str | None, typer.Option(help="年份 e.g. 2004-2012 or 2010,2020")] = None,
    registry_only: Annotated[bool, typer.Option("--registry-only", help="只导出262个资源型城市 only the 262 cities")] = False,
    db: Db = None,
) -> None:
    """导出面板数据 Export the panel (with unit and source) for Stata/R/Excel."""
    from rbcity.data.export import export_panel

    inds = [x.strip() for x in indicators.split(",") if x.strip()] if indicators else None
    res = export_panel(_engine(db), output, layout=layout, fmt=fmt, indicators=inds, years=_years(years),
                       registry_only=registry_only)
    typer.echo(f"{res['rows']} 行 rows → {', '.join(res['files'])}")


def _years(text: str | None):
    from rbcity.errors import UserError

    if not text:
        return None
    out: list[int] = []
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = part.split("-", 1)
                out += list(range(int(a), int(b) + 1))
            elif part.strip():
                out.append(int(part))
    except ValueError as exc:
        raise UserError(f"年份格式 --years must look like 2004-2012 or 2010,2020; got {text!r}") from exc
    return out


@app.command("indicators")
def indicators_cmd(fmt: Fmt = "table", output: Output = None, lang: Lang = "zh") -> None:
    """指标目录 List the indicator catalogue (config/indicators.yaml)."""
    from rbcity.data.catalogue import load_catalogue

    check_lang(lang)
    df = load_catalogue()
    if fmt == "table":
        df = df.drop(columns=["definition", "source"])
    emit(write_frame(df, fmt, output, lang, title="指标目录 indicator catalogue"))


@targets_app.command("import")
def targets_import_cmd(
    file: Annotated[str, typer.Argument(help="目标表 CSV / XLSX / Parquet (indicator_id, target_year, target_value, source, …)")],
    sheet: Sheet = None, dry_run: DryRun = False,
    user: Annotated[str, typer.Option(help="记录的用户 user")] = "", lang: Lang = "zh", db: Db = None,
) -> None:
    """导入官方目标 Import official target rows, validated like any import."""
    from rbcity.data.targets import import_targets

    check_lang(lang)
    rep = import_targets(_engine(db), file, sheet=sheet, user=user, dry_run=dry_run)
    typer.echo(report_text(rep, lang))
    _exit_if_failed(rep)


@targets_app.command("list")
def targets_list_cmd(fmt: Fmt = "table", output: Output = None, lang: Lang = "zh", db: Db = None) -> None:
    """列出目标 List every target in the store (shipped text targets and imported rows)."""
    from rbcity.data.catalogue import stored_targets

    check_lang(lang)
    emit(write_frame(stored_targets(_engine(db)), fmt, output, lang, title="规划目标 targets"))


@data_app.command("coverage")
def coverage_cmd(fmt: Fmt = "table", output: Output = None, lang: Lang = "zh", db: Db = None) -> None:
    """数据覆盖 Per indicator: how many of the 262 cities and which years the store covers."""
    from rbcity.data.coverage import coverage

    check_lang(lang)
    df = coverage(_engine(db))
    if fmt == "table":
        df = df.drop(columns=["sources", "name_en" if lang == "zh" else "name_zh"])
    emit(write_frame(df, fmt, output, lang, title="数据覆盖（262个资源型城市）coverage of the 262 cities"))


@data_app.command("load")
def data_load_cmd(lang: Lang = "zh", db: Db = None) -> None:
    """载入内置数据 Load the bundled real data (what `rbcity run` does first; idempotent)."""
    from rbcity.data.bundled import ensure_bundled

    check_lang(lang)
    for rep in ensure_bundled(_engine(db)):
        typer.echo(one_line(rep))


def one_line(rep) -> str:
    """One line per bundled source for ``rbcity run``."""
    if rep.status == "no-op" and rep.n_rows == 0:
        return f"{rep.file}: 已载入 already loaded (batch {rep.batch_id})" if rep.batch_id else f"{rep.file}: {rep.message}"
    return (f"{rep.file}: {rep.status} batch {rep.batch_id} — {rep.n_accepted} values "
            f"(new {rep.n_new}, revised {rep.n_revised}), {rep.n_rejected} rejected"
            + (f" → rbcity rejects --batch {rep.batch_id}" if rep.n_rejected else ""))
