"""Build the shipped prefecture polygons from the census_leiii city file (run once, by hand).

    python scripts/build_map_data.py /work/shared/realdata/census_leiii/census_city_2010-2020_v1.csv

Reads the WKT ``coord`` column (2020 prefecture boundaries, MIT, Lei Dong et al.), simplifies
each ring with Douglas–Peucker (tolerance 0.02°, about 2 km: enough for a national map,
12× smaller than the source), rounds to 3 decimals and writes
``src/rbcity/outputs/static/geo/prefectures_2020.geojson`` with properties
``code`` (2020 adcode), ``name`` and ``province``. No shapely needed.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import numpy as np

TOL = 0.02
OUT = Path(__file__).resolve().parents[1] / "src/rbcity/outputs/static/geo/prefectures_2020.geojson"


def parse_wkt(wkt: str) -> list[list[list[tuple[float, float]]]]:
    """POLYGON/MULTIPOLYGON WKT → list of polygons, each a list of rings of (lon, lat)."""
    body = wkt.strip()
    if body.startswith("MULTIPOLYGON"):
        inner = body[len("MULTIPOLYGON"):].strip()[1:-1]
        polys = re.split(r"\)\)\s*,\s*\(\(", inner)
        polys = [p.strip().strip("()") for p in polys]
    else:
        polys = [body[len("POLYGON"):].strip()[1:-1].strip("()")]
    out = []
    for p in polys:
        rings = re.split(r"\)\s*,\s*\(", p)
        out.append([[tuple(map(float, pt.split())) for pt in r.strip("() ").split(",")] for r in rings])
    return out


def simplify(pts: np.ndarray, tol: float) -> np.ndarray:
    """Douglas–Peucker on one ring (keeps first and last point)."""
    keep = np.zeros(len(pts), bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        if b <= a + 1:
            continue
        seg = pts[b] - pts[a]
        rel = pts[a + 1:b] - pts[a]
        norm = np.hypot(*seg)
        d = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm if norm > 0 else np.hypot(rel[:, 0], rel[:, 1])
        i = int(np.argmax(d))
        if d[i] > tol:
            m = a + 1 + i
            keep[m] = True
            stack += [(a, m), (m, b)]
    return pts[keep]


def main(src: str) -> None:
    csv.field_size_limit(1 << 30)
    features = []
    with open(src, encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            polys = []
            for poly in parse_wkt(row["coord"]):
                rings = []
                for ring in poly:
                    r = simplify(np.asarray(ring), TOL)
                    if len(r) >= 4:
                        rings.append(np.round(r, 3).tolist())
                if rings:
                    polys.append(rings)
            if not polys:
                continue
            features.append({"type": "Feature",
                             "properties": {"code": row["city_code"], "name": row["city"],
                                            "province": row["province"]},
                             "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                              ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(features)} features → {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/realdata/census_leiii/census_city_2010-2020_v1.csv")
