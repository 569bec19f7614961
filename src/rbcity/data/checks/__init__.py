"""Plausibility checks: each rule family looks at a stored value beside its own history, its
peers, its identities or another source, and raises *findings*. A finding on a value of severity
``error`` holds that value out of every engine until a user confirms it or a corrected value
(a new revision) replaces it.

Modules: :mod:`.spec` (config/checks.yaml), :mod:`.history` (year-on-year breaks, powers of ten,
repeated values), :mod:`.identities` (per-capita, shares, components ≤ totals), :mod:`.peers`
(outliers among peers), :mod:`.sources` (two sources disagree), :mod:`.findings` (the stored
findings, confirm, hold-out) and :mod:`.run` (run every rule over the store).
"""

from rbcity.data.checks.findings import confirm, held_out, list_findings, rule_counts
from rbcity.data.checks.run import run_checks

__all__ = ["confirm", "held_out", "list_findings", "rule_counts", "run_checks"]
