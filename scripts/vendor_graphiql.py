"""Fetch GraphiQL's files from the npm registry into hub/static/graphiql/vendor/, where
the hub serves them from (GET /graphql in a browser): the hub never loads anything
from a CDN, so GraphiQL works on machines without internet and under a CSP of 'self'.

Run by a maintainer when bumping a version (the files are committed); never at install
or run time. The versions and hashes are those strawberry's own GraphiQL page pins
(its SRI attributes); each file is checked against its hash before it is written.
hub/static/graphiql/index.html loads each file with the same hash as its `integrity`
attribute (update both when bumping; tests/web/test_graphiql.py compares them).

    python scripts/vendor_graphiql.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
TARGET = Path(__file__).resolve().parent.parent / "hub" / "static" / "graphiql" / "vendor"

# (package, version, file in the package, name served, sha384 as in an SRI attribute)
FILES = [
    (
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "react.production.min.js",
        "tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    (
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "react-dom.production.min.js",
        "bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    (
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "graphiql.min.js",
        "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    (
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "graphiql.min.css",
        "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    (
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/index.umd.js",
        "plugin-explorer.umd.js",
        "2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
    (
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/style.css",
        "plugin-explorer.css",
        "5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
]


def tarball(package: str, version: str) -> tarfile.TarFile:
    url = f"{REGISTRY}/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 (a fixed https URL)
        return tarfile.open(fileobj=io.BytesIO(answer.read()), mode="r:gz")


def sri(content: bytes) -> str:
    return base64.b64encode(hashlib.sha384(content).digest()).decode()


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    opened: dict[tuple[str, str], tarfile.TarFile] = {}
    for package, version, inner, served, expected in FILES:
        archive = opened.get((package, version)) or tarball(package, version)
        opened[(package, version)] = archive
        member = archive.extractfile(f"package/{inner}")
        assert member is not None, f"{package}@{version} has no {inner}"
        content = member.read()
        if sri(content) != expected:
            print(f"{package}@{version} {inner}: hash mismatch, nothing written", file=sys.stderr)
            return 1
        (TARGET / served).write_bytes(content)
        print(f"{served}: {package}@{version} {inner} ({len(content):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
