"""Policy evaluation: the 2013 plan and the resource-exhausted batches as quasi-natural
experiments (difference-in-differences, event studies, pre-trend and placebo tests).

Entry point: :func:`run_did`. No rendering here (see ``rbcity.outputs.did_report``).
"""

from .did import DidResult, run_did
from .simulate import Simulated, simulate_panel
from .treatment import SampleLog, Treatment, build_treatment

__all__ = [
    "DidResult",
    "SampleLog",
    "Simulated",
    "Treatment",
    "build_treatment",
    "run_did",
    "simulate_panel",
]
