// The production desk's integrations: each link's status (OSC, webhooks, OBS per stage) and the last webhook
// deliveries, read from /overview/integrations every two seconds (a crew page; nothing here is pushed).
import { $, el, setText } from './dom.js';
import { _ } from './i18n.js';
import { formatTime } from './live.js';

const POLL_MS = 2000;
const NAMES = { 'osc in': _('OSC in'), 'osc out': _('OSC out'), webhooks: _('Webhooks'), obs: _('OBS') };
const STATES = {
  off: _('off'), connecting: _('connecting'), ok: _('working'), error: _('failing'), unreachable: _('unreachable'),
};
const DELIVERIES = {
  queued: _('queued'), retrying: _('retrying'), delivered: _('delivered'), failed: _('gave up'), dropped: _('dropped'),
};

function integrationItem(item, stageNames) {
  const name = NAMES[item.name] ?? item.name;
  const li = el('li');
  li.append(el('span', item.stage ? `${name} · ${stageNames.get(item.stage) ?? item.stage}` : name, 'integration-name'),
    el('span', STATES[item.state] ?? item.state, `integration-state state-${item.state}`));
  if (item.detail) li.append(el('span', item.detail, 'integration-detail'));
  return li;
}

function deliveryRow(entry, stageNames, zone) {
  const row = el('tr', '', entry.state === 'failed' || entry.state === 'dropped' ? 'delivery-failed' : '');
  const result = [DELIVERIES[entry.state] ?? entry.state, entry.code ? `HTTP ${entry.code}` : entry.error]
    .filter(Boolean).join(' · ');
  const attempts = entry.attempts > 1 ? ` (${_('attempt %(n)s', { n: entry.attempts })})` : '';
  for (const text of [formatTime(entry.at, zone), entry.trigger, stageNames.get(entry.stage) ?? entry.stage,
    entry.target, result + attempts, entry.latency_ms === null ? '' : `${entry.latency_ms} ms`]) {
    row.append(el('td', text));
  }
  return row;
}

/** Keep the desk's integration list and delivery log current; `zone()` is the event's time zone. */
export function watchIntegrations(stageNames, zone) {
  async function poll() {
    try {
      const response = await fetch('/overview/integrations', { headers: { Accept: 'application/json' } });
      if (response.ok) {
        const report = await response.json();
        $('integrations').replaceChildren(...report.integrations.map((item) => integrationItem(item, stageNames)));
        $('deliveries').replaceChildren(...report.deliveries.map((entry) => deliveryRow(entry, stageNames, zone())));
        $('deliveries-table').hidden = report.deliveries.length === 0;
        $('no-deliveries').hidden = report.deliveries.length > 0;
      }
    } catch (error) {
      setText($('no-deliveries'), _('The integration status could not be read just now.'));
    }
    setTimeout(poll, POLL_MS);
  }
  poll();
}
