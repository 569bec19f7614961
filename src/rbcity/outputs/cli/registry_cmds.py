"""``rbcity cities`` and ``rbcity city``: the registry from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db, Fmt, Lang, Output, check_lang, store
from rbcity.outputs.frames import emit, write_frame

LIST_COLUMNS = ["unit_id", "name", "province", "level", "parent", "type_2013", "exhausted_batch",
                "names_now", "verification"]


def localise(df, lang: str):
    """Category codes → Chinese (default) or English labels, for display formats."""
    from rbcity.registry.labels import LEVELS, TYPES, province_label

    out = df.copy()
    i = 0 if lang == "zh" else 1
    if "level" in out:
        out["level"] = out["level"].map(lambda v: LEVELS.get(v, (v, v))[i])
    if "type_2013" in out:
        out["type_2013"] = out["type_2013"].map(lambda v: TYPES.get(v, (v, v))[i])
    if "province" in out:
        out["province"] = out["province"].map(lambda v: province_label(v, lang))
    return out


@app.command("cities")
def cities(
    province: Annotated[str | None, typer.Option(help="省份 province, e.g. 黑龙江 / Heilongjiang")] = None,
    level: Annotated[str | None, typer.Option(help="级别 level: 地级行政区|县级市|县|市辖区 or prefecture|county_city|county|district")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="类型 type: 成长型|成熟型|衰退型|再生型 or growth|mature|declining|regenerating")] = None,
    exhausted: Annotated[str | None, typer.Option(help="资源枯竭城市: yes|no|2008|2009|2011")] = None,
    resource: Annotated[str | None, typer.Option(help="资源类别 resource kind (text match; not yet recorded in the shipped registry)")] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="text in name, province, today's name or parent")] = None,
    fmt: Fmt = "table", output: Output = None, lang: Lang = "zh", db: Db = None,
) -> None:
    """列出资源型城市 List the 262 resource-based cities of 2013, filtered."""
    from rbcity.data.cities import cities_frame
    from rbcity.outputs.frames import FORMATS, FormatError
    from rbcity.registry.query import filter_cities

    check_lang(lang)
    if fmt not in FORMATS:
        raise FormatError(f"无效的格式 invalid format: {fmt!r}; allowed: {', '.join(FORMATS)}")
    df = filter_cities(cities_frame(store(db)), province=province, level=level, type_=type_,
                       exhausted=exhausted, resource=resource, search=search)
    if resource and df.empty:
        typer.echo("注意 note: 资源类别尚无可靠来源，名单中全部为空 / resource kind is blank for every "
                   "city in the shipped registry (no reliable source yet)", err=True)
    cols = LIST_COLUMNS + (["admin_code_2013", "admin_codes_now", "source", "note"] if fmt != "table" else [])
    shown = df[cols] if fmt == "json" else localise(df[cols], lang)
    title = f"资源型城市 {len(df)} 个" if lang == "zh" else f"{len(df)} resource-based cities"
    emit(write_frame(shown, fmt, output, lang, title=title))


@app.command("city")
def city(
    name_or_code: Annotated[str, typer.Argument(help="2013年名称、今名称、简称或任一年份代码 / any name or code")],
    fmt: Fmt = "table", lang: Lang = "zh", db: Db = None,
) -> None:
    """显示一个城市及其代码沿革 Show one city with its code history."""
    import json

    from rbcity.data.cities import cities_frame, code_history_frame
    from rbcity.registry.labels import VERIFICATION, label
    from rbcity.registry.resolve import resolve_city

    check_lang(lang)
    m = resolve_city(name_or_code)
    engine = store(db)
    row = cities_frame(engine).set_index("unit_id").loc[m.unit_id]
    hist = code_history_frame(engine, m.unit_id)
    if fmt == "json":
        rec = json.loads(row.to_json(force_ascii=False))
        rec["unit_id"] = m.unit_id
        rec["matched_by"] = m.matched_by
        rec["code_history"] = json.loads(hist.to_json(orient="records", force_ascii=False))
        emit(json.dumps(rec, ensure_ascii=False, indent=1))
        return
    one = localise(row.to_frame().T.assign(unit_id=m.unit_id), lang).iloc[0]
    zh = lang == "zh"
    lines = [
        f"{row['name']}（{one['province']}，{one['level']}）" if zh else f"{row['name']} ({one['province']}, {one['level']})",
        f"  {'匹配方式' if zh else 'matched by'}: {m.matched_by}",
        f"  {'类型(2013)' if zh else 'type (2013)'}: {one['type_2013']}",
        f"  {'上级' if zh else 'parent'}: {row['parent'] or '—'}",
        f"  {'资源枯竭城市批次' if zh else 'resource-exhausted batch'}: {row['exhausted_batch'] if str(row['exhausted_batch']) != '<NA>' else '—'}",
        f"  {'2013年代码' if zh else 'code 2013'}: {row['admin_code_2013'] or '—（无GB/T 2260代码 no code）'}",
        f"  {'今代码/今名称' if zh else 'code/name today'}: {row['admin_codes_now'] or '—'} {row['names_now'] or ''}",
        f"  {'核实等级' if zh else 'verification'}: {label(VERIFICATION, row['verification'], lang)}",
        f"  {'坐标' if zh else 'lon/lat'}: {row['lon']}, {row['lat']}",
        f"  {'来源' if zh else 'source'}: {row['source']}",
    ]
    if row["note"]:
        lines.append(f"  {'备注' if zh else 'note'}: {row['note']}")
    emit("\n".join(lines))
    emit(write_frame(hist, "table" if fmt == "table" else fmt, None, lang,
                     title="代码沿革" if zh else "code history"))
