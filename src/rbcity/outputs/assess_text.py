"""Text rendering of an :class:`rbcity.plan.assess.AssessResult` for the terminal: the
agreement figures first (identification vs the 2013 list, classification vs the 2013 types),
then one block per engine, then what could not be computed and why.  Renders only — every
number comes from the engines' summaries."""

from __future__ import annotations

from collections import Counter

from rbcity.data.programmes import load_programmes
from rbcity.outputs.palette import TARGET_STATUS
from rbcity.plan.validity import card_of, decision_wording_allowed

TYPE_ZH = {"growth": "成长型", "mature": "成熟型", "declining": "衰退型", "regenerating": "再生型"}
NAMES = {"identify": ("界定", "identification"), "classify": ("综合分类/动态调整", "classification"),
         "targets": ("规划评估", "targets"), "warning": ("预警", "early warning"),
         "coordination": ("协调评价", "coordination"),
         "exhausted_assessment": ("资源枯竭城市年度考核", "exhausted-city assessment")}


def _pct(x) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.1f}%"


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


_STATUS_ZH = {key: zh for key, zh, _en, _c in TARGET_STATUS}


def _target_lines(head: str, s: dict, lang: str) -> list[str]:
    """One line per target: national status, value and share of the target, cities reporting;
    the plan's programme targets (config/programmes.yaml) under their programme heading."""
    progs = load_programmes()
    prog = dict(zip(progs["indicator_id"], progs["programme"], strict=True))
    lines = [head + f" {s['n_targets']} targets"]
    empty = []
    for t in s["targets"]:
        v = t.get("national_value")
        if t["national_status"] == "no_data" and (v is None or v != v) and not t.get("n_reporting"):
            empty.append(t["indicator_id"])  # findings first: the targets without data get one line
            continue
        val = f"{v:g} ({_pct(t.get('national_share'))})" if v is not None and v == v else _t(lang, "无数据", "no data")
        rep = f"{t['n_reporting']}/{t['n_units']}" if "n_reporting" in t else "n/a"
        tag = f" [{prog[t['indicator_id']]}]" if t["indicator_id"] in prog else ""
        st = t["national_status"]
        lines.append(f"  {t['indicator_id']}{tag} ({t['mode']} {t['comparator']} "
                     f"{t['target_value']:g} by {t['target_year']}): "
                     + _t(lang, f"全国 {_STATUS_ZH.get(st, st)}", f"national {st}") + ", "
                     + _t(lang, "全国值", "value") + f" {val}, "
                     + _t(lang, "填报城市", "cities reporting") + f" {rep}")
    if empty:
        lines.append("  " + _t(lang, f"无数据的目标 {len(empty)} 项", f"{len(empty)} targets without data")
                     + ": " + ", ".join(empty))
    return lines


def agreement_lines(summaries: dict, lang: str = "zh") -> list[str]:
    """The headline agreement figures of identify and classify."""
    out = []
    s = summaries.get("identify")
    if s:
        c = s["confusion"]
        out.append(_t(lang, "界定与2013年名单的一致性", "Identification vs the 2013 list")
                   + f" (rule {s['rule_set']}, data {s.get('data_years')}, n={s['n']}): "
                   f"TP {c['tp']} FP {c['fp']} FN {c['fn']} TN {c['tn']}; "
                   f"precision {_pct(s['precision'])}, recall {_pct(s['recall'])}, "
                   f"F1 {_pct(s['f1'])}")
        for lv, cc in (s.get("by_level") or {}).items():
            out.append(f"  {lv}: n={cc['n']} precision {_pct(cc['precision'])}, "
                       f"recall {_pct(cc['recall'])}, F1 {_pct(cc['f1'])}")
        b = s.get("best_sweep_threshold")
        if b:
            out.append("  " + _t(lang, "阈值扫描最佳", "best sweep threshold")
                       + f": {b['threshold']:g}% → precision {_pct(b['precision'])}, "
                       f"recall {_pct(b['recall'])}, F1 {_pct(b['f1'])}")
        for lv in ("prefecture", "county"):
            rows = [r for r in s.get("sweep") or [] if r.get(f"f1_{lv}") == r.get(f"f1_{lv}")]
            if rows:
                r = max(rows, key=lambda r, lv=lv: r[f"f1_{lv}"])
                out.append(f"  {lv}: " + _t(lang, "最佳阈值", "best threshold")
                           + f" {r['threshold']:g}% → F1 {_pct(r[f'f1_{lv}'])}")
    s = summaries.get("classify")
    if s:
        a = s.get("agreement_rules") or s["agreement"]
        cut = s["cutoffs"]
        out.append(_t(lang, "分类与2013年类型的一致性（规则模型，样本内）",
                      "Classification vs the 2013 types (rules model, in-sample)")
                   + f" (base year {s['base_year']}, n={a['n']}): accuracy {_pct(a['accuracy'])} "
                   f"(all-mature baseline {_pct(a.get('majority_baseline'))}), balanced "
                   f"{_pct(a['balanced_accuracy'])} (chance 25.0%); cut-offs R "
                   f"{cut['resource']:.3f}, S {cut['development']:.3f}")
        rec = ", ".join(f"{TYPE_ZH[k] if lang == 'zh' else k} {_pct(v)}"
                        for k, v in a["per_type_recall"].items())
        out.append("  " + _t(lang, "各类召回率", "recall by type") + f": {rec}")
        for m, cv in (s.get("cv") or {}).items():
            mark = " *" if m == s.get("model") else ""
            out.append("  " + _t(lang, "交叉验证", "cross-validated") + f" {m}{mark}: accuracy "
                       f"{_pct(cv['accuracy'])} (majority {_pct(cv['majority_baseline'])}), "
                       f"balanced {_pct(cv['balanced_accuracy'])} (chance {_pct(cv['chance'])})")
    return out


def engine_lines(name: str, s: dict, lang: str = "zh") -> list[str]:
    """One short block per engine."""
    zh, en = NAMES.get(name, (name, name))
    head = f"[{zh} {en}]"
    if name == "identify":
        return [head + f" units {s['units']}, unavailable tests: "
                + (", ".join(u["test"] for u in s["unavailable"]) or "none")]
    if name == "classify":
        cnt = ", ".join(f"{TYPE_ZH[k] if lang == 'zh' else k} {v}" for k, v in s["counts"].items())
        card = card_of(s)
        moved = _t(lang, "与2013年不同", "differ from 2013") if not decision_wording_allowed(card) \
            else _t(lang, "调整", "moved vs 2013")
        tag = "" if card is None else f" [{card.label(lang)}]"
        return [head + f" {s['year']} ({s.get('model', 'rules')}){tag}: classified "
                f"{s['classified']}, {moved} {s['moved']}, changed since {s['base_year']} "
                f"{s.get('changed_since_base', 0)}; {cnt}"]
    if name == "targets":
        return _target_lines(head, s, lang)
    if name == "warning":
        cnt = ", ".join(f"{k} {v}" for k, v in s["counts"].items())
        return [head + f" {s['year']}: {cnt}; no score {s['no_score']}; "
                f"raised by trend {s['trend_raised']}; data years {s['data_years']}"]
    if name == "coordination":
        g = ", ".join(f"{k} {v}" for k, v in s["grades"].items())
        md = s.get("mean_D")
        if md is None:
            return [head + f" {s['year']}: " + _t(lang, "无城市可评价", "no city evaluated")]
        return [head + f" {s['year']}: evaluated {s['evaluated']} (focus {s['focus_types']}), "
                f"mean D {md:.3f}", f"  {g}"]
    if name == "exhausted_assessment":
        g = ", ".join(f"{k} {v}" for k, v in s["grades"].items())
        a = ", ".join(f"{k} {v}" for k, v in s["actions"].items())
        notice = s.get("notice") or ["本工具默认方法，非官方考核方法",
                                     "the tool's default, not the official method"]
        return [head + f" {s['year']}: assessed {s['assessed']}/{s['cities']}"
                + (f"; {g}; {a} ({notice[0] if lang == 'zh' else notice[1]})" if g else ""),
                "  contents without data: " + (", ".join(s["contents_without_data"]) or "none")]
    return [head]


def card_lines(name: str, s: dict, lang: str = "zh") -> list[str]:
    """The engine's validity card (plan/validity.py), indented under its block."""
    card = card_of(s)
    if card is None:
        return ["  " + _t(lang, "有效性：无检验卡", "validity: no card")]
    return ["  " + x for x in card.lines(lang)]


def not_computed_lines(items, lang: str = "zh", examples: int = 3) -> list[str]:
    """Engine-wide reasons in full; per-unit reasons counted with a few examples."""
    out = [_t(lang, "未能计算的内容及原因", "Not computed, and why") + ":"]
    per_unit = Counter()
    shown: dict[str, list[str]] = {}
    for eng, unit, why in items:
        if unit == "*":
            out.append(f"  {eng}: {why}")
        else:
            # values the plausibility checks hold out are counted apart from missing data
            key = f"{eng} held out" if f"{eng}: held out:" in why else eng
            per_unit[key] += 1
            shown.setdefault(key, [])
            if len(shown[key]) < examples:
                shown[key].append(f"{unit} ({why})")
    for eng, n in per_unit.items():
        out.append(f"  {eng}: {n} " + _t(lang, "个单位", "units") + ", e.g. "
                   + "; ".join(shown[eng]))
    return out


def render(result, lang: str = "zh") -> str:
    """The whole report of one ``assess`` call."""
    lines = [f"rbcity assess --year {result.year}  (data revision {result.data_revision}; runs "
             + ", ".join(f"{k}#{v}" for k, v in result.runs.items()) + ")"]
    lines += agreement_lines(result.summaries, lang)
    for name, s in result.summaries.items():
        lines += engine_lines(name, s, lang)
        lines += card_lines(name, s, lang)
    lines += not_computed_lines(result.not_computed, lang)
    return "\n".join(lines)
