import pytest

# Helpers in tests/support assert like the tests do: with pytest's explanations.
pytest.register_assert_rewrite("tests.support")
