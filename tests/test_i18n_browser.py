"""The screens' gettext in a real browser: the catalogue a page hands over, its plural rule, the source fallback."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.browser import evaluate_with_scripts

pytestmark = pytest.mark.slow
PROBE = """async () => {
  const { _, ngettext } = await import('/static/js/i18n.js');
  return [_('Reconnecting…'), _('Ends at %(time)s', { time: '10:30' }), _('not a message'),
          ngettext('%(num)s block changed', '%(num)s blocks changed', 1),
          ngettext('%(num)s block changed', '%(num)s blocks changed', 3),
          ngettext('in %(num)s min', 'in %(num)s min', 0)];
}"""


def probe(browser: Any, app: Any, language: str) -> list[str]:
    """Run the scripts' gettext on a page that holds the catalogue `/agenda?lang=<language>` hands over."""
    html = app.test_client().get(f"/agenda?lang={language}").get_data(as_text=True)
    catalogue = re.search(r'<script id="catalogue".*?</script>', html, re.S).group(0)
    page_html = f'<!doctype html><html lang="{language}"><body>{catalogue}</body></html>'

    return evaluate_with_scripts(browser, page_html, PROBE)


def test_scripts_translate_with_the_catalogue_and_its_plural_rule(browser: Any, app: Any) -> None:
    assert probe(browser, app, "nb") == ["Kobler til igjen…", "Slutter kl. 10:30", "not a message",
                                         "1 bolk endret", "3 bolker endret", "om 0 min"]


def test_scripts_show_the_source_text_in_english(browser: Any, app: Any) -> None:
    assert probe(browser, app, "en") == ["Reconnecting…", "Ends at 10:30", "not a message",
                                         "1 block changed", "3 blocks changed", "in 0 min"]
