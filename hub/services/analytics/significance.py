"""Whether a share changed between two periods more than chance would explain: the
two-proportion z-test, used for emerging themes and emerging suggested phrases."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ShareChange:
    """A share in the previous and the current period, and the test of their
    difference: `z` > 0 when the share rose; `p_value` two-sided."""

    previous: float
    current: float
    z: float
    p_value: float


def two_proportion_test(
    hits_before: int, total_before: int, hits_now: int, total_now: int
) -> ShareChange | None:
    """The pooled two-proportion z-test of `hits_now / total_now` against
    `hits_before / total_before`; None when either period has nothing to compare or
    the pooled share is 0 or 1 (no variance)."""
    if total_before <= 0 or total_now <= 0:
        return None
    before = hits_before / total_before
    now = hits_now / total_now
    pooled = (hits_before + hits_now) / (total_before + total_now)
    variance = pooled * (1 - pooled) * (1 / total_before + 1 / total_now)
    if variance <= 0:
        return None
    z = (now - before) / math.sqrt(variance)
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return ShareChange(before, now, z, p_value)
