"""``rbcity run``: the main job on the bundled data with the embedded store — build the store,
load the registry and the bundled real data, then run every engine of the plan for the latest
year with data (``rbcity assess``), print the agreement figures and engine summaries, and
write the national report for that year (printing where it is)."""

from __future__ import annotations

from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Lang, check_lang


@app.command("run")
def run(db: Db = None, lang: Lang = "zh",
        report: Annotated[str | None, typer.Option("--report", help="where to write the national report "
                                                    "(default: reports/ next to the SQLite store)")] = None) -> None:
    """主任务 Main job: store + registry + bundled data, then all engines for the latest year,
    then the national report (HTML) for that year."""
    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.cities import cities_frame
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.outputs.assess_text import render
    from rbcity.outputs.cli.data_cmds import one_line
    from rbcity.outputs.summary import registry_summary
    from rbcity.plan.assess import assess, engine_years, latest_data_year

    check_lang(lang)
    engine = open_store(db)
    counts = load_registry_into(engine)
    typer.echo(f"store: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"registry: {counts['cities']} cities, {counts['units']} admin units, "
               f"{counts['code_history']} code-history lines")
    typer.echo(registry_summary(cities_frame(engine), lang))
    typer.echo("bundled data (each source one import batch):" if lang == "en" else "内置数据 bundled data（每个来源一个导入批次）:")
    reports = ensure_bundled(engine)  # checks run after a committed batch (rbcity.data.checks)
    for rep in reports:
        typer.echo("  " + one_line(rep))
    from rbcity.outputs.cli.checks_cmds import run_line
    run_line(engine, reports, lang)
    typer.echo("coverage: rbcity data coverage; rejects: rbcity rejects --all" if lang == "en"
               else "覆盖 coverage: rbcity data coverage; 拒绝 rejects: rbcity rejects --all")
    year = latest_data_year(engine)
    missing = None
    if year is None:
        typer.echo("no observations in the store: engines not run")
    else:
        typer.echo("")
        result = assess(engine, year)
        missing = list(result.not_computed)
        typer.echo(render(result, lang))
        # engines whose data end earlier also run for the last year they can compute
        earlier: dict[int, list[str]] = {}
        for name, y in engine_years(engine, year).items():
            if y is not None and y < year:
                earlier.setdefault(y, []).append(name)
        for y, names in sorted(earlier.items(), reverse=True):
            typer.echo("")
            typer.echo(("以下引擎的数据止于 " if lang == "zh" else "data of these engines end in ")
                       + f"{y}: {', '.join(names)}")
            res_y = assess(engine, y, engines=names)
            typer.echo(render(res_y, lang))
            # the report shows these engines' year-y runs, so their reasons are the year-y ones
            missing = [m for m in missing if m[0] not in names] + list(res_y.not_computed)
    from rbcity.outputs.report.national import write_national_report

    path = write_national_report(engine, year, lang, "html", report, not_computed=missing)
    typer.echo(f"{'全国报告' if lang == 'zh' else 'national report'}: {path}")
