"""Generate the student edition of the course: solutions removed, outputs cleared.

    python tools/make_student.py            # → build/student/   (the same as `python tools/editions.py student`)
    python tools/make_student.py --out DIR

The generator is tools/editions.py, which makes the learner's workbook too (one generator for
every edition); this module keeps the names other tools import from it (tools/make_classroom.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from editions import (  # noqa: E402,F401 - re-exported
    COPIED, IGNORED, PLACEHOLDER, REQUIRED, ROOT, StudentEditionError, _tags, build, commit_of, studentise,
)
from editions import STUDENT_MARKER as MARKER  # noqa: E402,F401


def main(argv=None):
    from editions import main as editions_main

    return editions_main(["student", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
