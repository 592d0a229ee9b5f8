// Public agenda, mobile first: the day with a live "now" marker, projected times when the show runs
// late, stream badges. Only public data ever reaches this page.
import { startLive, readAgenda, stageEntry, formatTime, delayMinutes, lateNotice, serverNow } from './live.js';
import { $, el, setText } from './dom.js';
import { _ } from './i18n.js';
import { eventDay, daysWithBlocks, shownDay, dayLabel } from './days.js';

const stages = new Map(); // stage id -> { blocks, snap }
const view = { zone: 'UTC', dayChange: '04:00', names: new Map(), today: null, picked: null };

function timeCell(row) {
  const cell = el('div', '', 'slot-time');
  const moved = (row.state === 'upcoming' || row.state === 'current') && row.projected_start_ms !== null && Math.abs(row.delay_ms) >= 60000;
  if (moved) {
    cell.append(el('strong', formatTime(row.projected_start_ms, view.zone), 'late'));
    const was = el('s', formatTime(row.planned_start_ms, view.zone), 'was');
    was.setAttribute('aria-label', _('was %(time)s', { time: formatTime(row.planned_start_ms, view.zone) }));
    cell.append(was);
  } else {
    cell.append(el('strong', formatTime(row.planned_start_ms, view.zone)));
  }
  return cell;
}

function item(row, block) {
  const li = el('li', '', `slot ${row.state}`);
  if (row.state === 'current') li.setAttribute('aria-current', 'time');
  li.dataset.block = row.block_id;
  li.append(timeCell(row));
  const what = el('div', '', 'slot-what');
  const title = el(view.slotHeading || 'h3', '', 'slot-title');
  if (row.state === 'current') title.append(el('span', _('Now'), 'now-badge'), document.createTextNode(' '));
  title.append(document.createTextNode(row.title));
  what.append(title);
  const badges = el('p', '', 'badges');
  if (block && block.stream === 'live') badges.append(el('span', _('Streamed'), 'badge live'));
  if (block && block.stream === 'on_request') badges.append(el('span', _('Stream on request'), 'badge on_request'));
  if (row.state === 'done') badges.append(el('span', _('Done'), 'badge off'));
  if (row.state === 'skipped') badges.append(el('span', _('Skipped'), 'badge off'));
  if (badges.children.length) what.append(badges);
  if (block && block.speakers.length) what.append(el('p', block.speakers.join(', '), 'speakers'));
  if (block && block.description) {
    const details = el('details');
    details.append(el('summary', _('More')));
    for (const para of block.description.split(/\n\s*\n/)) details.append(el('p', para));
    what.append(details);
  }
  if (row.state === 'current') {
    const bar = el('div', '', 'progress');
    bar.setAttribute('aria-hidden', 'true');
    bar.append(el('span'));
    what.append(bar);
  }
  li.append(what);
  return li;
}

/** The days with blocks and the one to show: the one picked, else today's (or the day being run). */
function days() {
  const all = [];
  let running = null;
  for (const { blocks, snap } of stages.values()) {
    if (!blocks) continue;
    all.push(...blocks.values());
    const current = snap && snap.current && blocks.get(snap.current.block_id);
    if (current && !running) running = current.day;
  }
  const list = daysWithBlocks(all);
  const shown = view.picked && list.includes(view.picked) ? view.picked : shownDay(list, view.today, running);
  return { list, shown };
}

function dayTabs(list, shown) {
  const nav = el('nav', '', 'day-tabs');
  nav.setAttribute('aria-label', _('Days'));
  for (const day of list) {
    const button = el('button', dayLabel(day), 'day-tab');
    button.type = 'button';
    button.dataset.day = day;
    button.setAttribute('aria-pressed', day === shown ? 'true' : 'false');
    if (day === view.today) button.append(el('span', ` · ${_('today')}`, 'muted'));
    button.addEventListener('click', () => { view.picked = day; render(); });
    nav.append(button);
  }
  return nav;
}

function render() {
  const sections = [];
  let late = 0;
  if (view.today === null) view.today = eventDay(serverNow(), view.zone, view.dayChange);
  const { list, shown } = days();
  view.slotHeading = list.length > 1 || stages.size > 1 ? 'h3' : 'h2'; // one level below the nearest heading
  $('days').replaceChildren(...(list.length > 1 ? [dayTabs(list, shown), el('h2', dayLabel(shown), 'day-heading')] : []));
  for (const [stageId, { blocks, snap }] of stages) {
    if (!snap || !blocks) continue;
    late = Math.max(late, delayMinutes(snap.delay_ms));
    const section = el('section', '', 'agenda-stage');
    const name = view.names.get(stageId) || stageId;
    section.setAttribute('aria-label', name);
    if (stages.size > 1) section.append(el('h2', name));
    const list = el('ol', '', 'slots');
    for (const row of snap.projections) {
      const block = blocks.get(row.block_id);
      if (block && block.day === shown) list.append(item(row, block));
    }
    if (!list.children.length) continue;
    section.append(list);
    sections.push(section);
  }
  $('stages').replaceChildren(...sections);
  $('delay').hidden = late <= 0;
  setText($('delay'), late > 0 ? lateNotice(late) : '');
}

/** Every frame: the "now" marker's progress through the current block. */
function frame(now) {
  const today = eventDay(now, view.zone, view.dayChange);
  if (today !== view.today) { view.today = today; render(); }
  for (const { snap } of stages.values()) {
    const current = snap && snap.current;
    if (!current) continue;
    const bar = document.querySelector(`[data-block="${CSS.escape(current.block_id)}"] .progress > span`);
    if (!bar) continue;
    const span = current.time_up_ms - current.actual_start_ms;
    const done = current.paused ? current.elapsed_ms : current.elapsed_ms + (now - snap.now_ms);
    const width = `${Math.round(Math.min(1, Math.max(0, span > 0 ? done / span : 1)) * 1000) / 10}%`;
    if (bar.style.width !== width) bar.style.width = width;
  }
}

startLive({
  audience: 'agenda',
  handlers: {
    frame,
    agenda: (payload) => {
      stageEntry(stages, payload.stage_id).blocks = readAgenda(view, payload);
      view.today = null;
      for (const s of payload.event.stages) view.names.set(s.id, s.name);
      render();
    },
    snapshot: (snap) => { stageEntry(stages, snap.stage_id).snap = snap; render(); },
  },
});
