"""The referee's view on the bundled 2004–2012 panel: ``rbcity did tertiary_share --treatment
exhausted --event-study`` prints CS, the pre-trend reading and the sensitivity bound beside
TWFE/did2s; synthetic control for 枣庄市 with its placebo distribution and plot; the HTML/PDF report.
The figures asserted are those the command printed on the bundled data (README, policy section)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from rbcity.outputs.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")


@pytest.fixture(scope="module")
def db_url(bundled_engine):
    return str(bundled_engine.url)


def test_did_event_study_prints_cs_pretrend_and_bound(db_url, tmp_path):
    r = CliRunner().invoke(app, ["did", "tertiary_share", "--treatment", "exhausted", "--event-study",
                                 "--db", db_url, "--report", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "| all | TWFE | -3.139*** | (0.8435) |" in out
    assert "| all | did2s (Gardner) | -3.213*** | (0.8091) |" in out
    assert "| all | Callaway–Sant'Anna | -2.526*** | (0.8332) |" in out
    assert "all / CS event study: chi2(3) = 6.253, p = 0.100" in out
    assert "all / TWFE event study: F(3, 246) = 1.911, p = 0.128" in out
    assert re.search(r"θ = mean of k = 0\.\.4 = -2\.604 .*breakdown M̄\* = 0\.31", out)
    assert "θ net of its linear extrapolation = 0.2046 (se 1.41)" in out
    assert "the average effect net of it is 0.205, 95% interval [-2.56, 2.97], which includes 0." in out
    assert "contaminated control dropped: 35 unit(s)" in out
    assert "p = 0.0999 (twfe_es p = 0.128; did2s_es p = 0.096); parallel trends rejected at 0.1" in out and "拒绝平行趋势" in out
    assert "no deflation needed (the catalogue has no deflator)" in out
    md = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert "诊断:" in md and "Diagnostics:" in md
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "诊断 Diagnostics" in html
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_synth_zaozhuang_on_bundled_panel(db_url, tmp_path):
    r = CliRunner().invoke(app, ["did-synth", "枣庄市", "tertiary_share", "--db", db_url,
                                 "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "first treated 2009; donors: 96 never-treated cities" in r.output
    assert "Weights: 大庆市 0.467" in r.output
    assert "ratio rank 59 of 97, p = 0.608" in r.output
    assert (tmp_path / "synth.png").stat().st_size > 10_000
    import pandas as pd

    w = pd.read_csv(tmp_path / "synth_weights.csv")
    assert (w["weight"] > 0).all() and w["weight"].sum() == pytest.approx(1.0, abs=0.005)
    plc = pd.read_csv(tmp_path / "synth_placebo.csv")
    assert len(plc) == 96 and np.isfinite(plc["ratio"]).all()


def test_keeping_contaminated_controls_reproduces_the_old_sample(bundled_engine):
    from rbcity.data.cities import unit_names
    from rbcity.data.panel import load_panel
    from rbcity.plan.policy import run_did
    from rbcity.registry.load import load_registry

    res = run_did(load_panel(bundled_engine), load_registry(), "tertiary_share", treatment="exhausted",
                  event_study=True, drop_contaminated_controls=False,
                  unit_names=unit_names(bundled_engine))
    e = res.estimates[res.estimates["term"] == "ATT"].set_index("estimator")["estimate"]
    assert res.spec["n_units"] == 278 and res.spec["n_treated_units"] == 22
    assert e["twfe"] == pytest.approx(-3.072, abs=5e-4)  # the issue's −3.07
    assert e["cs"] == pytest.approx(-2.493, abs=5e-4)
    pt = res.pretrend.set_index("estimator")["p"]
    assert pt["cs_es"] == pytest.approx(0.116, abs=5e-4)
    assert res.sensitivity["breakdown"] == pytest.approx(0.30, abs=5e-3)
    kept = res.sample_log[res.sample_log["reason"].str.startswith("contaminated control kept")]
    assert len(kept) == len(res.spec["contaminated_controls"]) >= 35
