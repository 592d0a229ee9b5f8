// Setup page: the connected-screens table, drawn from the page's data and refreshed every few seconds.
import { $, el } from './dom.js';
import { _, ngettext } from './i18n.js';

const REFRESH_MS = 5000;

/** "just now", "5 seconds ago", "3 minutes ago", "2 hours ago", or "never" for a screen not seen. */
export function seenAgo(seconds) {
  if (seconds === null || seconds === undefined) return _('never');
  if (seconds < 5) return _('just now');
  if (seconds < 120) return ngettext('%(num)s second ago', '%(num)s seconds ago', Math.floor(seconds));
  if (seconds < 7200) return ngettext('%(num)s minute ago', '%(num)s minutes ago', Math.floor(seconds / 60));
  return ngettext('%(num)s hour ago', '%(num)s hours ago', Math.floor(seconds / 3600));
}

function rowClass(screen) {
  if (screen.connected > 0) return 'presence-row live';
  return screen.seconds_ago === null ? 'presence-row never' : 'presence-row gone';
}

function draw(screens) {
  const rows = screens.map((screen) => {
    const row = el('tr', '', rowClass(screen));
    row.dataset.audience = screen.audience;
    row.append(el('th', screen.screen), el('td', String(screen.connected)), el('td', seenAgo(screen.seconds_ago)));
    row.firstChild.scope = 'row';
    return row;
  });
  $('presence').replaceChildren(...rows);
}

async function refresh() {
  try {
    const response = await fetch('/setup/presence', { credentials: 'same-origin' });
    const body = await response.json();
    if (body.ok) draw(body.screens);
  } catch (error) {
    // The server is away for a moment: keep the last table, try again on the next round.
  }
}

draw(JSON.parse($('presence-data').textContent));
setInterval(refresh, REFRESH_MS);
