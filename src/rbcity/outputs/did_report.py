"""Rendering of a :class:`rbcity.plan.policy.DidResult`: Markdown and LaTeX tables, the sample
summary, and the event-study plot with confidence bands. Computes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

LABELS = {
    "twfe": "TWFE",
    "did2s": "did2s (Gardner)",
    "twfe_es": "TWFE event study",
    "did2s_es": "did2s event study",
    "cs": "Callaway–Sant'Anna",
    "cs_es": "CS event study",
}


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def static_table(result) -> pd.DataFrame:
    """Static ATT rows (one per group × estimator) with formatted cells."""
    e = result.estimates
    s = e[e["term"] == "ATT"].copy()
    s["estimator"] = s["estimator"].map(LABELS).fillna(s["estimator"])
    s["cell"] = [f"{v:.4g}{_stars(p)}" for v, p in zip(s["estimate"], s["p"], strict=True)]
    s["se_cell"] = [f"({v:.4g})" for v in s["se"]]
    s["ci"] = [f"[{a:.4g}, {b:.4g}]" for a, b in zip(s["ci_low"], s["ci_high"], strict=True)]
    return s


def markdown_table(result, digits: int = 4) -> str:
    """Markdown table of the static estimates, then the event-study coefficients (if any)."""
    spec = result.spec
    s = static_table(result)
    lines = [
        f"**{spec['outcome']}** — treatment `{spec['treatment']}`, cohorts {spec['cohorts']}, "
        f"county choice `{spec['county_choice']}`, SE clustered by city",
        "",
        "| group | estimator | estimate | s.e. | 95% CI | p | N obs | units | treated |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in s.itertuples():
        lines.append(
            f"| {r.group} | {r.estimator} | {r.cell} | {r.se_cell} | {r.ci} | {r.p:.3f} | "
            f"{r.n_obs} | {r.n_units} | {r.n_treated_units} |"
        )
    es = result.estimates[result.estimates["rel_time"].notna()]
    if len(es):
        lines += ["", "| group | estimator | k | estimate | s.e. | 95% CI |", "|---|---|---:|---:|---:|---|"]
        for r in es.itertuples():
            lines.append(
                f"| {r.group} | {LABELS.get(r.estimator, r.estimator)} | {r.rel_time} | "
                f"{r.estimate:.{digits}g} | {r.se:.{digits}g} | [{r.ci_low:.{digits}g}, {r.ci_high:.{digits}g}] |"
            )
    if len(result.pretrend):
        lines += ["", "Pre-trend test (joint Wald, leads k ≤ -2):", ""]
        for r in result.pretrend.itertuples():
            lab = LABELS.get(r.estimator, r.estimator)
            if r.estimator == "cs_es":
                lines.append(f"- {r.group} / {lab}: chi2({r.q}) = {r.chi2:.3f}, p = {r.p:.3f}")
            else:
                lines.append(f"- {r.group} / {lab}: F({r.q}, {r.df2:.0f}) = {r.F:.3f}, p = {r.p:.3f}")
    if getattr(result, "sensitivity", None):
        lines += ["", sensitivity_text(result)]
    if getattr(result, "diagnostics", None):
        lines += ["", diagnostics_text(result, lang="zh"), "", diagnostics_text(result, lang="en")]
    if result.placebo:
        p = result.placebo
        lines += ["", f"Placebo ({p['mode']}, {p['n']} draws, {p['estimator']}): mean {p['mean']:.4g}, "
                  f"sd {p['sd']:.4g}, p = {p['p_value']:.3f}"]
    lines += ["", "\\* p<0.1, \\*\\* p<0.05, \\*\\*\\* p<0.01"]
    return "\n".join(lines)


def _tex(s: str) -> str:
    return s.replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")


def latex_table(result, caption: str | None = None, label: str = "tab:did") -> str:
    """LaTeX (booktabs) table: one column per estimator, rows estimate / (s.e.) / N / units."""
    s = static_table(result)
    spec = result.spec
    cols = [(g, est) for g, est in zip(s["group"], s["estimator"], strict=True)]
    head = " & ".join(_tex(f"{est}" if g == "all" else f"{est} ({g})") for g, est in cols)
    row_e = " & ".join(s["cell"])
    row_s = " & ".join(s["se_cell"])
    row_n = " & ".join(str(v) for v in s["n_obs"])
    row_u = " & ".join(str(v) for v in s["n_units"])
    row_t = " & ".join(str(v) for v in s["n_treated_units"])
    cap = caption or f"DID estimates: {spec['outcome']}, treatment {spec['treatment']}"
    return "\n".join(
        [
            r"\begin{table}[htbp]\centering",
            rf"\caption{{{_tex(cap)}}}\label{{{label}}}",
            r"\begin{tabular}{l" + "c" * len(cols) + "}",
            r"\toprule",
            rf" & {head} \\",
            r"\midrule",
            rf"Treated $\times$ post & {row_e} \\",
            rf" & {row_s} \\",
            rf"Observations & {row_n} \\",
            rf"Cities & {row_u} \\",
            rf"Treated cities & {row_t} \\",
            r"City and year FE & " + " & ".join(["Yes"] * len(cols)) + r" \\",
            r"\bottomrule",
            r"\end{tabular}",
            r"\par\footnotesize Standard errors clustered by city in parentheses. "
            r"* p$<$0.1, ** p$<$0.05, *** p$<$0.01.",
            r"\end{table}",
        ]
    )


def sample_text(result) -> str:
    """Plain-text account of the sample: which cities and years, how many dropped and why."""
    spec = result.spec
    smp = result.sample
    tr = smp[smp["treated"]]
    lines = [
        f"Sample: {spec['n_units']} cities ({spec['n_treated_units']} treated, "
        f"{spec['n_units'] - spec['n_treated_units']} controls), years {spec['years'][0]}–{spec['years'][1]}, "
        f"{spec['n_obs']} city-years.",
        "Treated cities by cohort: "
        + "; ".join(
            f"{c}: {len(g)} ({'、'.join(g['name'].astype(str))})" for c, g in tr.groupby("cohort")
        ),
    ]
    if len(result.log_counts):
        lines.append("Dropped or flagged (names in sample_log.csv):")
        for r in collapsed_log(result).itertuples():
            lines.append(f"  [{r.stage}] {r.reason}: {r.n_units} unit(s), {r.n_obs} obs")
    return "\n".join(lines)


def collapsed_log(result) -> pd.DataFrame:
    """Log counts by (stage, reason) with the per-city detail (member names) taken out of the
    reason, so 38 contaminated controls are one line, not 38 (findings first; names in the CSV)."""
    f = result.sample_log.copy()
    if f.empty:
        return result.log_counts
    f["reason"] = f["reason"].str.replace(r" \(treated member\(s\): [^)]*\)", "", regex=True)
    f["reason"] = f["reason"].str.replace(r"via county-level member\(s\): .*", "via county-level member(s)",
                                          regex=True)
    return (f.groupby(["stage", "reason"], sort=False)
            .agg(n_units=("unit_id", "size"), n_obs=("n_obs", "sum")).reset_index())


def sensitivity_text(result) -> str:
    """The relative-magnitudes sensitivity table (M̄, bias bound, interval) and the breakdown value."""
    s = result.sensitivity
    b = "∞" if s["breakdown"] == float("inf") else f"{s['breakdown']:.2f}"
    lines = [f"Sensitivity — {s['method']} on {LABELS.get(s['estimator'], s['estimator'])}: "
             f"θ = mean of k = {s['post_terms'][0]}..{s['post_terms'][-1]} = {s['theta']:.4g} "
             f"(se {s['se']:.3g}); largest pre-period move D_pre = {s['d_pre']:.4g}; "
             f"breakdown M̄* = {b}", "",
             "| M̄ | bias bound | 95% interval | includes 0 |", "|---:|---:|---|---|"]
    for r in s["rows"].itertuples():
        lines.append(f"| {r.mbar:g} | {r.bias_bound:.4g} | [{r.ci_low:.4g}, {r.ci_high:.4g}] | "
                     f"{'yes' if r.includes_zero else 'no'} |")
    sm = s.get("smoothness")
    if sm is not None:
        lines += ["", f"Sensitivity — {sm['method']}: last pre slope {sm['pre_slope']:.4g} a year; "
                      f"θ net of its linear extrapolation = {sm['adjusted_m0']:.4g} (se {sm['se']:.3g})", "",
                  "| M | centre | 95% interval | includes 0 |", "|---:|---:|---|---|"]
        for r in sm["rows"].itertuples():
            lines.append(f"| {r.M:g} | {r.center:.4g} | [{r.ci_low:.4g}, {r.ci_high:.4g}] | "
                         f"{'yes' if r.includes_zero else 'no'} |")
    return "\n".join(lines)


VERDICT_MARK = {"ok": "✓", "caution": "!", "fail": "✗", "info": "·"}


def diagnostics_text(result, lang: str = "zh") -> str:
    """The diagnostics in words, one bullet each (Chinese or English)."""
    head = "诊断" if lang == "zh" else "Diagnostics"
    return "\n".join([f"{head}:"] + [f"- [{VERDICT_MARK[d['verdict']]}] {d[lang]}"
                                     for d in result.diagnostics])


def plot_event_study(result, path: str | Path | None = None, group: str = "all"):
    """Event-study coefficients with 95% confidence bands (one line per estimator).

    Saves to ``path`` (format from the suffix: .png, .svg, .pdf) if given; returns the figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    e = result.estimates
    es = e[(e["group"] == group) & e["rel_time"].notna()]
    if es.empty:
        raise ValueError("no event-study estimates (run with event_study=True)")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    offsets = {name: 0.12 * (i - 0.5) for i, name in enumerate(sorted(es["estimator"].unique()))}
    for name, g in es.groupby("estimator"):
        ref = pd.DataFrame({"rel_time": [-1], "estimate": [0.0], "ci_low": [0.0], "ci_high": [0.0]})
        g = pd.concat([g[["rel_time", "estimate", "ci_low", "ci_high"]], ref]).sort_values("rel_time")
        x = g["rel_time"].astype(float) + offsets[name]
        ax.plot(x, g["estimate"], marker="o", label=LABELS.get(name, name))
        ax.fill_between(x, g["ci_low"], g["ci_high"], alpha=0.2)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    spec = result.spec
    ax.set_xlabel("years relative to treatment (k = -1 reference; endpoints binned)")
    ax.set_ylabel(spec["outcome"])
    ax.set_title(f"{spec['outcome']} — {spec['treatment']} ({group}), 95% CI clustered by city")
    ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def plot_placebo(result, path: str | Path | None = None):
    """Histogram of the placebo estimates with the real estimate marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = result.placebo
    if not p:
        raise ValueError("no placebo draws (run with n_placebo > 0)")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(p["draws"], bins=max(10, min(40, p["n"] // 5)), color="0.7", edgecolor="0.4")
    ax.axvline(p["estimate"], color="C3", lw=2, label=f"estimate {p['estimate']:.4g}")
    ax.set_xlabel(f"placebo {p['estimator']} estimates ({p['mode']}, {p['n']} draws)")
    ax.set_ylabel("draws")
    ax.set_title(f"placebo p = {p['p_value']:.3f}")
    ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def plot_synth(sc, spec: dict, path: str | Path | None = None, lang: str = "zh"):
    """Synthetic control: treated vs synthetic path (top) and the gap with every placebo gap
    (bottom, grey; placebos with pre-RMSPE above 5× the treated city's are left out of the plot
    only, as in Abadie et al. 2010, Fig. 4 — the p-value uses all of them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rbcity.outputs.fonts import use_cjk_font

    use_cjk_font()
    zh = lang == "zh"
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.5, 6), sharex=True)
    p = sc.path
    a1.plot(p["year"], p["treated"], "k-", marker="o", label=spec["city"])
    a1.plot(p["year"], p["synthetic"], "C0--", label="合成控制 synthetic" if zh else "synthetic")
    a1.axvline(sc.treat_year - 0.5, color="grey", ls=":")
    a1.set_ylabel(spec["outcome"])
    a1.legend()
    ok = sc.placebo["pre_rmspe"] <= 5 * sc.pre_rmspe
    for u in sc.placebo.loc[ok, "unit_id"]:
        a2.plot(sc.placebo_gaps.index, sc.placebo_gaps[u], color="0.8", lw=0.7)
    a2.plot(p["year"], p["gap"], "k-", lw=2, label=spec["city"])
    a2.axhline(0, color="grey", lw=0.8)
    a2.axvline(sc.treat_year - 0.5, color="grey", ls=":")
    a2.set_ylabel("差距 gap" if zh else "gap")
    a2.set_title((f"安慰剂 {int(ok.sum())}/{len(ok)} 个对照城市；RMSPE 比 p = {sc.p_value:.3f}" if zh else
                  f"placebos {int(ok.sum())}/{len(ok)} donors; RMSPE-ratio p = {sc.p_value:.3f}"),
                 fontsize=10)
    a1.set_title(f"{spec['city']} — {spec['outcome']}, {spec['treatment']} {sc.treat_year}")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def synth_text(sc, spec: dict) -> str:
    """Synthetic-control summary: weights, fit, effect and placebo rank."""
    w = "、".join(f"{r.name} {r.weight:.3f}" for r in sc.weights.head(8).itertuples())
    rank = int((sc.placebo["ratio"] >= sc.ratio).sum()) + 1
    return "\n".join([
        f"Synthetic control — {spec['city']} ({spec['unit_id']}), {spec['outcome']}, first treated "
        f"{sc.treat_year}; donors: {sc.n_donors} never-treated cities ({sc.dropped_donors} dropped for gaps)",
        f"Weights: {w}",
        f"Pre-period RMSPE {sc.pre_rmspe:.4g}; post-period RMSPE {sc.post_rmspe:.4g}; ratio {sc.ratio:.3g}; "
        f"mean post gap {sc.att:.4g}",
        f"Placebo in space: ratio rank {rank} of {len(sc.placebo) + 1}, p = {sc.p_value:.3f} "
        "(share of cities, the treated one included, with a post/pre RMSPE ratio at least as large)",
    ])


def _md_to_html(md: str) -> str:
    """Tables and bullets of our own Markdown (pipes, '- ' items, paragraphs) to HTML."""
    import html

    out, rows = [], []

    def flush():
        if rows:
            head, *body = [r for r in rows if not set(r.replace("|", "").strip()) <= set("-:")]
            cells = lambda r, t: "".join(f"<{t}>{html.escape(c.strip())}</{t}>"  # noqa: E731
                                         for c in r.strip().strip("|").split("|"))
            out.append("<table><tr>" + cells(head, "th") + "</tr>"
                       + "".join("<tr>" + cells(r, "td") + "</tr>" for r in body) + "</table>")
            rows.clear()

    for line in md.splitlines():
        if line.startswith("|"):
            rows.append(line)
            continue
        flush()
        if line.startswith("- "):
            out.append(f"<li>{html.escape(line[2:])}</li>")
        elif line.strip():
            text = line.replace(chr(92), "").replace("**", "").replace("`", "")
            out.append(f"<p>{html.escape(text)}</p>")
    flush()
    return "\n".join(out)


def write_report(result, out: Path, lang: str = "zh", pdf: bool = True) -> list[Path]:
    """``report.html`` (and ``report.pdf`` via WeasyPrint) with the diagnostics first, then the
    event-study plot, the estimates, the sensitivity table and the sample account."""
    import base64
    import html

    from rbcity.outputs.fonts import css_font_stack, use_cjk_font

    use_cjk_font()
    out.mkdir(parents=True, exist_ok=True)
    spec = result.spec
    png = out / "event_study.png"
    img = ""
    if result.estimates["rel_time"].notna().any():
        plot_event_study(result, png)
        img = f'<img src="data:image/png;base64,{base64.b64encode(png.read_bytes()).decode()}">'
    zh = lang == "zh"
    other = "en" if zh else "zh"
    title = (f"政策评估：{spec['outcome']}（{spec['treatment']}）" if zh else
             f"Policy evaluation: {spec['outcome']} ({spec['treatment']})")
    diag = "".join(f"<li>[{VERDICT_MARK[d['verdict']]}] {html.escape(d[lang])}<br>"
                   f"<span class=o>{html.escape(d[other])}</span></li>" for d in result.diagnostics)
    body = markdown_table(result).split("\n诊断:")[0]
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<h2>{'诊断 Diagnostics' if zh else 'Diagnostics 诊断'}</h2><ul>{diag}</ul>",
        f"<h2>{'事件研究 Event study' if zh else 'Event study 事件研究'}</h2>{img}",
        f"<h2>{'估计结果 Estimates' if zh else 'Estimates 估计结果'}</h2>{_md_to_html(body)}",
        f"<h2>{'样本 Sample' if zh else 'Sample 样本'}</h2>{_md_to_html(sample_text(result))}",
        f"<p class=o>SE: {html.escape('; '.join(f'{k}: {v}' for k, v in spec['se_convention'].items()))}</p>",
    ]
    css = (f"body{{font-family:{css_font_stack()};font-size:10pt;margin:1.5em}}"
           "table{border-collapse:collapse;margin:.5em 0;font-size:8.5pt}"
           "td,th{border:1px solid #bbb;padding:2px 5px}img{max-width:100%}.o{color:#555;font-size:8.5pt}"
           "@page{size:A4;margin:1.5cm}")
    page = (f"<!doctype html><html lang={'zh-CN' if zh else 'en'}><meta charset=utf-8>"
            f"<title>{html.escape(title)}</title><style>{css}</style><body>{''.join(sections)}</body></html>")
    paths = [out / "report.html"]
    paths[0].write_text(page, encoding="utf-8")
    if pdf:
        from weasyprint import HTML

        HTML(string=page).write_pdf(out / "report.pdf")
        paths.append(out / "report.pdf")
    return paths
