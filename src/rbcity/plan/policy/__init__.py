"""Policy evaluation: the 2013 plan and the resource-exhausted batches as quasi-natural
experiments (difference-in-differences, event studies, Callaway–Sant'Anna, synthetic control,
pre-trend tests, sensitivity bounds, placebo tests and diagnostics in words).

Entry point: :func:`run_did`. No rendering here (see ``rbcity.outputs.did_report``).
"""

from .cs import CSResult, callaway_santanna
from .did import DidResult, run_did
from .sensitivity import relative_magnitudes
from .simulate import Simulated, simulate_panel
from .synth import SynthResult, run_synth, synth_control
from .treatment import SampleLog, Treatment, build_treatment

__all__ = [
    "CSResult",
    "DidResult",
    "SynthResult",
    "callaway_santanna",
    "relative_magnitudes",
    "run_synth",
    "synth_control",
    "SampleLog",
    "Simulated",
    "Treatment",
    "build_treatment",
    "run_did",
    "simulate_panel",
]
