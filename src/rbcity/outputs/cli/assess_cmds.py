"""``rbcity assess --year Y``: run the plan's engines on the store, store the runs, print the
agreement figures, per-engine summaries and what could not be computed."""

from __future__ import annotations

from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Lang, check_lang, store


@app.command("assess")
def assess_cmd(
    year: Annotated[int | None, typer.Option("--year", "-y", help="year to assess (default: latest with data)")] = None,
    engine_name: Annotated[list[str] | None, typer.Option("--engine", "-e", help="identify | classify | targets | warning | coordination | exhausted_assessment (repeatable; default all)")] = None,
    spec: Annotated[list[str] | None, typer.Option("--spec", help="ENGINE=FILE: a YAML override of that engine's spec (repeatable)")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text (default) | json (runs, summaries, not computed)")] = "text",
    db: Db = None,
    lang: Lang = "zh",
) -> None:
    """规划评估 Run all engines (界定、分类、目标、预警、协调、考核) for one year and store the runs."""
    from rbcity.errors import UserError
    from rbcity.outputs.assess_text import render
    from rbcity.plan.assess import assess, latest_data_year

    check_lang(lang)
    engine = store(db)
    if year is None:
        year = latest_data_year(engine)
        if year is None:
            raise UserError("库中没有观测数据 the store holds no observations; run `rbcity run` "
                            "to load the bundled data")
    overrides = {}
    for item in spec or []:
        name, sep, path = item.partition("=")
        if not sep or not path:
            raise UserError(f"--spec 需要 ENGINE=FILE expects ENGINE=FILE, got {item!r}")
        overrides[name] = path
    if fmt not in ("text", "json"):
        raise UserError(f"无效的格式 invalid --format: {fmt!r}; allowed: text, json")
    result = assess(engine, year, engines=engine_name or None, overrides=overrides)
    if fmt == "json":
        import json

        from rbcity.plan.runs import jsonable

        typer.echo(json.dumps(jsonable({
            "year": result.year, "data_revision": result.data_revision, "runs": result.runs,
            "summaries": result.summaries,
            "not_computed": [{"engine": e, "unit_id": u, "reason": w}
                             for e, u, w in result.not_computed]}), ensure_ascii=False))
        return
    typer.echo(render(result, lang))
