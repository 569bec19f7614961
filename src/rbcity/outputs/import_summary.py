"""What ``rbcity import`` prints besides the counts (issue 13): the column mapping (column →
indicator, unit, 口径, how matched; unmapped columns listed) and which engines the store can
now feed, for which years, and which indicators still block them."""

from __future__ import annotations

from rbcity.data.coverage import year_ranges

ENGINE_LABELS = {"identify": ("界定", "identify"), "classify": ("分类", "classify"),
                 "targets": ("规划目标", "targets"), "warning": ("预警", "warning"),
                 "coordination": ("协调评价", "coordination"),
                 "exhausted_assessment": ("枯竭城市考核", "exhausted assessment")}


def mapping_text(rep, lang: str = "zh") -> str:
    """The mapping table of one import (empty when the file had no wide value columns)."""
    maps = getattr(rep, "mapping", None) or []
    if not maps:
        return ""
    zh = lang == "zh"
    head = "列映射 column mapping" + (f" [{rep.kind}]" if getattr(rep, "kind", "") else "")
    lines = [f"  {head}:"]
    for m in maps:
        if not m["indicator"]:
            continue
        label = f" [{m['label']}]" if m["label"] and m["label"] != m["column"] else ""
        lines.append(f"   {m['column']}{label} → {m['indicator']}  单位 unit {m['unit'] or '—'}  "
                     f"口径 {m['scope'] or '—'}  ({m['matched_by']})")
    unmapped = [m for m in maps if not m["indicator"]]
    if unmapped:
        lines.append(f"  {'未映射的列' if zh else 'unmapped columns'} ({len(unmapped)}): "
                     + "; ".join(f"{m['column']}{' [' + m['label'] + ']' if m['label'] else ''}" for m in unmapped))
    for n in getattr(rep, "notes", None) or []:
        lines.append(f"  · {n}")
    return "\n".join(lines)


def readiness_text(engine, rep, lang: str = "zh") -> str:
    """Engines computable for the years this import touched, and what blocks the others."""
    from rbcity.plan.readiness import readiness

    acc = getattr(rep, "accepted", None)
    if acc is None or len(acc) == 0 or "year" not in acc:
        return ""
    years = sorted({int(y) for y in acc["year"]})
    i = 0 if lang == "zh" else 1
    lines = ["  可计算的引擎 engines computable for the imported years "
             "(每部分至少一个指标有登记城市数据 every part has ≥1 indicator with registry-city data):"]
    for r in readiness(engine, years):
        name = ENGINE_LABELS.get(r.engine, (r.engine, r.engine))[i]
        ok = year_ranges(r.computable_years) if r.computable_years else ("无" if i == 0 else "none")
        line = f"   {name} {r.engine}: {ok}"
        blocked = {tuple(v) for v in r.blocking.values() if v}
        if blocked:
            worst = sorted(blocked, key=len)[0]
            line += f"; 仍缺 still missing: {', '.join(worst[:8])}{' …' if len(worst) > 8 else ''}"
        lines.append(line)
    return "\n".join(lines)
