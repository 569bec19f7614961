"""Map data: where the 262 cities are (points) and which prefecture polygon each one fills.

Points come from the store's ``unit`` table (lon/lat from cpca, see the registry's SOURCE
files). Polygons are the 2020 prefecture boundaries of the census_leiii data set (MIT, Lei
Dong et al.), simplified and shipped in ``outputs/static/geo`` (see its SOURCE.md). A registry
city gets a polygon only when it is a prefecture-level unit whose 2013 code is still a 2020
prefecture code (125 of 126; 莱芜市 merged into 济南市 in 2019 and is shown as a point), so a
county-level city never colours its whole prefecture. Every map drawn from these boundaries
carries the caption :data:`CAPTION`: they are illustrative, not a reviewed standard map.
Taiwan (台湾省, code 710000) and the South China Sea Islands inset (南海诸岛, code ``nanhai``) come
from Apache ECharts 4.9.0 (Apache-2.0) and are part of every map (scripts/build_china_extras.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import pandas as pd
from sqlalchemy.engine import Engine

#: Caption required on every map (no 审图号: not a standard map).
CAPTION: dict[str, str] = {
    "zh": "示意图，非标准地图。边界：census_leiii 2020年地级行政区（MIT，Lei Dong 等），经简化；"
          "台湾省与南海诸岛附图：Apache ECharts 4.9.0（Apache-2.0）；点位：cpca。",
    "en": "Illustrative sketch, not a standard map (示意图，非标准地图). Boundaries: census_leiii 2020 "
          "prefectures (MIT, Lei Dong et al.), simplified; Taiwan and the South China Sea Islands inset: "
          "Apache ECharts 4.9.0 (Apache-2.0); points: cpca.",
}

#: The name the interactive map registers the polygons under (``echarts.registerMap``).
GEO_MAP_NAME = "rbcity-prefectures"

#: Path of the GeoJSON inside the package, relative to ``outputs/static`` (the web serves it).
GEOJSON_STATIC_PATH = "geo/prefectures_2020.geojson"

ATTRIBUTION: dict[str, str] = {
    "zh": "地级行政区边界（2020）：leiii/census（Lei Dong 等，MIT 许可），经简化，仅为示意。",
    "en": "Prefecture boundaries (2020): leiii/census (Lei Dong et al., MIT licence), simplified, illustrative only.",
}


def static_file(rel: str):
    """A file shipped in ``rbcity/outputs/static`` (Traversable)."""
    return resources.files("rbcity.outputs").joinpath("static", *rel.split("/"))


@lru_cache(maxsize=1)
def prefecture_geojson_text() -> str:
    """The shipped prefecture GeoJSON as text (369 features; properties code, name, province)."""
    return static_file(GEOJSON_STATIC_PATH).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def prefecture_geojson() -> dict:
    """The shipped prefecture GeoJSON (FeatureCollection of MultiPolygons, lon/lat)."""
    return json.loads(prefecture_geojson_text())


@lru_cache(maxsize=1)
def polygon_codes() -> frozenset[str]:
    """The 2020 adcodes that have a polygon."""
    return frozenset(f["properties"]["code"] for f in prefecture_geojson()["features"])


def polygon_code(level: str, admin_code_2013: str) -> str:
    """The polygon a registry city fills: its own 2013 code if it is a prefecture-level unit
    whose code still has a 2020 polygon, else '' (drawn as a point only)."""
    if level == "prefecture" and admin_code_2013 in polygon_codes():
        return admin_code_2013
    return ""


def map_frame(engine: Engine) -> pd.DataFrame:
    """The 262 cities with what a map needs: ``unit_id, name, province, level, type_2013,
    exhausted_batch, lon, lat, poly_code`` (``poly_code`` '' when shown as a point only)."""
    from rbcity.data.cities import cities_frame

    df = cities_frame(engine)
    out = df[["unit_id", "name", "province", "level", "type_2013", "exhausted_batch", "lon", "lat"]].copy()
    out["poly_code"] = [polygon_code(lv, c) for lv, c in zip(df["level"], df["admin_code_2013"], strict=True)]
    return out.reset_index(drop=True)
