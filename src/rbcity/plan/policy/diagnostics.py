"""Diagnostics in words: what a DID result was checked against and what it can support.

Each item is ``{"key", "verdict", "zh", "en"}``; ``verdict`` is ``ok`` | ``caution`` | ``fail`` |
``info``. Thresholds are in ``config/policy_did.yaml`` (``pretrend_alpha``,
``agreement_tolerance_se``). The readings are rules of thumb, stated as such; nothing here is
worded as a decision when the checks fail.
"""

from __future__ import annotations

import math

#: outcomes measured in current prices (no deflator in the indicator catalogue)
NOMINAL = {"gdp", "gdp_per_capita", "industrial_output", "retail_sales", "fdi", "fiscal_revenue"}


def _f(x: float) -> str:
    return f"{x:.3g}"


def diagnose(spec: dict, estimates, pretrend, sensitivity: dict | None, cfg: dict) -> list[dict]:
    """Sentences (Chinese and English) for the ``all`` group of a :class:`DidResult`."""
    out: list[dict] = []
    e = estimates[(estimates["group"] == "all") & (estimates["term"] == "ATT")].set_index("estimator")
    alpha = float(cfg["pretrend_alpha"]["value"])
    tol = float(cfg["agreement_tolerance_se"]["value"])

    n_tr, n_u = spec["n_treated_units"], spec["n_units"]
    dropped = spec.get("n_dropped_members", 0)
    cont = len(spec.get("contaminated_controls", []))
    kept = "kept" if not spec["drop_contaminated_controls"] else "dropped"
    out.append({"key": "sample", "verdict": "info",
                "zh": f"样本：{n_u} 个城市，其中处理组 {n_tr} 个；{dropped} 个县级成员未进入地级面板；"
                      f"{cont} 个含处理县的对照地级市{'已剔除' if kept == 'dropped' else '仍保留'}。",
                "en": f"Sample: {n_u} cities, {n_tr} treated; {dropped} county-level members are not in the "
                      f"prefecture panel; {cont} control prefectures holding a treated county were {kept}."})

    # pre-trends (CS first, then did2s)
    pt = pretrend[pretrend["group"] == "all"].set_index("estimator") if len(pretrend) else None
    pre_bad = None
    if pt is not None and len(pt):
        est = "cs_es" if "cs_es" in pt.index else pt.index[0]
        r = pt.loc[est]
        if r["q"] > 0 and math.isfinite(r["p"]):
            pre_bad = r["p"] < alpha
            others = [(k, float(pt.loc[k, "p"])) for k in pt.index if k != est and math.isfinite(pt.loc[k, "p"])]
            also = "; ".join(f"{k} p = {v:.3f}" for k, v in others)
            out.append({
                "key": "pretrend", "verdict": "fail" if pre_bad else "ok",
                "zh": f"平行趋势检验（{est}，{int(r['q'])} 个前期系数联合检验）：p = {r['p']:.4f}"
                      + (f"（{also}）" if also else "") + "，"
                      + (f"在 {alpha:g} 水平拒绝平行趋势，估计值不能解释为政策效应。" if pre_bad else
                         f"在 {alpha:g} 水平不拒绝；这不证明平行趋势成立（检验功效有限），见敏感性分析。"),
                "en": f"Pre-trend test ({est}, joint test of {int(r['q'])} leads): p = {r['p']:.4f}"
                      + (f" ({also})" if also else "") + "; "
                      + (f"parallel trends rejected at {alpha:g} — the estimate cannot be read as a policy effect."
                         if pre_bad else f"not rejected at {alpha:g}; this does not prove parallel trends "
                         "(the test has limited power), see the sensitivity bound."),
            })

    # agreement
    if "cs" in e.index and "twfe" in e.index:
        cs, tw = e.loc["cs"], e.loc["twfe"]
        diff = abs(tw["estimate"] - cs["estimate"])
        agree = diff <= tol * cs["se"]
        d2 = f"，did2s {_f(e.loc['did2s', 'estimate'])}" if "did2s" in e.index else ""
        d2e = f", did2s {_f(e.loc['did2s', 'estimate'])}" if "did2s" in e.index else ""
        if agree:
            zh = (f"估计量一致：CS {_f(cs['estimate'])}，TWFE {_f(tw['estimate'])}{d2}，差异在 {tol:g} 个 CS 标准误以内。")
            en = (f"Estimators agree: CS {_f(cs['estimate'])}, TWFE {_f(tw['estimate'])}{d2e}, within {tol:g} CS "
                  "standard errors.")
        else:
            zh = (f"估计量不一致：CS {_f(cs['estimate'])}，TWFE {_f(tw['estimate'])}{d2}。"
                  + ("处理时点交错且效应可能异质，TWFE 含“已处理作对照”的比较，应以 CS / did2s 为准。"
                     if spec["staggered"] else "单一处理时点下差异来自样本或加权，需核查。"))
            en = (f"Estimators disagree: CS {_f(cs['estimate'])}, TWFE {_f(tw['estimate'])}{d2e}. "
                  + ("Timing is staggered and effects may be heterogeneous: TWFE uses already-treated "
                     "units as controls, so believe CS / did2s, not TWFE."
                     if spec["staggered"] else "With one treatment date the gap comes from sample or "
                     "weighting differences; check them."))
        out.append({"key": "agreement", "verdict": "ok" if agree else "caution", "zh": zh, "en": en})

    # sensitivity
    if sensitivity:
        b = sensitivity["breakdown"]
        robust = b >= 1
        bs = "∞" if math.isinf(b) else f"{b:.2f}"
        head_zh = (f"敏感性（相对幅度界 M̄，{sensitivity['estimator']}）：平均事后效应 "
                   f"{_f(sensitivity['theta'])}，临界值 M̄* = {bs}。")
        head_en = (f"Sensitivity (relative magnitudes M̄, {sensitivity['estimator']}): average post effect "
                   f"{_f(sensitivity['theta'])}, breakdown M̄* = {bs}. ")
        if b == 0:
            zh = head_zh + "即使平行趋势完全成立（M̄ = 0），平均事后效应也不显著，无结论可供检验。"
            en = head_en + ("The average post effect is not significant even under exact parallel trends "
                            "(M̄ = 0): there is no conclusion to stress-test.")
        elif robust:
            zh = head_zh + "事后趋势偏离即使与事前最大波动一样大，结论仍成立。"
            en = head_en + ("The conclusion survives post-treatment trend breaks as large as the largest "
                            "pre-treatment one.")
        else:
            zh = head_zh + "事后趋势偏离小于事前最大波动时结论即可能不成立，结论脆弱。"
            en = head_en + ("A post-treatment trend break smaller than the largest pre-treatment move would "
                            "overturn it: the conclusion is fragile.")
        sm = sensitivity.get("smoothness")
        if sm is not None:
            r0 = sm["rows"].iloc[0]
            zh += (f"若事前最后一年的趋势（每年 {_f(sm['pre_slope'])}）线性延续，扣除后的平均效应为 "
                   f"{_f(sm['adjusted_m0'])}，95% 区间 [{_f(r0['ci_low'])}, {_f(r0['ci_high'])}]"
                   + ("，包含 0。" if r0["includes_zero"] else "，不含 0。"))
            en += (f" If the last pre-treatment slope ({_f(sm['pre_slope'])} a year) simply continued, the "
                   f"average effect net of it is {_f(sm['adjusted_m0'])}, 95% interval "
                   f"[{_f(r0['ci_low'])}, {_f(r0['ci_high'])}]"
                   + (", which includes 0." if r0["includes_zero"] else ", which excludes 0."))
        out.append({"key": "sensitivity", "verdict": "ok" if robust else "caution", "zh": zh, "en": en})

    # measurement
    o = spec["outcome"]
    if o in NOMINAL:
        out.append({"key": "deflation", "verdict": "caution",
                    "zh": f"{o} 为当年价格；指标目录中没有价格平减指数，未平减。年份固定效应吸收全国价格水平，但不吸收地区价格差异。",
                    "en": f"{o} is in current prices; the indicator catalogue has no price deflator, so it is "
                          "not deflated. Year effects absorb the national price level, not regional price differences."})
    else:
        out.append({"key": "deflation", "verdict": "info",
                    "zh": f"{o} 为比率或实物量，无需平减（指标目录中也没有平减指数）。",
                    "en": f"{o} is a ratio or physical quantity; no deflation needed (the catalogue has no deflator)."})
    if o.endswith("per_capita"):
        out.append({"key": "per_capita", "verdict": "info",
                    "zh": "人均值以年末户籍人口为分母；常住人口仅有普查年份（2000/2010/2020），年度面板无法按常住人口计算。",
                    "en": "Per-capita values use year-end hukou population; resident population exists only for "
                          "census years (2000/2010/2020), too few for an annual panel."})

    # what it can and cannot support
    head = "cs" if "cs" in e.index else spec["headline_estimator"]
    h = e.loc[head]
    sig = h["p"] < 0.05
    fragile = pre_bad or (sensitivity is not None and sensitivity["breakdown"] < 1)
    if pre_bad:
        zh = "结论：前期趋势已显著不同，本估计只能描述处理组与对照组的差异，不能支持“政策导致”的结论。"
        en = ("Conclusion: pre-treatment trends already differ, so the estimate describes a difference between "
              "treated and control cities; it cannot support a causal claim about the policy.")
    elif sig and not fragile:
        zh = (f"结论：在平行趋势假设下，{head.upper()} 估计支持处理使 {o} 变化 {_f(h['estimate'])}；"
              "它不能说明机制，也不能外推到未入选城市或样本期之后。")
        en = (f"Conclusion: under parallel trends the {head.upper()} estimate supports a change of "
              f"{_f(h['estimate'])} in {o}; it says nothing about mechanisms and does not extend to "
              "unlisted cities or beyond the sample years.")
    elif sig:
        zh = (f"结论：{head.upper()} 估计 {_f(h['estimate'])} 在 5% 水平显著，但对平行趋势的轻微偏离不稳健，"
              "只能作为提示性证据，不能作为政策效果的判断依据。")
        en = (f"Conclusion: the {head.upper()} estimate {_f(h['estimate'])} is significant at 5% but not robust to "
              "modest violations of parallel trends; it is suggestive evidence, not a finding on the policy's effect.")
    else:
        zh = (f"结论：{head.upper()} 估计 {_f(h['estimate'])} 在 5% 水平不显著；数据不能区分政策效应与零，"
              "这也不等于证明没有效应。")
        en = (f"Conclusion: the {head.upper()} estimate {_f(h['estimate'])} is not significant at 5%; the data cannot "
              "tell the effect from zero, which is not evidence of no effect.")
    out.append({"key": "conclusion", "verdict": "caution" if (fragile or not sig) else "ok", "zh": zh, "en": en})
    return out
