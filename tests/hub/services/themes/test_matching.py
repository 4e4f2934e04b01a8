import pytest

from hub.errors import ErrorCode, ValidationFailed
from hub.models.theme import ThemeRule
from hub.services.themes.matching import compile_theme, language_of, tag

BILLING = compile_theme(
    "billing",
    [
        ThemeRule(language="es", terms=["factura", "cobro doble"], exclusions=["sin factura"]),
        ThemeRule(language="nb", terms=["faktura*"]),
    ],
)
PRICE = compile_theme(
    "price", [ThemeRule(language="en", terms=["expensive"], exclusions=["not expensive"])]
)


@pytest.mark.parametrize("text", ["Una factura", "Dos FACTURAS", "La facturación es un lío"])
def test_one_rule_matches_every_form_of_a_word(text: str) -> None:
    [match] = tag(text, "es", [BILLING, PRICE])
    assert (match.theme, match.language, match.rule) == ("billing", "es", "factura")
    assert match.words[0].casefold().startswith("factura")


def test_a_phrase_matches_its_words_in_order_only() -> None:
    assert [m.words for m in tag("Me hicieron un cobro doble", "es", [BILLING])] == [
        ("cobro", "doble")
    ]
    assert tag("doble cobro", "es", [BILLING]) == []


def test_a_prefix_word_matches_compounds() -> None:
    [match] = tag("Fakturabeløpet er feil", "nb", [BILLING])
    assert match.words == ("Fakturabeløpet",)


def test_an_occurrence_inside_an_exclusion_does_not_count_but_another_does() -> None:
    assert tag("It is not expensive at all", "en", [PRICE]) == []
    [match] = tag("Not expensive, but shipping is expensive!", "en", [PRICE])
    assert match.words == ("expensive",)


def test_only_rules_of_the_comments_language_apply() -> None:
    assert tag("factura", "en", [BILLING]) == []
    assert [m.theme for m in tag("factura", None, [BILLING])] == ["billing"]


@pytest.mark.parametrize(
    ("locale", "language"),
    [("es-MX", "es"), ("nb_NO", "nb"), ("no", "nb"), ("FI", "fi"), ("de", None), (None, None)],
)
def test_language_of_a_locale(locale: str | None, language: str | None) -> None:
    assert language_of(locale) == language


@pytest.mark.parametrize(
    ("rules", "code", "field"),
    [
        ([], ErrorCode.RULE_EMPTY, "rules"),
        ([ThemeRule(language="es", terms=[])], ErrorCode.RULE_EMPTY, "rules[0]"),
        ([ThemeRule(language="es", terms=["  "])], ErrorCode.RULE_EMPTY, "rules[0]"),
        (
            [ThemeRule(language="de", terms=["x"])],
            ErrorCode.UNSUPPORTED_LANGUAGE,
            "rules[0].language",
        ),
        (
            [ThemeRule(language="en", terms=["(a+)+$"])],
            ErrorCode.INVALID_INPUT,
            "rules[0].terms[0]",
        ),
        ([ThemeRule(language="en", terms=["a*"])], ErrorCode.INVALID_INPUT, "rules[0].terms[0]"),
        (
            [ThemeRule(language="en", terms=["x"], exclusions=[""])],
            ErrorCode.RULE_EMPTY,
            "rules[0].exclusions[0]",
        ),
        (
            [ThemeRule(language="en", terms=["x"]), ThemeRule(language="en", terms=["y"])],
            ErrorCode.INVALID_INPUT,
            "rules",
        ),
    ],
)
def test_bad_rules_are_refused_with_a_typed_error(
    rules: list[ThemeRule], code: ErrorCode, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        compile_theme("t", rules)
    assert (refused.value.code, refused.value.field) == (code, field)
