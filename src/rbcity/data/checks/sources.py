"""Two sources for one unit-year that should agree (e.g. yearbook 户籍 population and census
常住 population): a ratio beyond ``max_ratio`` flags the value named by ``flag``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.data.checks.frames import RuleResult, empty, findings_frame


def source_disagreement(obs: pd.DataFrame, p: dict) -> RuleResult:
    parts, n = [], 0
    for r in p.get("pairs") or []:
        a = obs[obs["indicator_id"] == r["a"]][["unit_id", "year", "value", "source"]]
        b = obs[obs["indicator_id"] == r["b"]][["unit_id", "year", "value", "source"]]
        m = a.merge(b, on=["unit_id", "year"], suffixes=("_a", "_b"))
        m = m[(m["value_a"] > 0) & (m["value_b"] > 0)]
        n += len(m)
        bad = m[np.log(m["value_a"] / m["value_b"]).abs() > np.log(r["max_ratio"])]
        if bad.empty:
            continue
        flag_a = r.get("flag", r["a"]) == r["a"]
        parts.append(bad.assign(indicator_id=r["flag"] if "flag" in r else r["a"],
                                value=bad["value_a"] if flag_a else bad["value_b"],
                                other=r["b"] if flag_a else r["a"],
                                other_value=bad["value_b"] if flag_a else bad["value_a"],
                                other_source=bad["source_b"] if flag_a else bad["source_a"]))
    if not parts:
        return RuleResult(empty(), n)
    rows = pd.concat(parts, ignore_index=True)
    return RuleResult(findings_frame(rows, {"other_indicator": "other", "other_value": "other_value",
                                            "other_source": "other_source"}), n)
