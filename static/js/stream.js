// Stream operator view: on air or not, the next planned on/off transition with a countdown, the plan.
import { startLive, t, el, setText, formatCountdown, formatTime } from './live.js';

const body = document.body;
const view = { snap: null, blocks: new Map(), zone: 'UTC' };
const $ = (id) => document.getElementById(id);
const AIR = { live: 'on_air', off: 'off_air', on_request: 'on_request', unspecified: 'unspecified' };

function plan() {
  const snap = view.snap;
  const block = snap && snap.current ? view.blocks.get(snap.current.block_id) : null;
  return block ? block.stream : 'off';
}

function frame(now) {
  const next = view.snap?.next_stream_transition;
  setText($('countdown'), next ? formatCountdown(next.at_ms - now) : '--:--');
}

function render() {
  const snap = view.snap;
  const current = plan();
  const badge = $('air');
  badge.className = `badge ${current}`;
  setText(badge, t(AIR[current] || 'unspecified'));
  setText($('now-title'), snap.current ? snap.current.title : t(snap.status));
  const next = snap.next_stream_transition;
  const nextBlock = next ? view.blocks.get(next.block_id) : null;
  setText($('transition'), next ? `${t(AIR[next.to])} ${formatTime(next.at_ms, view.zone)}${nextBlock ? ', ' + nextBlock.title : ''}` : t('nothing_more'));
  setText($('mismatch'), snap.stream_mismatch ? `${t('stream_live')}: ${snap.stream_on ? t('on_air') : t('off_air')} ≠ ${t(AIR[current])}` : '');
  const rows = snap.projections.map((row) => {
    const tr = el('tr', '', row.state);
    tr.append(el('td', formatTime(row.projected_start_ms, view.zone)));
    tr.append(el('td', row.title));
    const block = view.blocks.get(row.block_id);
    const badgeCell = el('td');
    if (block) badgeCell.append(el('span', t(AIR[block.stream]), `badge ${block.stream}`));
    tr.append(badgeCell);
    return tr;
  });
  $('timeline').replaceChildren(...rows);
}

startLive({
  audience: 'stream',
  stage: body.dataset.stage,
  handlers: {
    agenda: (payload) => {
      view.zone = payload.event.timezone;
      view.blocks = new Map(payload.blocks.map((block) => [block.id, block]));
      if (view.snap) render();
    },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
