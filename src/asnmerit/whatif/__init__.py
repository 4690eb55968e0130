"""What-if questions: what a partial record can still score, what would lift a subject into
the next band, and scenarios of changed criteria.

* :mod:`~asnmerit.whatif.partial` -- :func:`evaluate_partial`: a record that lacks inputs;
* :mod:`~asnmerit.whatif.nextband` -- :func:`next_band`: the smallest sets of changes;
* :mod:`~asnmerit.whatif.lifts` -- :func:`actions`: the changes that lift the most subjects of
  a population (:class:`Actions`);
* :mod:`~asnmerit.whatif.scenarios` -- :func:`with_overrides`, :func:`sweep`, :func:`steps`,
  :func:`rebalanced`, :func:`shift`, :func:`sensitivity`: criteria changed as data, and how a
  ranking moves;
* :mod:`~asnmerit.whatif.domains` -- how each input reaches the score, and the values worth
  trying (used by the first two).
"""

from ..errors import ScenarioError, WhatIfError
from .lifts import Actions, actions
from .nextband import Change, Option, Plan, next_band
from .partial import Deciding, Outcome, Partial, evaluate_partial
from .scenarios import (
    OverridePath,
    Overrides,
    Shift,
    Sweep,
    rebalanced,
    sensitivity,
    shift,
    steps,
    sweep,
    with_overrides,
)

__all__ = [
    "Actions",
    "Change",
    "Deciding",
    "Option",
    "Outcome",
    "OverridePath",
    "Overrides",
    "Partial",
    "Plan",
    "ScenarioError",
    "Shift",
    "Sweep",
    "WhatIfError",
    "actions",
    "evaluate_partial",
    "next_band",
    "rebalanced",
    "sensitivity",
    "shift",
    "steps",
    "sweep",
    "with_overrides",
]
