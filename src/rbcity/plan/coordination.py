"""协调评价 Coordination evaluation of resource development vs urban sustainable development
(optionally a third, environment subsystem) per city for a year: subsystem scores U, coupling
C, comprehensive index T, coupling coordination D, its 10-class grade, the C stage and the
lagging subsystem — by default for the plan's focus, growth and mature cities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.methods.coupling import c_stage, coupling_coordination, d_grade, lagging
from rbcity.methods.spec import IndexSpec, composite_index
from rbcity.plan.frames import EngineOutput, as_of, long_results, to_registry_ids
from rbcity.plan.validity import ValidityCard


def _ispec(block: dict) -> IndexSpec:
    keys = ("normalisation", "weighting", "min_availability", "pooled", "aggregation")
    return IndexSpec.from_dict({**{k: block[k] for k in keys if k in block}, "indicators": [
        {"name": i["name"], "direction": int(i.get("direction", 1))}
        for i in block["indicators"]]})


def coordination_card(C, D, T, spec: dict, model: str) -> ValidityCard:
    """Card: is C informative (spread across cities ≥ ``validity.min_sd_c``)?  Nothing
    official to check against, so at best indicative."""
    v = spec.get("validity") or {}
    thr = float(v.get("min_sd_c", 0.05))
    n = int(len(C))
    sd = float(np.std(C)) if n > 1 else None
    rho = float(np.corrcoef(D, T)[0, 1]) if n > 2 and np.std(T) > 0 and np.std(D) > 0 else None
    verdict = "indicative" if sd is not None and sd >= thr else "not_valid"
    m_zh = "修正" if model == "adjusted" else "传统"
    rho_txt = "n/a" if rho is None else f"{rho:.2f}"
    sd_txt = "n/a" if sd is None else f"{sd:.3f}"
    if not n:
        zh, en = ("本年无城市可评价：无协调结论。", "No city could be evaluated this year: no "
                  "coordination result.")
    elif verdict == "indicative":
        zh = (f"{m_zh}耦合模型：C 的城市间标准差 {sd_txt}（下限 {thr}），D 与综合指数 T 的相关 "
              f"{rho_txt}。无官方协调评价可供核对：仅供参考，可用于比较资源开发与城市发展是否同步，"
              "不作为对城市的结论。")
        en = (f"{model} coupling model: SD of C across cities {sd_txt} (minimum {thr}), "
              f"correlation of D with the level index T {rho_txt}. Nothing official to check "
              "against: indicative, for comparing whether resource development and urban "
              "development move together; not a verdict on a city.")
    else:
        zh = (f"{m_zh}耦合模型：C 几乎无差异（标准差 {sd_txt} < {thr}），D 只是发展水平指数，"
              "不适用于判断协调程度。")
        en = (f"{model} coupling model: C barely varies (SD {sd_txt} < {thr}), so D is only a "
              "level index: not valid for judging coordination.")
    return ValidityCard(
        engine="coordination", verdict=verdict,
        checked_against=("C 的城市间离散度（无官方结果可核对）",
                         "spread of C across cities (nothing official to check against)"),
        metric=("C 的标准差", "SD of C"), figure=sd, baseline=thr,
        baseline_name=("最小离散度", "minimum spread"), n=n, text=(zh, en),
        details={"model": model, "corr_D_T": rho, "mean_C": float(np.mean(C)) if n else None,
                 "source": v.get("source")})


def run_coordination(panel: pd.DataFrame, registry: pd.DataFrame, spec: dict,
                     year: int) -> EngineOutput:
    """Coupling coordination of the spec's subsystems for the focus cities in ``year``."""
    panel = to_registry_ids(panel, registry)
    focus = spec.get("focus_types") or "all"
    reg = registry
    not_computed = []
    if focus != "all":
        reg = registry[registry["type_2013"].isin(list(focus))]
        not_computed.append(("*", f"only 2013 types {', '.join(focus)} evaluated "
                                  f"(the plan's focus; set focus_types: all for every city)"))
    units = list(reg["unit_id"])
    age = int(spec.get("max_age_years", 3))
    names = list(spec["subsystems"])
    U, lack = [], {}
    for name in names:
        isp = _ispec(spec["subsystems"][name])
        v, _ = as_of(panel, isp.names, year, age, units=units)
        s = composite_index(v.to_numpy(float), isp)
        U.append(s)
        for u, row in zip(units, v.to_numpy(float), strict=True):
            miss = [n for n, x in zip(isp.names, row, strict=True) if np.isnan(x)]
            if miss:
                lack.setdefault(u, []).extend(miss)
    U = np.column_stack(U) if units else np.empty((0, len(names)))
    cc = coupling_coordination(np.clip(U, 0, 1), spec.get("alpha"),
                               adjusted=bool(spec.get("adjusted_c", False)))
    code, _ = lagging(U, tol=float(spec.get("lagging_tolerance", 0.1)), names=names)
    lab = [spec["subsystems"][n].get("label", [n, n]) for n in names]
    text = {**{k: f"{zh}滞后 / {en} lagging" for k, (zh, en) in enumerate(lab)},
            -1: "同步 / synchronous", -2: None}
    lag = np.array([text[int(c)] for c in code], dtype=object)
    frame = pd.DataFrame({"unit_id": units})
    for k, n in enumerate(names):
        frame[f"U_{n}"] = U[:, k]
    frame["C"], frame["T"], frame["D"] = cc.C, cc.T, cc.D
    frame["grade"] = d_grade(cc.D, lang="zh")
    frame["stage"] = c_stage(cc.C, lang="zh")
    frame["lagging"] = lag
    bad = np.isnan(cc.D)
    for col in ("grade", "stage", "lagging"):
        frame[col] = frame[col].where(~bad, None)
    for u in frame["unit_id"][bad]:
        not_computed.append((u, f"coordination: too few indicators at or before {year} "
                                f"(≤ {age} years old); missing: {', '.join(lack.get(u, []))}"))
    ok = ~bad
    summary = {
        "year": year, "focus_types": focus, "subsystems": names, "evaluated": int(ok.sum()),
        "no_score": int(bad.sum()),
        "grades": frame.loc[ok, "grade"].value_counts().to_dict(),
        "lagging": frame.loc[ok, "lagging"].value_counts().to_dict(),
        "mean_D": float(np.nanmean(cc.D)) if ok.any() else None,
        "model": "adjusted" if spec.get("adjusted_c") else "standard",
    }
    summary["validity"] = coordination_card(cc.C[ok], cc.D[ok], cc.T[ok], spec,
                                            summary["model"]).to_dict()
    results = long_results(frame, year, values=[f"U_{n}" for n in names] + ["C", "T", "D"],
                           texts=["grade", "stage", "lagging"])
    return EngineOutput("coordination", year, results, summary, not_computed)
