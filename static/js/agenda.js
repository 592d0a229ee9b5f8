// Public agenda: the day with a live "now" marker, projected times when late, stream badges.
import { startLive, t, el, formatTime } from './live.js';

const stages = new Map();
const view = { zone: 'UTC', names: new Map() };

function render() {
  const container = document.getElementById('stages');
  const sections = [];
  for (const [stageId, { blocks, snap }] of stages) {
    if (!snap) continue;
    const section = el('section', '', 'panel');
    if (stages.size > 1) section.append(el('h2', view.names.get(stageId) || stageId));
    const table = el('table');
    const tbody = el('tbody');
    for (const row of snap.projections) {
      const block = blocks.get(row.block_id);
      const tr = el('tr', '', row.state);
      if (row.state === 'current') tr.setAttribute('aria-current', 'true');
      const time = el('td');
      time.append(el('span', formatTime(row.planned_start_ms, view.zone), row.delay_ms > 60000 && row.state === 'upcoming' ? 'muted' : ''));
      if (row.state === 'upcoming' && Math.abs(row.delay_ms) >= 60000) {
        time.append(el('br'));
        time.append(el('strong', formatTime(row.projected_start_ms, view.zone), 'late'));
      }
      tr.append(time);
      const what = el('td');
      what.append(el('div', (row.state === 'current' ? `${t('now')}: ` : '') + row.title));
      if (block && block.stream === 'live') what.append(el('span', t('stream_live'), 'badge live'));
      tr.append(what);
      tbody.append(tr);
    }
    table.append(tbody);
    section.append(table);
    sections.push(section);
  }
  container.replaceChildren(...sections);
}

startLive({
  audience: 'agenda',
  handlers: {
    agenda: (payload) => {
      view.zone = payload.event.timezone;
      for (const s of payload.event.stages) view.names.set(s.id, s.name);
      const entry = stages.get(payload.stage_id) || {};
      entry.blocks = new Map(payload.blocks.map((block) => [block.id, block]));
      stages.set(payload.stage_id, entry);
      render();
    },
    snapshot: (snap) => {
      const entry = stages.get(snap.stage_id) || { blocks: new Map() };
      entry.snap = snap;
      stages.set(snap.stage_id, entry);
      render();
    },
  },
});
