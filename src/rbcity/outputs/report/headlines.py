"""The executive summary (page 1 of the national report): one headline per engine with its
numbers, the year of the run, and the engine's validity verdict.

Only counts and shares of what the engines stored are stated; a result whose card does not
allow decision wording is said to be indicative ("仅供参考"), never as a decision.
"""

from __future__ import annotations

from rbcity.outputs.terms import term


def _top(counts: dict, n: int = 1) -> list[tuple[str, int]]:
    return sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: -kv[1])[:n]


def _classify(d) -> str:
    c, t = d.classify, d.t
    if not c.get("computed"):
        return ""
    # neutral words whatever the verdict: "differs from 2013" is true of a model's output; a
    # re-classification (已调整) is said only in the section, under a valid card
    s = t(f"分类{c['n_typed']}个城市，其中{c['n_moved']}个与2013年类型不同",
          f"{c['n_typed']} cities classified; {c['n_moved']} differ from their 2013 type")
    if c["moved_groups"]:
        g = c["moved_groups"][0]
        s += t(f"（最多为{g['from']}→{g['to']} {g['n']}个）", f" (most: {g['from']} → {g['to']}, {g['n']})")
    if c.get("accuracy") is not None:
        s += t(f"；与2013年类型一致率{100 * c['accuracy']:.1f}%", f"; agreement with the 2013 types {100 * c['accuracy']:.1f}%")
        if c.get("majority_baseline") is not None:
            s += t(f"（基准{100 * c['majority_baseline']:.1f}%）", f" (baseline {100 * c['majority_baseline']:.1f}%)")
    return s + t("。", ".")


def _targets(d, status_label) -> str:
    tg, t = d.targets, d.t
    if not tg.get("computed"):
        return ""
    n = len(tg["national"])
    parts = [f"{status_label(k)} {v}" for k, v in sorted(tg["status_counts"].items(),
                                                         key=lambda kv: ["achieved", "on_track", "off_track", "incomplete", "no_data"].index(kv[0])
                                                         if kv[0] in ("achieved", "on_track", "off_track", "incomplete", "no_data") else 9)]
    return t(f"全国{n}项目标：", f"{n} national targets: ") + t("，", ", ").join(parts) + t("。", ".")


def _warning(d) -> str:
    w, t = d.warning, d.t
    if not (w.get("computed") and w["n"]):
        return ""
    heavy, severe = w["counts"].get(3, 0), w["counts"].get(4, 0)
    s = t(f"评估{w['n']}个城市，重警{heavy}个、巨警{severe}个",
          f"{w['n']} cities scored; {heavy} at serious and {severe} at severe level")
    provs: dict[str, int] = {}
    for r in w["serious"]:
        provs[r["province"]] = provs.get(r["province"], 0) + 1
    top = _top(provs)
    if top:
        s += t(f"（{top[0][0]}最多，{top[0][1]}个）", f" (most in {top[0][0]}: {top[0][1]})")
    return s + t("。", ".")


def _coordination(d) -> str:
    co, t = d.coordination, d.t
    if not (co.get("computed") and co["n"]):
        return ""
    ds = [r["D"] for r in co["rows"] if r["D"] is not None]
    top = _top(co["counts"])
    s = t(f"评价{co['n']}个城市", f"{co['n']} cities evaluated")
    if ds:
        s += t(f"，平均协调度D={sum(ds) / len(ds):.3f}", f", mean D = {sum(ds) / len(ds):.3f}")
    if top:
        s += t(f"；最多为{top[0][0]}（{top[0][1]}个）", f"; most common grade {term(top[0][0], 'en')} ({top[0][1]})")
    return s + t("。", ".")


def _exhausted(d, decision: bool) -> str:
    ex, t = d.exhausted, d.t
    if not (ex.get("computed") and ex["n"]):
        return ""
    total = d.glance["n_exhausted"]
    grades: dict[str, int] = {}
    acts: dict[str, int] = {}
    for r in ex["rows"]:
        grades[r["grade"]] = grades.get(r["grade"], 0) + 1
        acts[r["action"]] = acts.get(r["action"], 0) + 1
    g = t("，", ", ").join(f"{term(k, d.lang)} {v}" for k, v in grades.items() if k)
    s = t(f"考核{ex['n']}/{total}个资源枯竭城市：{g}", f"{ex['n']} of {total} resource-exhausted cities assessed: {g}")
    n_exit = acts.get("exit_watch", 0) + acts.get("exit", 0)
    if n_exit:
        s += (t(f"；退出预警或退出{n_exit}个", f"; {n_exit} to exit watch or exit") if decision else
              t(f"；按规格将有{n_exit}个列入退出预警或退出",
                f"; by the spec {n_exit} would go to exit watch or exit"))
    return s + t("。", ".")


def _identify(d) -> str:
    idf, t = d.identify, d.t
    if not idf.get("computed") or idf.get("f1") is None:
        return ""
    return t(f"界定规则与2013年名单比较：精确率{idf['precision']:.3f}、召回率{idf['recall']:.3f}、F1 {idf['f1']:.3f}。",
             f"identification rules against the 2013 list: precision {idf['precision']:.3f}, "
             f"recall {idf['recall']:.3f}, F1 {idf['f1']:.3f}.")


def headlines(d, status_label) -> list[dict]:
    """One row per engine: ``engine, title, year, text, card, not_scored`` (text '' → the row says
    what could not be computed)."""
    from rbcity.outputs.report.gaps import not_scored
    from rbcity.outputs.report.results import ENGINES

    order = ["classify", "warning", "coordination", "exhausted_assessment", "targets", "identify"]
    out = []
    for name in order:
        res = d.results[name]
        card = d.validity.get(name) or {}
        if name == "exhausted_assessment":
            text = _exhausted(d, bool(card.get("decision")))
        elif name == "targets":
            text = _targets(d, status_label)
        else:
            text = {"classify": _classify, "warning": _warning, "coordination": _coordination,
                    "identify": _identify}[name](d)
        if not text:
            text = d.t("未计算（原因见附录A）", "not computed (see Appendix A)")
        elif not card.get("decision"):
            text += d.t("（仅供参考）", " (indicative only)")
        out.append({"engine": name, "title": d.t(*ENGINES[name]), "year": res.year, "text": text,
                    "card": card, "not_scored": not_scored(d.gaps, name)})
    return out
