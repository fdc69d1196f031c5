"""The manifest of the course files the grader uses, made when the class is built.

``tools/make_classroom.py`` writes ``.classroom-manifest.json`` into the course root: the sha256 of
every file of the ``helpers`` package and of ``data/``. Before grading, the grader (its
configuration, then its checker process, after importing everything it judges with) compares the
files it loaded with it: a course changed since ``make classroom`` (a payload written into
``helpers/exercises/``, an edited reference) stops grading with the file's name, instead of
grading with whatever is on disk.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

NAME = ".classroom-manifest.json"
VERSION = 1


class ManifestMismatch(RuntimeError):
    """The course files differ from the manifest; the message names the first one."""


def package_root():
    """The folder that holds the course's ``helpers/`` and ``data/`` (the repository's root)."""
    import helpers

    return Path(helpers.__file__).resolve().parent.parent


def _files(root):
    for folder, pattern in (("helpers", "*.py"), ("data", "*")):
        for path in sorted((root / folder).rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path.relative_to(root).as_posix(), path


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(root=None):
    """The manifest of the course files under `root` (default: this course's)."""
    root = Path(root or package_root())
    return {"version": VERSION, "files": {name: _digest(path) for name, path in _files(root)}}


def write(course, root=None):
    path = Path(course) / NAME
    path.write_text(json.dumps(make(root), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def verify(course, modules=None):
    """Compare the course files with the manifest in the course root `course`.

    Every file the manifest lists must be unchanged, and every module of ``helpers`` loaded in
    this process (`modules`, default ``sys.modules``) must be one of them.

    Returns:
        the number of files verified.
    Raises:
        ManifestMismatch: naming the first difference.
    """
    path = Path(course) / NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ManifestMismatch(f"{path} is missing or unreadable: rebuild the class (make classroom)") from None
    root = package_root()
    for name, digest in files.items():
        file = root / name
        try:
            same = _digest(file) == digest
        except OSError:
            same = False
        if not same:
            raise ManifestMismatch(f"{name} differs from the course that `make classroom` built "
                                   f"(manifest {path}): rebuild the class if the change is yours")
    for module in list((modules or sys.modules).values()):
        name = getattr(module, "__name__", "")
        if name == "helpers" or name.startswith("helpers."):
            file = getattr(module, "__file__", None)
            if file is None:
                continue
            try:
                relative = Path(file).resolve().relative_to(root).as_posix()
            except ValueError:
                relative = str(file)
            if relative not in files:
                raise ManifestMismatch(f"the grader loaded {relative}, which the course of `make classroom` "
                                       f"does not have (manifest {path})")
    return len(files)
