import pytest

from hub.errors import ErrorCode, ValidationFailed
from hub.models.theme import ThemeRule
from hub.services.themes.matching import compile_theme, language_of, stem, tag

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
        ([ThemeRule(language="es", terms=[])], ErrorCode.RULE_EMPTY, "rules.0"),
        ([ThemeRule(language="es", terms=["  "])], ErrorCode.RULE_EMPTY, "rules.0"),
        (
            [ThemeRule(language="de", terms=["x"])],
            ErrorCode.UNSUPPORTED_LANGUAGE,
            "rules.0.language",
        ),
        (
            [ThemeRule(language="en", terms=["(a+)+$"])],
            ErrorCode.INVALID_INPUT,
            "rules.0.terms.0",
        ),
        ([ThemeRule(language="en", terms=["a*"])], ErrorCode.INVALID_INPUT, "rules.0.terms.0"),
        (
            [ThemeRule(language="en", terms=["x"], exclusions=[""])],
            ErrorCode.RULE_EMPTY,
            "rules.0.exclusions.0",
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


SUPPORT = compile_theme(
    "support",
    [
        ThemeRule(language="en", terms=["support team", "didn't answer"]),
        ThemeRule(language="es", terms=["atención al cliente"]),
        ThemeRule(language="sv", terms=["kostnad", "*kostnad", "far"]),
        ThemeRule(language="nb", terms=["*pris"]),
        ThemeRule(language="fi", terms=["*hinta"]),
        ThemeRule(language="nl", terms=["intuïtief", "*betaling"]),
    ],
)


@pytest.mark.parametrize("text", ["", "   ", "?!… -- ''", "😀😀"])
def test_a_comment_without_words_matches_nothing(text: str) -> None:
    assert tag(text, "en", [BILLING, PRICE, SUPPORT]) == []
    assert tag(text, None, [BILLING, PRICE, SUPPORT]) == []


def test_a_term_longer_than_the_comment_matches_nothing() -> None:
    assert tag("team", "en", [SUPPORT]) == []
    assert tag("support", "en", [SUPPORT]) == []


def test_a_very_long_comment_is_matched_to_its_end() -> None:
    text = "lorem ipsum dolor " * 20_000 + "the support team was great"
    [match] = tag(text, "en", [SUPPORT])
    assert match.words == ("support", "team")


@pytest.mark.parametrize(
    "text",
    [
        "The SUPPORT Team",
        "the support team\u2019s answers",
        "They didn\u2019t answer",
        "didn\u02bct ANSWER",
    ],
)
def test_case_and_typographic_apostrophes_do_not_matter(text: str) -> None:
    [match] = tag(text, "en", [SUPPORT])
    assert match.theme == "support"


def test_an_apostrophe_keeps_its_word_whole_as_it_was_written() -> None:
    [match] = tag("They didn\u2019t answer", "en", [SUPPORT])
    assert (match.rule, match.words) == ("didn't answer", ("didn\u2019t", "answer"))


@pytest.mark.parametrize(
    ("text", "language", "words"),
    [
        ("La atencion al cliente es lenta", "es", ("atencion", "al", "cliente")),
        ("La ATENCIÓN al cliente", "es", ("ATENCIÓN", "al", "cliente")),
        ("Heel intuitief", "nl", ("intuitief",)),
    ],
)
def test_accents_are_dropped_where_they_only_mark_a_letter(
    text: str, language: str, words: tuple[str, ...]
) -> None:
    [match] = tag(text, language, [SUPPORT])
    assert match.words == words


def test_nordic_letters_and_the_spanish_n_with_tilde_are_letters_of_their_own() -> None:
    assert tag("Jag får ingen hjälp", "sv", [SUPPORT]) == []
    year = compile_theme("year", [ThemeRule(language="es", terms=["año"])])
    assert tag("ano", "es", [year]) == []
    assert [m.words for m in tag("Este AÑO", "es", [year])] == [("AÑO",)]


@pytest.mark.parametrize(
    ("text", "language", "rule", "word"),
    [
        ("Månedsprisen er for høy", "nb", "*pris", "Månedsprisen"),
        ("Prisene er for høye", "nb", "*pris", "Prisene"),
        ("Kuukausihinta on liian korkea", "fi", "*hinta", "Kuukausihinta"),
        ("Kuukausihinnat nousivat", "fi", "*hinta", "Kuukausihinnat"),
        ("De creditcardbetaling lukt niet", "nl", "*betaling", "creditcardbetaling"),
        ("Månadskostnaden är för hög", "sv", "*kostnad", "Månadskostnaden"),
    ],
)
def test_a_word_beginning_with_a_star_matches_compounds_ending_in_a_form_of_it(
    text: str, language: str, rule: str, word: str
) -> None:
    [match] = tag(text, language, [SUPPORT])
    assert (match.rule, match.words) == (rule, (word,))


def test_an_inflection_ending_is_not_taken_for_the_last_part_of_a_compound() -> None:
    # "asioihin" ends in "hin", the stem of "hinta", but as an ending, not a word.
    assert tag("Liian monta klikkausta yksinkertaisiin asioihin", "fi", [SUPPORT]) == []
    assert tag("Prisma er et annet ord", "nb", [SUPPORT]) == []


def test_a_word_matches_where_snowball_stopped_one_suffix_short() -> None:
    # Snowball: "kostnad" → "kostn", but "kostnaden" → "kostnad".
    [match] = tag("Kostnaden är för hög", "sv", [SUPPORT])
    assert (match.rule, match.words) == ("kostnad", ("Kostnaden",))


@pytest.mark.parametrize(
    "term", ["*pris*", "*ab", "ab*", "**", "*", "pr*is", "*-pris", "**pris", "pris**"]
)
def test_a_star_stands_only_at_one_end_of_a_long_enough_word(term: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        compile_theme("t", [ThemeRule(language="nb", terms=[term])])
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.INVALID_INPUT,
        "rules.0.terms.0",
    )


TYPOS = compile_theme(
    "billing",
    [
        ThemeRule(language="en", terms=["invoice", "form"]),
        ThemeRule(language="nb", terms=["faktura*"]),
    ],
)


@pytest.mark.parametrize(
    ("text", "language", "word"),
    [("Got an invocie", "en", "invocie"), ("Fikk faktuar i dag", "nb", "faktuar")],
)
def test_two_neighbouring_letters_swapped_in_a_long_word_still_match(
    text: str, language: str, word: str
) -> None:
    [match] = tag(text, language, [TYPOS])
    assert match.words == (word,)


@pytest.mark.parametrize(
    ("text", "language"),
    [("Sent from home", "en"), ("Got an inovcie", "en"), ("Got an ivnocie", "en")],
)
def test_short_words_and_other_typos_do_not_match(text: str, language: str) -> None:
    assert tag(text, language, [TYPOS]) == []


@pytest.mark.parametrize(
    ("text", "word"), [("¡Carísimo!", "Carísimo"), ("Es carisima", "carisima"), ("caros", "caros")]
)
def test_a_spanish_superlative_matches_its_adjective(text: str, word: str) -> None:
    expensive = compile_theme("pricing", [ThemeRule(language="es", terms=["caro"])])
    [match] = tag(text, "es", [expensive])
    assert match.words == (word,)


def test_a_star_at_the_start_stems_a_bounded_number_of_endings_of_a_long_word() -> None:
    # One "word" of 30,000 letters, "hin" (the stem of "hinta") all along it.
    misses = stem.cache_info().misses
    assert tag("hin" * 10_000 + "ta", "fi", [SUPPORT]) != []
    assert stem.cache_info().misses - misses < 20
