"""The hub is installed by a name of its own, under the license it says, with its version
known, and `make run` installs what running needs and no more, at the versions the tests
ran with (constraints.txt). The wheel and sdist built from the checkout hold what the
hub reads at run time, and the wheel installed alone, without the checkout, serves."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from itertools import chain
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from bots.slack.manifest import render
from hub.db import Database, free_port
from hub.server.cli import DISTRIBUTION, main
from hub.web.graphiql import ASSETS
from hub.web.widget import widget_script
from tests.support.processes import environment, wait_ready

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
BUILD_REQUIRES = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
CONSTRAINTS = ROOT / "constraints.txt"
# The import packages the distribution ships (pyproject's packages.find).
PACKAGES = ["bots", "graphql_schema", "hub"]
# Where people read how to install it.
INSTALL_DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_distribution_name_is_the_one_the_command_reports() -> None:
    # `feedback-hub` on the public index is another project; the command keeps the name.
    assert PYPROJECT["name"] == DISTRIBUTION == "feedback-hub-server"
    assert PYPROJECT["scripts"] == {"feedback-hub": "hub.server.cli:main"}


def test_every_install_line_names_our_distribution() -> None:
    lines = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in INSTALL_DOCS
        for line in path.read_text().splitlines()
        if "pip install" in line
    ]
    ours = re.compile(r"pip install [`'\"]?feedback-hub(?!-server)")
    wrong = [line for line in lines if ours.search(line)]

    assert any("pip install feedback-hub-server" in line for line in lines)
    assert wrong == []


def test_the_license_is_apache_2_0_as_pyproject_says() -> None:
    text = (ROOT / "LICENSE").read_text()

    assert PYPROJECT["license"] == "Apache-2.0"
    assert PYPROJECT["license-files"] == ["LICENSE"]
    assert text.split()[:5] == ["Apache", "License", "Version", "2.0,", "January"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "9. Accepting Warranty or Additional Liability." in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_changelog_keeps_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()

    assert "https://keepachangelog.com/en/1.1.0/" in text
    assert "## [Unreleased]" in text


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == f"feedback-hub {version(DISTRIBUTION)}\n"
    assert version(DISTRIBUTION) == PYPROJECT["version"]


def _would_run(*arguments: str) -> str:
    """The commands `make` would run for these arguments, without running any."""
    dry = subprocess.run(
        ["make", "--dry-run", *arguments],  # noqa: S607 (make, as a developer runs it)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dry.stdout


def test_make_run_installs_the_runtime_only() -> None:
    commands = _would_run("--always-make", "run")

    assert "pip install --quiet -c constraints.txt -e '.[embedded]'" in commands
    assert "test]" not in commands


@pytest.mark.parametrize("target", ["test", "test-fast", "lint"])
def test_the_tests_and_linters_install_the_test_tooling(target: str) -> None:
    commands = _would_run("--always-make", target)

    assert "pip install --quiet -c constraints.txt -e '.[embedded,test]'" in commands


@pytest.mark.parametrize("changed", ["pyproject.toml", "constraints.txt"])
@pytest.mark.parametrize("target", ["run", "test-fast"])
def test_a_changed_pyproject_or_constraints_installs_again(target: str, changed: str) -> None:
    assert "pip install" in _would_run(f"--what-if={changed}", target)


def test_make_constraints_pins_what_a_new_environment_gets() -> None:
    kept, upgraded = _would_run("constraints"), _would_run("constraints", "UPGRADE=1")
    (install,) = [line for line in upgraded.splitlines() if "'.[embedded,test]'" in line]

    fresh = ".venv/constraints-env/bin/pip"
    assert f"{fresh} install --quiet -c constraints.txt '.[embedded,test]'" in kept
    assert install.startswith(f"{fresh} install")
    assert "constraints.txt" not in install  # UPGRADE=1 takes the newest of everything
    assert f"{fresh} freeze --all --exclude pip --exclude feedback-hub-server" in kept
    assert "mv constraints.txt.new constraints.txt" in kept


def _pins() -> dict[NormalizedName, Version]:
    pins: dict[NormalizedName, Version] = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        (pin,) = requirement.specifier
        name = canonicalize_name(requirement.name)
        assert pin.operator == "==", f"not pinned: {line}"
        assert name not in pins, f"pinned twice: {line}"
        pins[name] = Version(pin.version)
    return pins


def test_the_constraints_pin_every_dependency_within_its_range() -> None:
    declared = [
        Requirement(line)
        for line in chain(
            PYPROJECT["dependencies"],
            *PYPROJECT["optional-dependencies"].values(),
            BUILD_REQUIRES,
        )
    ]
    pins = _pins()

    missing = [str(r) for r in declared if canonicalize_name(r.name) not in pins]
    outside = [
        f"{r} but {pins[canonicalize_name(r.name)]}"
        for r in declared
        if canonicalize_name(r.name) in pins
        and not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)
    ]
    assert (missing, outside) == ([], [])
    assert DISTRIBUTION not in pins  # the hub is what is installed, not a constraint


@dataclass(frozen=True)
class Release:
    sdist: Path
    wheel: Path


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    """A command's output; a failure shows what it printed. The timeout guards a hang."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The sdist built from the checkout (a copy, so the build leaves nothing in it), and
    the wheel built from that sdist, as a release is: without downloading anything."""
    work = tmp_path_factory.mktemp("release")
    # What .gitignore leaves out, and git's own file.
    not_source = shutil.ignore_patterns(
        ".git",
        ".venv",
        "__pycache__",
        "*.egg-info",
        "build",
        "dist",
        ".*_cache",
        ".hub-data",
    )
    shutil.copytree(ROOT, work / "source", ignore=not_source)
    dist = work / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, work / "source")
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    return Release(sdist, wheel)


def _package_files() -> set[str]:
    """Every file of the checkout's packages: their code and what they read at run time
    (templates, the widget, GraphiQL's files, the Slack manifest)."""
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.slow
def test_the_wheel_holds_every_file_of_the_packages_and_nothing_else(release: Release) -> None:
    with zipfile.ZipFile(release.wheel) as wheel:
        names = {name for name in wheel.namelist() if ".dist-info/" not in name}

    assert names == _package_files()
    assert "hub/static/graphiql/vendor/graphiql.min.js" in names
    assert "bots/slack/manifest.yml" in names


@pytest.mark.slow
def test_the_sdist_holds_the_project_a_release_is_built_and_tested_from(
    release: Release,
) -> None:
    with tarfile.open(release.sdist) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}

    top = {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "MANIFEST.in"}
    top |= {"Makefile", "constraints.txt", "schema.graphql"}
    assert top <= names
    assert _package_files() <= names
    assert {"docs/operations.md", "tests/conftest.py", "tests/support/processes.py"} <= names
    assert not any(name.endswith(".pyc") for name in names)
    # What the test tooling installs or leaves in a clone is no source.
    assert not any("node_modules/" in name or "tests/artifacts/" in name for name in names)


def _fresh_venv(wheel: Path, where: Path) -> Path:
    """A new virtual environment with the wheel installed, from no index. Its dependencies
    are this environment's, through a path line in a .pth file: Python adds the folder
    but runs none of the .pth files in it, so the checkout's editable install stays out."""
    _run(sys.executable, "-m", "venv", "--without-pip", where)
    python = where / "bin" / "python"
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", python]
    _run(*pip, "install", "--quiet", "--no-deps", "--no-index", wheel)
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(_run(python, "-c", purelib).strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return site


@pytest.mark.slow
async def test_the_wheel_installed_alone_serves_the_hub(
    release: Release, tmp_path: Path, mongo_uri: str, database: Database
) -> None:
    # Given the wheel installed alone in a new virtual environment
    venv = tmp_path / "venv"
    site = _fresh_venv(release.wheel, venv)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    imports = "; ".join(f"import {package}; print({package}.__file__)" for package in PACKAGES)
    imported = _run(venv / "bin" / "python", "-c", imports, cwd=elsewhere).split()
    assert len(imported) == len(PACKAGES)
    assert all(Path(file).is_relative_to(site) for file in imported)

    # Then its command knows its version and reads its package data
    command = venv / "bin" / "feedback-hub"
    assert _run(command, "--version", cwd=elsewhere) == f"feedback-hub {PYPROJECT['version']}\n"
    manifest = _run(command, "slack", "manifest", "--url", "https://hub.example.com", cwd=elsewhere)
    assert manifest == render("https://hub.example.com")

    # When it serves against the test database
    port = free_port()
    env = environment(tmp_path / "data", port) | {
        "HUB_MONGODB_URI": mongo_uri,
        "HUB_DB_NAME": database.name,
    }
    env.pop("PYTHONPATH", None)
    log = tmp_path / "hub.log"
    with log.open("wb") as log_file:
        hub = await asyncio.create_subprocess_exec(
            command,
            "serve",
            env=env,
            cwd=elsewhere,
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base, hub)
        async with httpx.AsyncClient(base_url=base) as client:
            ready = await client.get("/readyz")
            widget = await client.get("/widget.js")
            graphiql = await client.get("/graphql", headers={"Accept": "text/html"})
            assets = {name: await client.get(f"/graphiql/{name}") for name in ASSETS}
            form = await client.get("/privacy/request")
        hub.send_signal(signal.SIGTERM)
        stopped = await asyncio.wait_for(hub.wait(), 60)
    finally:
        if hub.returncode is None:
            hub.kill()
            await hub.wait()

    # Then it is ready and serves the widget, GraphiQL's files and its pages as the
    # checkout has them
    assert ready.status_code == 200, log.read_text()
    assert widget.status_code == 200
    assert widget.text == widget_script()
    folder = ROOT / "hub" / "static" / "graphiql"
    assert graphiql.status_code == 200
    assert graphiql.text == (folder / "index.html").read_text()
    assert {name: answer.content for name, answer in assets.items()} == {
        name: (folder / file).read_bytes() for name, (file, _) in ASSETS.items()
    }
    assert form.status_code == 200
    assert "<form" in form.text
    assert stopped == 0, log.read_text()
