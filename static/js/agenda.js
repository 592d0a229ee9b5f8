// Public agenda, mobile first: the day with a live "now" marker, projected times when the show runs
// late, stream badges. Only public data ever reaches this page. Rows are updated in place by block id
// (an opened "More", focus and the scroll position survive a push); only the short status line is live.
import { startLive, readAgenda, stageEntry, formatTime, delayMinutes, lateNotice, serverNow } from './live.js';
import { $, el, setText } from './dom.js';
import { _ } from './i18n.js';
import { endedText } from './labels.js';
import { eventDay, daysWithBlocks, shownDay, dayLabel } from './days.js';
import { arrange, refill } from './keyed.js';

const stages = new Map(); // stage id -> { blocks, snap }: snapshots with times moved to now by live.js
const view = { zone: 'UTC', dayChange: '04:00', names: new Map(), today: null, picked: null, sections: new Map(), slotHeading: 'h3' };

/** The start time: projected (with the planned one struck through) when the block has moved a minute or more. */
function fillTime(cell, row) {
  const moved = (row.state === 'upcoming' || row.state === 'current') && row.projected_start_ms !== null && Math.abs(row.delay_ms) >= 60000;
  const planned = formatTime(row.planned_start_ms, view.zone);
  const projected = moved ? formatTime(row.projected_start_ms, view.zone) : '';
  refill(cell, `${planned}|${projected}`, () => {
    if (!moved) return [el('strong', planned)];
    const was = el('s', planned, 'was');
    was.setAttribute('aria-label', _('was %(time)s', { time: planned }));
    return [el('strong', projected, 'late'), was];
  });
}

function badgeNodes(row, block) {
  const badges = [];
  if (block && block.stream === 'live') badges.push(el('span', _('Streamed'), 'badge live'));
  if (block && block.stream === 'on_request') badges.push(el('span', _('Stream on request'), 'badge on_request'));
  if (row.state === 'done') badges.push(el('span', _('Done'), 'badge off'));
  if (row.state === 'skipped') badges.push(el('span', _('Skipped'), 'badge off'));
  return badges;
}

/** A row's element with its parts, built once per block; `update` fills it from the newest snapshot. */
function item(blockId) {
  const li = el('li');
  li.dataset.block = blockId;
  const what = el('div', '', 'slot-what');
  const parts = {
    time: el('div', '', 'slot-time'), title: el(view.slotHeading, '', 'slot-title'), badges: el('p', '', 'badges'),
    speakers: el('p', '', 'speakers'), details: el('details'), progress: el('div', '', 'progress'),
  };
  parts.progress.setAttribute('aria-hidden', 'true');
  parts.progress.append(el('span'));
  what.append(parts.title, parts.badges, parts.speakers, parts.details, parts.progress);
  li.append(parts.time, what);
  li.parts = parts;
  return li;
}

function update(li, row, block) {
  const { parts } = li;
  const className = `slot ${row.state}`;
  if (li.className !== className) li.className = className;
  if (row.state === 'current') li.setAttribute('aria-current', 'time');
  else li.removeAttribute('aria-current');
  fillTime(parts.time, row);
  const now = row.state === 'current';
  refill(parts.title, `${now}|${row.title}`, () => (now ? [el('span', _('Now'), 'now-badge'), ' ', row.title] : [row.title]));
  const badges = badgeNodes(row, block);
  refill(parts.badges, badges.map((badge) => badge.className).join('|'), () => badges);
  parts.badges.hidden = !badges.length;
  const speakers = block ? block.speakers.join(', ') : '';
  setText(parts.speakers, speakers);
  parts.speakers.hidden = !speakers;
  const description = block ? block.description : '';
  // The <details> element stays, so a "More" someone opened stays open.
  refill(parts.details, description, () => [el('summary', _('More')), ...description.split(/\n\s*\n/).map((para) => el('p', para))]);
  parts.details.hidden = !description;
  parts.progress.hidden = !now;
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

function dayTabs(list) {
  const nav = el('nav', '', 'day-tabs');
  nav.setAttribute('aria-label', _('Days'));
  for (const day of list) {
    const button = el('button', dayLabel(day), 'day-tab');
    button.type = 'button';
    button.dataset.day = day;
    if (day === view.today) button.append(el('span', ` · ${_('today')}`, 'muted'));
    button.addEventListener('click', () => { view.picked = day; render(); });
    nav.append(button);
  }
  return nav;
}

/** The day tabs, built when the days change; the pressed one follows the day shown. */
function renderDays(list, shown) {
  const box = $('days');
  refill(box, `${list.join(',')}|${view.today}`, () => (list.length > 1 ? [dayTabs(list), el('h2', '', 'day-heading')] : []));
  for (const button of box.querySelectorAll('.day-tab')) button.setAttribute('aria-pressed', button.dataset.day === shown ? 'true' : 'false');
  setText(box.querySelector('.day-heading'), dayLabel(shown));
}

/** A stage's section, kept from push to push. */
function section(stageId) {
  let node = view.sections.get(stageId);
  if (!node) {
    node = el('section', '', 'agenda-stage');
    node.dataset.stage = stageId;
    node.append(el('h2'), el('ol', '', 'slots'));
    node.rows = new Map(); // block id -> row element
    view.sections.set(stageId, node);
  }
  const name = view.names.get(stageId) || stageId;
  node.setAttribute('aria-label', name);
  setText(node.firstChild, name);
  node.firstChild.hidden = stages.size < 2;
  return node;
}

/** The short status line: how late the show runs, or that it has ended. */
function renderStatus() {
  let late = 0;
  let over = stages.size > 0;
  let endedMs = null;
  for (const { snap } of stages.values()) {
    if (!snap) { over = false; continue; }
    late = Math.max(late, delayMinutes(snap.delay_ms));
    if (snap.status === 'finished') endedMs = Math.max(endedMs ?? 0, snap.ended_ms ?? 0) || null;
    else over = false;
  }
  const ended = over ? endedText(endedMs, view.zone) : null;
  const text = ended ? [ended.title, ended.when].filter(Boolean).join(' · ') : late > 0 ? lateNotice(late) : '';
  const status = $('delay');
  status.hidden = !text;
  status.classList.toggle('ended', Boolean(ended));
  setText(status, text);
}

function render() {
  if (view.today === null) view.today = eventDay(serverNow(), view.zone, view.dayChange);
  const { list, shown } = days();
  renderDays(list, shown);
  const heading = list.length > 1 || stages.size > 1 ? 'h3' : 'h2'; // one level below the nearest heading
  if (heading !== view.slotHeading) {
    view.slotHeading = heading;
    for (const node of view.sections.values()) node.rows.clear();
  }
  const sections = [];
  for (const [stageId, { blocks, snap }] of stages) {
    if (!snap || !blocks) continue;
    const node = section(stageId);
    const rows = [];
    for (const row of snap.projections) {
      const block = blocks.get(row.block_id);
      if (!block || block.day !== shown) continue;
      if (!node.rows.has(row.block_id)) node.rows.set(row.block_id, item(row.block_id));
      const li = node.rows.get(row.block_id);
      update(li, row, block);
      rows.push(li);
    }
    arrange(node.lastChild, rows);
    if (rows.length) sections.push(node);
  }
  arrange($('stages'), sections);
  renderStatus();
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
