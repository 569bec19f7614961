"""``rbcity report`` (national report or a city profile, HTML or PDF) and ``rbcity map``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Lang, Output, check_lang, store


@app.command("report")
def report(
    year: Annotated[int | None, typer.Option(help="数据年份 year (default: the latest year with results or data)")] = None,
    city: Annotated[str | None, typer.Option(help="城市概况 profile of one city (any name or code)")] = None,
    province: Annotated[str | None, typer.Option(help="省级报告 provincial report (山西, 山西省 or Shanxi)")] = None,
    lang: Lang = "zh",
    fmt: Annotated[str, typer.Option("--format", "-f", help="html (self-contained) | pdf (A4)")] = "html",
    output: Output = None, db: Db = None,
) -> None:
    """生成全国报告、省级报告或城市概况 Write the national report, a provincial report
    (--province) or a city profile (--city)."""
    from rbcity.outputs.report.national import write_national_report
    from rbcity.outputs.report.pdf import check_format
    from rbcity.outputs.report.profile import write_profile

    check_lang(lang)
    check_format(fmt)
    engine = store(db)
    if city and province:
        raise typer.BadParameter("--city 与 --province 只能选一个 use either --city or --province")
    if city:
        path = write_profile(engine, city, year, lang, fmt, output)
    elif province:
        from rbcity.outputs.report.province import write_province_report

        path = write_province_report(engine, province, year, lang, fmt, output)
    else:
        path = write_national_report(engine, year, lang, fmt, output)
    typer.echo(str(path))


@app.command("map")
def map_(
    by: Annotated[str, typer.Option("--by", help="type | classify | warning | grade | <indicator_id>")] = "type",
    year: Annotated[int | None, typer.Option(help="年份 year (engine results / observations)")] = None,
    lang: Lang = "zh", output: Output = None, db: Db = None,
) -> None:
    """绘制262个资源型城市地图 Map the 262 cities (.svg, .png or interactive .html by --output suffix)."""
    from rbcity.outputs.map_layers import map_layer
    from rbcity.outputs.maps import MapError, echarts_map_html, static_map_svg

    check_lang(lang)
    path = Path(output or f"rbcity-map-{by}.svg")
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("svg", "png", "html"):
        raise MapError(f"无效的地图文件类型 unsupported map file {path.name!r}; use .svg, .png or .html")
    layer = map_layer(store(db), by, year, lang)
    if layer.note:
        typer.echo(layer.note, err=True)
    if suffix == "html":
        path.write_text(echarts_map_html(layer.frame, layer.column, lang, layer.title(lang), scheme=layer.scheme),
                        encoding="utf-8")
    elif suffix == "svg":
        path.write_text(static_map_svg(layer.frame, layer.column, lang, layer.title(lang), scheme=layer.scheme),
                        encoding="utf-8")
    else:
        path.write_bytes(static_map_svg(layer.frame, layer.column, lang, layer.title(lang), fmt="png",
                                        scheme=layer.scheme))
    typer.echo(str(path))
