"""How many examples a hypothesis test draws: a few in make test (it must stay within its minute),
more in make test-slow, which sets BACKPROP_THOROUGH=1 and which CI runs. make fuzz is the wide
adversarial search (20,000 inputs); these are its regression sample, derandomized."""

import os

THOROUGH = os.environ.get("BACKPROP_THOROUGH") == "1"


def examples(quick, thorough):
    """The number of examples for this run: `quick` in make test, `thorough` in make test-slow."""
    return thorough if THOROUGH else quick
