"""The hub is installed by a name of its own, under the license it says, with its version
known, and `make run` installs what running needs and no more."""

from __future__ import annotations

import re
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from hub.server.cli import DISTRIBUTION, main

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
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

    assert "pip install --quiet -e '.[embedded]'" in commands
    assert "test]" not in commands


@pytest.mark.parametrize("target", ["test", "test-fast", "lint"])
def test_the_tests_and_linters_install_the_test_tooling(target: str) -> None:
    assert "pip install --quiet -e '.[embedded,test]'" in _would_run("--always-make", target)


@pytest.mark.parametrize("target", ["run", "test-fast"])
def test_a_changed_pyproject_installs_again(target: str) -> None:
    assert "pip install" in _would_run("--what-if=pyproject.toml", target)
