"""Themes quality: how well the matcher tags the labelled comments of tests/data/themes.

Tags every comment of tests/data/themes/comments.jsonl (short survey comments in the
seven languages, each with the themes a reader gives it) with the demo data's themes
(hub/server/demo_themes.json), and prints the micro-averaged precision, recall and F1
per language and overall, for the development half (the one the rules were written
from), the test half (held out) and both, with the number of comments in each.
tests/hub/services/themes/test_quality.py fails if the figures fall below what
docs/themes.md reports. Runs in a second or two; no database.

    python bench/themes_quality.py
    python bench/themes_quality.py --misses   # and every comment tagged wrongly
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.services.themes.matching import LANGUAGES  # noqa: E402
from tests.support.themes_quality import SPLITS, comments, score, tagged, themes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every comment tagged wrongly")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    started = time.perf_counter()
    labelled = comments()
    compiled = themes()
    print(
        f"{len(labelled)} comments, {len(compiled)} themes "
        f"({', '.join(theme.key for theme in compiled)})"
    )
    print(f"{'split':<6}{'language':<10}{'comments':>9}{'precision':>11}{'recall':>8}{'F1':>7}")
    for split in (*SPLITS, "both"):
        for language in (*LANGUAGES, "all"):
            scored = score(
                [
                    comment
                    for comment in labelled
                    if split in ("both", comment.split) and language in ("all", comment.language)
                ],
                compiled,
            )
            print(
                f"{split:<6}{language:<10}{scored.comments:>9}{scored.precision:>11.3f}"
                f"{scored.recall:>8.3f}{scored.f1:>7.3f}"
            )
    if args.misses:
        print("comments tagged wrongly (expected → tagged):")
        for comment in labelled:
            found = tagged(comment, compiled)
            if found != comment.themes:
                print(
                    f"    {comment.split:<5}{comment.language:<3}{comment.text!r}: "
                    f"{sorted(comment.themes)} → {sorted(found)}"
                )
    print(f"the whole run took {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
