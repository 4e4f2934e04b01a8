"""The console's SVG charts: well-formed, escaped, named for assistive technology,
styled by class only, and drawn right for no data, one point, gaps and bands."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from hub.web.console import charts
from hub.web.console.charts import Bar, Point, Scale

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # noqa: S314 (our own markup)


def _line(points: list[Point], low: float = -100, high: float = 100) -> ElementTree.Element:
    return _parse(
        charts.line_chart(
            points, chart_id="trend", title="NPS over time", description="A", low=low, high=high
        )
    )


def test_a_chart_names_itself_and_scales_with_its_container() -> None:
    svg = _line([Point("2026-03-01", 10.0, -5.0, 25.0)])
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "trend-title trend-desc"
    assert svg.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    assert svg.get("width") == "100%"
    assert svg.find(f"{SVG}title").text == "NPS over time"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "A"  # type: ignore[union-attr]
    assert "style" not in str(
        charts.line_chart([], chart_id="x", title="", description="", low=0, high=1)
    )
    for element in svg.iter():
        assert "style" not in element.attrib


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & "quotes"'
    line = charts.line_chart(
        [Point(hostile, 1.0)],
        chart_id='a"b',
        title=hostile,
        description=hostile,
        low=0,
        high=10,
    )
    bars = charts.bar_chart(
        [Bar(hostile, 2.0, group='"><x')], chart_id="d", title=hostile, description=""
    )
    for markup in (str(line), str(bars)):
        assert "<script>" not in markup
        assert "&lt;script&gt;" in markup
        _parse(markup)  # still well-formed
    assert 'id="a&#34;b-title"' in str(line)
    assert 'class="bar bar-&#34;&gt;&lt;x"' in str(bars)


def test_no_data_draws_axes_and_a_dash_without_a_line() -> None:
    svg = _line([])
    assert svg.find(f"{SVG}polyline") is None
    assert svg.find(f"{SVG}polygon") is None
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "empty"] == ["\u2013"]
    empty_bars = _parse(charts.bar_chart([], chart_id="d", title="t", description="d"))
    assert empty_bars.find(f"{SVG}rect") is None
    periods_without_answers = _line([Point("a", None), Point("b", None)])
    assert periods_without_answers.find(f"{SVG}polyline") is None
    assert periods_without_answers.find(f"{SVG}circle") is None


def test_a_single_point_is_a_marker_in_the_middle_with_a_narrow_band() -> None:
    svg = _line([Point("2026-03-01", 0.0, -50.0, 50.0)])
    assert svg.find(f"{SVG}polyline") is None
    (marker,) = svg.iter(f"{SVG}circle")
    middle = charts.LEFT + (charts.WIDTH - charts.LEFT - charts.RIGHT) / 2
    assert float(marker.get("cx", "")) == middle
    assert float(marker.get("cy", "")) == Scale(-100, 100).y(0)
    (band,) = svg.iter(f"{SVG}polygon")
    xs = {float(pair.split(",")[0]) for pair in band.get("points", "").split()}
    assert xs == {middle - 4, middle + 4}


def test_the_band_runs_along_the_highs_and_back_along_the_lows() -> None:
    scale = Scale(-100, 100)
    points = [
        Point("a", 10.0, 0.0, 20.0),
        Point("b", 30.0, 10.0, 50.0),
        Point("c", 20.0, 5.0, 40.0),
    ]
    outline = charts.band_polygon(points, [0, 1, 2], scale)
    pairs = [tuple(map(float, pair.split(","))) for pair in outline.split()]
    ys = [y for _, y in pairs]
    expected = [20.0, 50.0, 40.0, 5.0, 10.0, 0.0]
    assert ys == [round(scale.y(v), 1) for v in expected]
    xs = [x for x, _ in pairs]
    assert xs[:3] == sorted(xs[:3]) and xs[3:] == sorted(xs[3:], reverse=True)
    # A lone point among many keeps its band within its own period.
    many = [Point(str(i), None) for i in range(91)]
    many[45] = Point("45", 0.0, -10.0, 10.0)
    lone = charts.band_polygon(many, [45], scale)
    xs = sorted({float(pair.split(",")[0]) for pair in lone.split()})
    spacing = (charts.WIDTH - charts.LEFT - charts.RIGHT) / 90
    assert xs[1] - xs[0] < spacing
    # A point without an interval (CSAT, CES) has no band.
    assert charts.band_polygon([Point("a", 50.0)], [0], scale) == ""


def test_a_gap_breaks_the_line_and_its_band() -> None:
    points = [
        Point("1", 10.0, 0.0, 20.0),
        Point("2", 20.0, 10.0, 30.0),
        Point("3", None),
        Point("4", 30.0, 20.0, 40.0),
        Point("5", 40.0, 30.0, 50.0),
    ]
    assert charts.runs(points) == [[0, 1], [3, 4]]
    svg = _line(points)
    assert len(list(svg.iter(f"{SVG}polyline"))) == 2
    assert len(list(svg.iter(f"{SVG}polygon"))) == 2
    assert len(list(svg.iter(f"{SVG}circle"))) == 4


def test_values_outside_the_axis_stay_on_the_plot() -> None:
    scale = Scale(1, 7)
    assert scale.y(0) == scale.y(1) == charts.HEIGHT - charts.BOTTOM
    assert scale.y(99) == scale.y(7) == charts.TOP


def test_only_the_first_middle_and_last_periods_are_labelled() -> None:
    points = [Point(f"2026-03-{day:02d}", float(day)) for day in range(1, 31)]
    svg = _line(points, low=0, high=31)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert labels[-3:] == ["2026-03-01", "2026-03-15", "2026-03-30"]
    assert charts.tick_indexes(2) == [0, 1]


def test_bars_are_as_high_as_their_counts_and_say_their_values() -> None:
    bars = [Bar("0", 1.0, "detractor"), Bar("9", 4.0, "promoter"), Bar("10", 0.0, "promoter")]
    svg = _parse(charts.bar_chart(bars, chart_id="d", title="t", description="d"))
    rects = list(svg.iter(f"{SVG}rect"))
    heights = [float(rect.get("height", "")) for rect in rects]
    assert heights[1] == charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert heights[0] == heights[1] / 4
    assert heights[2] == 0
    assert [rect.get("class") for rect in rects] == [
        "bar bar-detractor",
        "bar bar-promoter",
        "bar bar-promoter",
    ]
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["1", "4", "0"]


def test_ticks_and_values_are_written_in_the_pages_language() -> None:
    bars = [Bar("1", 2.5), Bar("2", 5.0)]
    swedish = _parse(
        charts.bar_chart(bars, chart_id="d", title="t", description="d", language="sv")
    )
    english = _parse(charts.bar_chart(bars, chart_id="d", title="t", description="d"))

    def texts(svg: ElementTree.Element, kind: str) -> list[str | None]:
        return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == kind]

    assert texts(swedish, "value") == ["2,5", "5"]
    assert texts(english, "value") == ["2.5", "5"]
    assert texts(swedish, "tick")[:3] == ["5", "2,5", "0"]  # the y axis: top, middle, zero
    trend = [Point("a", 1.2), Point("b", 1.4)]
    line = _parse(
        charts.line_chart(
            trend, chart_id="t", title="t", description="d", low=1.0, high=2.0, language="fi"
        )
    )
    assert texts(line, "tick")[:3] == ["2", "1,5", "1"]


def test_a_meter_is_hidden_from_assistive_technology_and_bounded() -> None:
    half = str(charts.meter(5, 10))
    assert 'aria-hidden="true"' in half
    assert 'width="50.0"' in half
    assert 'width="0.0"' in str(charts.meter(3, 0))
    assert 'width="100.0"' in str(charts.meter(30, 10))
    assert re.search(r'width="100%"', half)
