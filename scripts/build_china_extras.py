"""Add Taiwan and the South China Sea islands inset (南海诸岛) to the shipped map polygons
(run once, by hand, after ``build_map_data.py``).

    npm pack echarts@4.9.0 && tar xzf echarts-4.9.0.tgz
    python scripts/build_china_extras.py package/

Sources, both from the npm package ``echarts`` 4.9.0 (Apache-2.0, © The Apache Software
Foundation; its LICENSE is kept as ``static/geo/LICENSE-echarts``):

* 台湾省: the ``台湾`` feature of ``map/json/china.json`` (province outline), decoded from
  ECharts' compressed "UTF8Encoding" format (zig-zag delta, scale 1024) as in
  ``src/coord/geo/parseGeoJson.js``, then simplified like the prefectures (0.02°, 3 decimals).
* 南海诸岛: the inset ECharts draws for its China map (``src/coord/geo/fix/nanhai.js``): the
  islands and the boundary line within a frame, placed east of Taiwan (lon ≈126–132°E,
  lat ≈18–25°N) — the inset of a national map, not the islands' real position.

The features carry ``source: echarts-4.9.0`` and are replaced on every run (idempotent).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_map_data import OUT, TOL, simplify  # noqa: E402

SOURCE = "echarts-4.9.0"
NANHAI_ORIGIN = (126, 25)
#: nanhai.js ``points`` (inset units; x /10.5, y / -(10.5/0.75), then + origin)
NANHAI_POINTS = [
    [[0, 3.5], [7, 11.2], [15, 11.9], [30, 7], [42, 0.7], [52, 0.7],
     [56, 7.7], [59, 0.7], [64, 0.7], [64, 0], [5, 0], [0, 3.5]],
    [[13, 16.1], [19, 14.7], [16, 21.7], [11, 23.1], [13, 16.1]],
    [[12, 32.2], [14, 38.5], [15, 38.5], [13, 32.2], [12, 32.2]],
    [[16, 47.6], [12, 53.2], [13, 53.2], [18, 47.6], [16, 47.6]],
    [[6, 64.4], [8, 70], [9, 70], [8, 64.4], [6, 64.4]],
    [[23, 82.6], [29, 79.8], [30, 79.8], [25, 82.6], [23, 82.6]],
    [[37, 70.7], [43, 62.3], [44, 62.3], [39, 70.7], [37, 70.7]],
    [[48, 51.1], [51, 45.5], [53, 45.5], [50, 51.1], [48, 51.1]],
    [[51, 35], [51, 28.7], [53, 28.7], [53, 35], [51, 35]],
    [[52, 22.4], [55, 17.5], [56, 17.5], [53, 22.4], [52, 22.4]],
    [[58, 12.6], [62, 7], [63, 7], [60, 12.6], [58, 12.6]],
    [[0, 3.5], [0, 93.1], [64, 93.1], [64, 0], [63, 0], [63, 92.4],
     [1, 92.4], [1, 3.5], [0, 3.5]],
]


def decode_ring(text: str, offset: list[int], scale: float = 1024) -> list[list[float]]:
    """ECharts 4 ``decodePolygon``: pairs of chars → zig-zag deltas → lon/lat."""
    out, px, py = [], offset[0], offset[1]
    for i in range(0, len(text), 2):
        x, y = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x, y = (x >> 1) ^ (-(x & 1)), (y >> 1) ^ (-(y & 1))
        px, py = px + x, py + y
        out.append([px / scale, py / scale])
    return out


def taiwan(china_json: dict) -> dict:
    scale = china_json.get("UTF8Scale") or 1024
    f = next(x for x in china_json["features"] if x["properties"]["name"] == "台湾")
    g = f["geometry"]
    polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
    offs = g["encodeOffsets"] if g["type"] == "MultiPolygon" else [g["encodeOffsets"]]
    out = []
    for poly, off in zip(polys, offs, strict=True):
        rings = [decode_ring(r, o, scale) for r, o in zip(poly, off, strict=True)]
        rings = [[[round(float(x), 3), round(float(y), 3)] for x, y in simplify(np.asarray(r), TOL)] for r in rings]
        if len(rings[0]) >= 4:
            out.append(rings)
    return {"type": "Feature", "properties": {"code": "710000", "name": "台湾省", "province": "台湾省",
                                              "source": SOURCE},
            "geometry": {"type": "MultiPolygon", "coordinates": out}}


def nanhai() -> dict:
    x0, y0 = NANHAI_ORIGIN
    polys = [[[[round(x / 10.5 + x0, 4), round(y / (-10.5 / 0.75) + y0, 4)] for x, y in ring]]
             for ring in NANHAI_POINTS]
    return {"type": "Feature", "properties": {"code": "nanhai", "name": "南海诸岛", "province": "",
                                              "source": SOURCE, "inset": True},
            "geometry": {"type": "MultiPolygon", "coordinates": polys}}


def main(pkg: str) -> None:
    pkg_dir = Path(pkg)
    china = json.loads((pkg_dir / "map/json/china.json").read_text(encoding="utf-8"))
    geo = json.loads(OUT.read_text(encoding="utf-8"))
    geo["features"] = [f for f in geo["features"] if f["properties"].get("source") != SOURCE]
    geo["features"] += [taiwan(china), nanhai()]
    OUT.write_text(json.dumps(geo, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    lic = OUT.parent / "LICENSE-echarts"
    lic.write_text((pkg_dir / "LICENSE").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{OUT}: {len(geo['features'])} features (+ 台湾省, 南海诸岛); {lic}")


if __name__ == "__main__":
    main(sys.argv[1])
