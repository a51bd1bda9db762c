"""load.py's byte pre-check for control characters finds exactly what the regex finds."""

from hypothesis import given, settings, strategies as st

from sitegen.load import CONTROL_CHARACTER, decode_source

CHARACTERS = st.sampled_from(["a", " ", "\t", "\n", "\r", "é", "—", "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\x85",
                              "\ufffe", "\uffff", "\ufffd", "\U0001f600", "\uefbf"])


@given(st.lists(CHARACTERS, max_size=40).map("".join))
@settings(max_examples=400, deadline=None)
def test_the_byte_test_never_hides_a_control_character(text):
    problems = []
    decoded = decode_source(text.encode("utf-8"), "x.md", problems)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    expected_bad = CONTROL_CHARACTER.search(normalised) is not None
    assert (decoded is None) == expected_bad
    assert bool(problems) == expected_bad
