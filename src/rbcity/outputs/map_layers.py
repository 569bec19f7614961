"""What a map can be coloured by, read from the store: the 2013 type (registry), the
reclassified type, warning level and coordination grade (engine results through the results
contract), or any indicator's stored observations for a year. The CLI, the report and the
web call :func:`map_layer` and hand its frame to :mod:`rbcity.outputs.maps`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.outputs.maps import MapError
from rbcity.outputs.palette import Scheme, scheme_for

#: ``--by`` values other than an indicator id: by → (frame column, scheme key, engine or None).
NAMED_LAYERS: dict[str, tuple[str, str, str | None]] = {
    "type": ("type_2013", "type", None),
    "classify": ("classify_type", "classify_type", "classify"),
    "warning": ("warning", "warning", "warning"),
    "grade": ("grade", "grade", "coordination"),
}


@dataclass
class MapLayer:
    frame: pd.DataFrame
    column: str
    scheme: Scheme
    year: int | None
    note: str = ""
    #: the year of the data shown (an engine whose data end earlier shows its last year)
    shown_year: int | None = None

    def title(self, lang: str) -> str:
        """The scheme's title with the year shown (the 2013 type carries its year already)."""
        base = self.scheme.title(lang)
        y = self.shown_year
        if y is None or str(y) in base:
            return base
        return f"{base}（{y}年）" if lang == "zh" else f"{base} ({y})"


def map_layer(engine: Engine, by: str, year: int | None = None, lang: str = "zh") -> MapLayer:
    """The frame and scheme to draw the 262 cities coloured by ``by`` for ``year``."""
    from rbcity.outputs.geo import map_frame
    from rbcity.outputs.report.context import _map_frame, latest_data_year
    from rbcity.outputs.report.results import engine_result

    if by in NAMED_LAYERS:
        col, key, eng = NAMED_LAYERS[by]
        if eng is None:
            return MapLayer(map_frame(engine), col, scheme_for(key), year)
        if year is None:
            year = latest_data_year(engine)
        res = {k: engine_result(engine, k, year) for k in ("classify", "warning", "coordination")}
        r = res[eng]
        r.asked_year = year
        if not r.computed:
            note = (f"未计算：没有 {eng} 引擎 {year or ''} 年的运行记录，全部显示为无数据" if lang == "zh"
                    else f"not computed: no {year or ''} run of engine {eng}; every city shown as no data")
        elif r.earlier:
            note = (f"注：{eng} 引擎没有{year}年的运行，地图显示{r.year}年的结果" if lang == "zh"
                    else f"note: no {year} run of engine {eng}; the map shows {r.year}")
        else:
            note = ""
        return MapLayer(_map_frame(engine, res), col, scheme_for(key), year, note,
                        r.year if r.computed else year)
    with engine.connect() as conn:
        ind = conn.execute(select(s.indicator).where(s.indicator.c.indicator_id == by)).mappings().first()
        if ind is None:
            known = [r[0] for r in conn.execute(select(s.indicator.c.indicator_id)).all()]
            raise MapError(f"未知的着色依据 unknown --by {by!r}; allowed: type, classify, warning, grade"
                           + (f" or an indicator id ({', '.join(known[:20])})" if known else
                              " (no indicators are in the store yet)"))
        if year is None:
            year = conn.execute(select(s.observation.c.year).where(s.observation.c.indicator_id == by)
                                .order_by(s.observation.c.year.desc()).limit(1)).scalar()
        obs = pd.read_sql(select(s.observation.c.unit_id, s.observation.c.value)
                          .where(s.observation.c.indicator_id == by, s.observation.c.year == year), conn)
    mf = map_frame(engine)
    mf[by] = mf["unit_id"].map(dict(zip(obs["unit_id"], obs["value"], strict=True)))
    title = (f"{ind['name_zh']}（{ind['unit']}，{year}年）", f"{ind['name_en']} ({ind['unit']}, {year})")
    return MapLayer(mf, by, scheme_for(by, title), year, shown_year=year)
