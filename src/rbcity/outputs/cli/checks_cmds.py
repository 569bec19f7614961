"""``rbcity checks``: list the plausibility findings, run the checks, confirm or correct a
flagged value. The rules live in ``rbcity.data.checks`` and ``config/checks.yaml``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Fmt, Lang, Output, check_lang, store
from rbcity.outputs.frames import emit, write_frame

checks_app = typer.Typer(help="数据合理性检查 Plausibility checks: list findings (default), run, confirm, correct.",
                         invoke_without_command=True)
app.add_typer(checks_app, name="checks")

LABELS = {
    "id": ("检查编号", "finding"), "rule": ("规则", "rule"), "unit_id": ("编号", "id"), "name": ("名称", "name"),
    "year": ("年份", "year"), "indicator_id": ("指标", "indicator"), "value": ("数值", "value"),
    "revision": ("版本", "revision"), "severity": ("级别", "severity"), "status": ("状态", "status"),
    "detail": ("相关数值", "values involved"), "decided_by": ("处理人", "decided by"),
    "open": ("待处理", "open"), "confirmed": ("已确认", "confirmed"), "corrected": ("已更正", "corrected"),
    "held_out": ("暂不使用", "held out"), "checked": ("检查数", "checked"), "share": ("触发比例", "share"),
    "too_many": ("触发过多", "fires too often"),
}


def _labelled(df, fmt: str, lang: str):
    """Column labels of this command (machine names stay in JSON)."""
    if fmt == "json":
        return df
    i = 0 if lang == "zh" else 1
    return df.rename(columns={c: LABELS[c][i] for c in df.columns if c in LABELS})
User = Annotated[str, typer.Option("--user", help="记录的用户 user recorded with the decision")]
Note = Annotated[str, typer.Option("--note", help="说明 why: the source checked, the document, …")]


def stats_text(run, lang: str = "zh") -> str:
    """Per rule: values judged, values flagged and their share; a share above the spec's
    ``max_share`` is marked (the rule may be badly tuned)."""
    zh = lang == "zh"
    lines = [(f"检查 {run.n_values} 个数值，用时 {run.seconds:.1f} 秒" if zh else
              f"checked {run.n_values} values in {run.seconds:.1f} s")
             + f" (new {run.changes.get('new', 0)}, kept {run.changes.get('kept', 0)}, "
               f"dropped {run.changes.get('dropped', 0)}, superseded {run.changes.get('superseded', 0)})"]
    for st in run.stats:
        warn = ("  ⚠ 触发比例过高，规则可能过严 fires on too many values: check config/checks.yaml"
                if st.too_many else "")
        lines.append(f"  {st.rule:<20} {st.severity:<8} {st.n_flagged:>5} / {st.n_checked:<6} "
                     f"({st.share:.2%}){warn}")
    return "\n".join(lines)


def after_import_line(engine, report, lang: str = "zh") -> None:
    """The import hook for the CLI: re-check after a committed batch and say what changed."""
    from rbcity.data.checks.run import after_import

    run = after_import(engine, report)
    if run is not None:
        typer.echo(("合理性检查 plausibility checks: " if lang == "zh" else "plausibility checks: ")
                   + f"{run.changes.get('new', 0)} new findings; rbcity checks")
        for st in run.stats:
            if st.too_many:
                typer.echo(f"⚠ {st.rule}: {st.n_flagged}/{st.n_checked} ({st.share:.1%}) > max_share")


def run_line(engine, reports, lang: str = "zh") -> None:
    """For ``rbcity run``: check a store whose bundled data were all loaded before (no batch
    committed now, so the import hook did not run), then one line of counts."""
    from rbcity.data.checks import held_out, run_checks

    if all(getattr(r, "status", None) != "committed" for r in reports):
        run_checks(engine)
    n = len(held_out(engine))
    typer.echo((f"合理性检查 plausibility checks: {n} 个数值暂不参与计算 values held out of the engines "
                "(rbcity checks)") if lang == "zh" else
               f"plausibility checks: {n} values held out of the engines (rbcity checks)")


def _city(city: str | None) -> str | None:
    if city is None:
        return None
    from rbcity.registry.resolve import get_resolver

    return get_resolver("all").resolve(city).unit_id


@checks_app.callback()
def checks_list(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="年份 year")] = None,
    indicator: Annotated[str | None, typer.Option(help="指标 indicator id")] = None,
    city: Annotated[str | None, typer.Option(help="城市名称或代码 city name or code")] = None,
    status: Annotated[str | None, typer.Option(help="open | confirmed | corrected")] = None,
    rule: Annotated[str | None, typer.Option(help="规则 rule id (config/checks.yaml)")] = None,
    fmt: Fmt = "table", output: Output = None, lang: Lang = "zh", db: Db = None,
) -> None:
    """检查结果 List findings (filters: --year --indicator --city --status --rule), then counts by rule."""
    if ctx.invoked_subcommand is not None:
        return
    from rbcity.data.checks import list_findings, rule_counts

    check_lang(lang)
    engine = store(db)
    df = list_findings(engine, year, indicator, _city(city), status, rule)
    df["detail"] = df["detail"].map(lambda d: json.dumps(d, ensure_ascii=False) if d else "")
    zh = lang == "zh"
    title = (f"合理性检查结果 {len(df)} 条" if zh else f"{len(df)} plausibility findings")
    if df.empty:
        typer.echo(title + ("（没有；先运行 rbcity checks run）" if zh else " (none; run `rbcity checks run` first)"))
    else:
        emit(write_frame(_labelled(df.drop(columns=["note", "decided_at"]), fmt, lang), fmt, output, lang,
                         title=title))
    if output is None and fmt == "table":
        counts = rule_counts(engine)
        if len(counts):
            typer.echo("按规则 by rule:" if zh else "by rule:")
            emit(write_frame(_labelled(counts, fmt, lang), "table", None, lang))
            for r in counts[counts["too_many"]]["rule"]:
                typer.echo(f"⚠ {r}: " + ("触发比例超过 config/checks.yaml 的 max_share，规则可能过严"
                                         if zh else "fires on more than max_share of the values it judged "
                                                    "(config/checks.yaml): the rule may be badly tuned"))


@checks_app.command("run")
def checks_run(lang: Lang = "zh", db: Db = None) -> None:
    """运行全部检查 Check every current value and store the findings."""
    from rbcity.data.checks import run_checks

    check_lang(lang)
    typer.echo(stats_text(run_checks(store(db)), lang))


@checks_app.command("confirm")
def checks_confirm(finding_id: Annotated[int, typer.Argument(help="检查结果编号 finding id")],
                   note: Note = "", user: User = "", lang: Lang = "zh", db: Db = None) -> None:
    """确认数值无误 The value was checked against its source and stands: no longer held out (audited)."""
    from rbcity.data.checks import confirm

    check_lang(lang)
    f = confirm(store(db), finding_id, user, note)
    typer.echo(("已确认 confirmed" if lang == "zh" else "confirmed")
               + f" #{finding_id}: {f['unit_id']} {f['year']} {f['indicator_id']} = {f['value']:g} ({f['rule']})")


@checks_app.command("correct")
def checks_correct(finding_id: Annotated[int, typer.Argument(help="检查结果编号 finding id")],
                   value: Annotated[float, typer.Option("--value", help="更正后的数值 corrected value, in the stored unit")],
                   note: Note = "", user: User = "",
                   source: Annotated[str | None, typer.Option(help="来源 source of the corrected value")] = None,
                   lang: Lang = "zh", db: Db = None) -> None:
    """更正数值 Store a corrected value as a new revision (audited); the store is checked again."""
    from rbcity.data.checks.correct import correct

    check_lang(lang)
    f, rep, run = correct(store(db), finding_id, value, user, note, source)
    typer.echo(("已更正 corrected" if lang == "zh" else "corrected")
               + f" #{finding_id}: {f['unit_id']} {f['year']} {f['indicator_id']} {f['value']:g} → {value:g} "
                 f"(batch {rep.batch_id})")
    typer.echo(stats_text(run, lang))
