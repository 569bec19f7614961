"""The registry at a glance (counts by level × type, verification grades, provinces) as text."""

from __future__ import annotations

import pandas as pd

from rbcity.registry.labels import LEVELS, TYPES, VERIFICATION, province_label


def registry_summary(df: pd.DataFrame, lang: str = "zh") -> str:
    """A plain-text summary of a registry frame: level × type table and grade counts."""
    i = 0 if lang == "zh" else 1
    tab = pd.crosstab(df["level"], df["type_2013"], margins=True, margins_name="合计" if i == 0 else "total")
    tab = tab.reindex(index=[*LEVELS, tab.index[-1]], columns=[*TYPES, tab.columns[-1]], fill_value=0)
    tab.index = [LEVELS[k][i] if k in LEVELS else k for k in tab.index]
    tab.columns = [TYPES[k][i] if k in TYPES else k for k in tab.columns]
    grades = df["verification"].value_counts().reindex(list(VERIFICATION), fill_value=0)
    exh = df["exhausted_batch"].value_counts().sort_index()
    prov = df["province"].value_counts()
    head = "资源型城市名单（2013）" if i == 0 else "Resource-based cities (2013 list)"
    lines = [head, tab.to_string(), ""]
    lines.append(("核实等级 " if i == 0 else "verification ") +
                 ", ".join(f"{VERIFICATION[g][i]}: {n}" for g, n in grades.items()))
    lines.append(("资源枯竭城市批次 " if i == 0 else "resource-exhausted batches ") +
                 ", ".join(f"{int(b)}: {n}" for b, n in exh.items()) + f" (={int(exh.sum())})")
    lines.append(("省份 " if i == 0 else "provinces ") +
                 " ".join(f"{province_label(p, lang)}{n}" for p, n in prov.items()))
    return "\n".join(lines)
