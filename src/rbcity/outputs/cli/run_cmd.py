"""``rbcity run``: the main job on the bundled data with the embedded store."""

from __future__ import annotations

from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Lang, check_lang


@app.command("run")
def run(db: Db = None, lang: Lang = "zh",
        report: Annotated[str | None, typer.Option("--report", help="where to write the national report "
                                                    "(default: reports/ next to the SQLite store)")] = None) -> None:
    """主任务 Main job: build the store, load the registry, print its summary and write the
    national report (HTML) for the latest year with data."""
    from rbcity.data.cities import cities_frame
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.outputs.summary import registry_summary

    check_lang(lang)
    engine = open_store(db)
    counts = load_registry_into(engine)
    typer.echo(f"store: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"registry: {counts['cities']} cities, {counts['units']} admin units, "
               f"{counts['code_history']} code-history lines")
    typer.echo(registry_summary(cities_frame(engine), lang))
    from rbcity.outputs.report.national import write_national_report

    path = write_national_report(engine, None, lang, "html", report)
    typer.echo(f"{'全国报告' if lang == 'zh' else 'national report'}: {path}")
