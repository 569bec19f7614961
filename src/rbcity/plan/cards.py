"""Validity cards of the identification and the targets engines (the other engines build
theirs next to their own checks: classify_models, warning_reference, coordination,
assessment).  Verdict rules come from each spec's ``validity`` block."""

from __future__ import annotations

from rbcity.plan.validity import ValidityCard, verdict_by_rules


def identify_card(summary: dict, spec: dict) -> ValidityCard:
    """F1 against the 2013 list vs the F1 of calling every unit resource-based
    (precision = the share on the list, recall 1: F1 = 2p / (1 + p))."""
    v = spec.get("validity") or {}
    c = summary["confusion"]
    n = int(summary.get("n") or 0)
    p = (c["tp"] + c["fn"]) / n if n else None
    base = 2 * p / (1 + p) if p else None
    f1 = summary.get("f1")
    verdict = verdict_by_rules(f1, base, {"valid_margin": float(v.get("valid_margin", 0.1)),
                                          "valid_min": float(v.get("valid_min", 0.5))})
    pct = lambda x: "n/a" if x is None or x != x else f"{100 * x:.1f}%"  # noqa: E731
    use = {"valid": ("可用于筛选候选资源型城市（名单调整仍需人工核定）。",
                     "may be used to screen candidate resource-based cities (list changes still "
                     "need a decision by hand)."),
           "indicative": ("仅略优于基准：结果仅供参考，不作名单调整依据。",
                          "barely better than the baseline: indicative only, not a basis for "
                          "changing the list."),
           "not_valid": ("不如把所有单位都判为资源型：不适用于界定。",
                         "worse than calling every unit resource-based: not valid for "
                         "identification.")}[verdict]
    return ValidityCard(
        engine="identify", verdict=verdict,
        checked_against=("2013年262个资源型城市名单", "the 2013 list of 262 resource-based cities"),
        metric=("F1", "F1"), figure=f1, baseline=base,
        baseline_name=("全部判为资源型", "every unit resource-based"), n=n,
        text=(f"界定规则与2013年名单比较：F1 {pct(f1)}（基准 {pct(base)}）；{use[0]}",
              f"Identification rule vs the 2013 list: F1 {pct(f1)} (baseline {pct(base)}); "
              f"{use[1]}"),
        details={"unit": "share", "precision": summary.get("precision"),
                 "recall": summary.get("recall"), "source": v.get("source")})


def targets_card(summary: dict, spec: dict) -> ValidityCard:
    """Share of the plan's targets with a national value in the store vs ``min_share``."""
    v = spec.get("validity") or {}
    rows = summary.get("targets") or []
    n = len(rows)
    done = sum(1 for r in rows if r.get("national_status") not in (None, "no_data", "incomplete"))
    share = done / n if n else None
    thr = float(v.get("min_share", 0.5))
    if not n or not done:
        verdict = "not_valid"
    else:
        verdict = "valid" if share >= thr else "indicative"
    pct = lambda x: "n/a" if x is None else f"{100 * x:.0f}%"  # noqa: E731
    return ValidityCard(
        engine="targets", verdict=verdict,
        checked_against=("规划专栏1的目标值与基期值（同一口径的指标）",
                         "the plan's published targets and baselines (专栏1), same indicator "
                         "definitions"),
        metric=("有全国数据的目标比例", "share of targets with a national value"),
        figure=share, baseline=thr, baseline_name=("最低比例", "minimum share"), n=n,
        text=(f"{done}/{n} 个目标有全国数据（{pct(share)}）。目标进度只对有数据的目标成立；"
              "城市与全国目标的比较仅供参考（规划未给城市分解目标）。",
              f"{done} of {n} targets have a national value ({pct(share)}). Progress holds only "
              "for targets with data; a city compared with a national target is indicative "
              "(the plan sets no city targets)."),
        details={"unit": "share", "evaluated": done, "source": v.get("source")})
