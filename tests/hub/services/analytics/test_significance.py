import math

import pytest

from hub.services.analytics.significance import two_proportion_test


def test_a_share_that_doubled_on_large_samples_is_significant() -> None:
    change = two_proportion_test(100, 1000, 200, 1000)
    assert change is not None
    assert change.previous == pytest.approx(0.1)
    assert change.current == pytest.approx(0.2)
    # Pooled p = 0.15, se = sqrt(0.15 * 0.85 * 2 / 1000) = 0.015969; z = 6.26.
    assert change.z == pytest.approx(0.1 / math.sqrt(0.15 * 0.85 * 2 / 1000))
    assert change.p_value < 1e-9


def test_the_same_share_is_no_change() -> None:
    change = two_proportion_test(30, 300, 10, 100)
    assert change is not None
    assert change.z == 0
    assert change.p_value == pytest.approx(1.0)


def test_a_fall_has_a_negative_z_and_the_same_p_value_as_the_rise() -> None:
    rise = two_proportion_test(20, 200, 40, 200)
    fall = two_proportion_test(40, 200, 20, 200)
    assert rise is not None and fall is not None
    assert fall.z == pytest.approx(-rise.z)
    assert fall.p_value == pytest.approx(rise.p_value)
    # A textbook value: z = 2.0 gives p = 0.0455 (two-sided).
    assert two_proportion_test(0, 1, 0, 1) is None


@pytest.mark.parametrize(
    ("before", "now"), [((0, 0), (5, 10)), ((5, 10), (0, 0)), ((0, 10), (0, 10))]
)
def test_nothing_to_compare_gives_no_test(before: tuple[int, int], now: tuple[int, int]) -> None:
    assert two_proportion_test(*before, *now) is None
