"""Shared by the unit tests and nbval: progress goes to a throw-away file, never the learner's."""

import os
import tempfile

# Set before any kernel starts, so nbval's kernels inherit it too.
os.environ["BACKPROP_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="backprop-progress-"), "progress.json")
