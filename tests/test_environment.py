"""environment.yml (conda and Binder) stays in step with pyproject.toml.

conda channels are not reachable from the test machines, so the environment is not created
here; what can be checked is that it parses, that it is what repo2docker (Binder) and
`conda env create -f environment.yml` expect, and that it asks for exactly the packages and
versions pyproject.toml does.
"""

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / "environment.yml"
# conda-forge names that differ from PyPI's (none of the course's packages do today)
CONDA_TO_PYPI = {"pytorch": "torch"}
# how repo2docker finds the Python version in environment.yml (repo2docker/buildpacks/conda)
REPO2DOCKER_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")
CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


@pytest.fixture(scope="module")
def env():
    data = yaml.safe_load(ENV_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "environment.yml must be a mapping (name, channels, dependencies)"
    return data


@pytest.fixture(scope="module")
def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _conda_packages(env):
    """{name: spec string} of the conda dependencies, and the list under pip:."""
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"unexpected entry in dependencies: {dep}"
            pip.extend(dep["pip"])
            continue
        name, spec = CONDA_SPEC.match(str(dep)).groups()
        assert name not in conda, f"{name} is listed twice in environment.yml"
        conda[name.lower()] = spec
    return conda, pip


def test_it_is_a_conda_environment_file(env):
    assert env.get("name"), "a name, for `conda activate`"
    assert env.get("channels") == ["conda-forge"], "conda-forge only: it has every package, and Binder uses it"
    assert isinstance(env.get("dependencies"), list) and env["dependencies"]


def test_same_packages_and_versions_as_pyproject(env, project):
    conda, _ = _conda_packages(env)
    conda.pop("python", None)
    conda.pop("pip", None)
    in_env = {canonicalize_name(CONDA_TO_PYPI.get(n, n)): SpecifierSet(s) for n, s in conda.items()}
    in_pyproject = {}
    for line in project["dependencies"]:
        req = Requirement(line)
        in_pyproject[canonicalize_name(req.name)] = req.specifier
    missing = sorted(set(in_pyproject) - set(in_env))
    extra = sorted(set(in_env) - set(in_pyproject))
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    assert not extra, f"in environment.yml but not in pyproject.toml's dependencies: {extra}"
    differ = {n: (str(in_env[n]), str(in_pyproject[n])) for n in in_env if in_env[n] != in_pyproject[n]}
    assert not differ, f"versions differ (environment.yml, pyproject.toml): {differ}"


def test_python_version_is_one_binder_reads_and_pyproject_allows(env, project):
    python = [d for d in env["dependencies"] if isinstance(d, str) and CONDA_SPEC.match(d).group(1) == "python"]
    assert len(python) == 1, "environment.yml names the Python version once"
    match = REPO2DOCKER_PYTHON.match(python[0])
    assert match and match.group(1), (
        f"environment.yml says {python[0]!r}; repo2docker (Binder) reads the Python version only from "
        "a line like 'python=3.11' and otherwise builds on its own default Python. Write python=X.Y."
    )
    assert Version(match.group(1)) in SpecifierSet(project["requires-python"]), (
        f"python={match.group(1)} is outside pyproject's requires-python {project['requires-python']}"
    )


def test_pip_installs_the_course_package_itself(env):
    conda, pip = _conda_packages(env)
    assert "pip" in conda, "pip must be a conda dependency when there is a pip: section"
    local = [p for p in pip if p.replace(" ", "") in ("-e.", ".", "-e./")]
    assert local, "the pip: section installs the course (`-e .`), so `import helpers` works in every kernel"
    assert len(pip) == len(local), f"everything else comes from conda-forge, not pip: {pip}"


def test_every_package_says_what_it_is_for():
    lines = ENV_FILE.read_text(encoding="utf-8").splitlines()
    deps = [line for line in lines if re.match(r"^\s*-\s+[A-Za-z]", line) and "conda-forge" not in line]
    obvious = re.compile(r"^-\s+(pip:?|python\b.*)$")  # pip and python need no explanation
    bare = [line.strip() for line in deps if "#" not in line and not obvious.match(line.strip())]
    assert not bare, f"environment.yml lines without a comment on what the package is for: {bare}"
