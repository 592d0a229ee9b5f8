"""Text that people will see on a screen: proper Unicode, without control characters or bidi overrides."""

from __future__ import annotations

# Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069) can reorder what a screen shows
# (a message that reads backwards, a name that hides another); the plain marks U+200E/U+200F stay.
BIDI_CONTROLS = tuple(range(0x202A, 0x202F)) + tuple(range(0x2066, 0x206A))
# C0 controls, DEL and the C1 controls: NUL, ESC (terminal colours in a journal), backspace, ...
CONTROLS = tuple(range(0x00, 0x20)) + tuple(range(0x7F, 0xA0))
LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\x85")


def _table(multiline: bool) -> dict[int, str | None]:
    """What each refused character becomes: nothing, a space for a tab (and a newline on one line)."""
    table: dict[int, str | None] = {code: None for code in CONTROLS + BIDI_CONTROLS}
    table[ord("\t")] = " "
    table[ord("\n")] = "\n" if multiline else " "
    return table


ONE_LINE = _table(multiline=False)
MANY_LINES = _table(multiline=True)


class UnreadableText(ValueError):
    """A string that is not proper Unicode (a lone surrogate such as "\\ud800" cannot be stored or sent)."""


def is_proper_unicode(value: str) -> bool:
    """True when `value` has no lone surrogates, so it can be written as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_text(value: str, *, multiline: bool = False) -> str:
    """`value` without control characters and bidi overrides: tabs become spaces, line breaks become "\\n" when
    `multiline` (a space otherwise); UnreadableText when it is not proper Unicode."""
    if not is_proper_unicode(value):
        raise UnreadableText("not proper Unicode (a lone surrogate)")
    if value.isprintable():  # the common case: nothing to take out
        return value
    for line_break in LINE_BREAKS:
        value = value.replace(line_break, "\n")
    return value.translate(MANY_LINES if multiline else ONE_LINE)
