// Stream operator view: on air or not, the next planned transition with a countdown, the day's stream
// windows, the actual stream state with a mismatch warning, and the slate for remote viewers in breaks.
import { startLive, command, readAgenda, formatCountdown, formatTime, formatClock } from './live.js';
import { $, el, setText, setClass } from './dom.js';
import { _ } from './i18n.js';
import { statusText, airText, transitionText, mismatchText, recordBadge } from './labels.js';
import { eventDay, daysWithBlocks, shownDay } from './days.js';
import { showStageScreen } from './stagescreen.js';
import { obsProblem, showObs } from './obs.js';

const body = document.body;
const view = { snap: null, blocks: new Map(), zone: 'UTC', dayChange: '04:00', stageScreen: '' };
function plan() {
  const snap = view.snap;
  const block = snap && snap.current ? view.blocks.get(snap.current.block_id) : null;
  return block ? block.stream : 'off';
}

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  const next = view.snap?.next_stream_transition;
  setText($('countdown'), next ? formatCountdown(next.at_ms - now) : '--:--');
  setText($('transition'), transitionText(next, view.blocks, view.zone, now));
  if (view.snap) showStageScreen($('stage-screen'), $('stage-message'), view.snap, now);
  if (view.snap) showObs($('obs'), view.snap, now);
}

/** The rows of the day being run (or today's): an operator plans one day of stream at a time. */
function dayRows() {
  const snap = view.snap;
  const days = daysWithBlocks([...view.blocks.values()]);
  if (days.length < 2) return snap.projections;
  const id = snap.current ? snap.current.block_id : snap.next ? snap.next.block_id : null;
  const running = id && view.blocks.get(id) ? view.blocks.get(id).day : null;
  const day = running || shownDay(days, eventDay(snap.now_ms, view.zone, view.dayChange));
  return snap.projections.filter((row) => view.blocks.get(row.block_id)?.day === day);
}

/** Contiguous live blocks merged into windows: [{start, end, titles}] with projected times. */
function windows(kind) {
  const result = [];
  let open = null;
  for (const row of dayRows()) {
    const block = view.blocks.get(row.block_id);
    if (row.projected_start_ms === null || !block) continue;
    const matches = block.stream === kind && row.projected_end_ms > row.projected_start_ms;
    if (matches && open && open.end === row.projected_start_ms) {
      open.end = row.projected_end_ms;
      open.titles.push(row.title);
      open.done = open.done && row.state === 'done';
    } else if (matches) {
      open = { start: row.projected_start_ms, end: row.projected_end_ms, titles: [row.title], done: row.state === 'done' };
      result.push(open);
    } else open = null;
  }
  return result;
}

function windowItems(list) {
  if (!list.length) return [el('li', _('No streamed blocks.'), 'muted')];
  return list.map((w) => {
    const li = el('li', '', w.done ? 'done' : '');
    li.append(el('strong', `${formatTime(w.start, view.zone)}–${formatTime(w.end, view.zone)}`, 'time'));
    li.append(document.createTextNode(` ${w.titles.join(' · ')}`));
    return li;
  });
}

function slateText() {
  const snap = view.snap;
  if (plan() === 'live') return _('Not needed now: the stream is on air.');
  const nextLive = dayRows().find((row) => row.state === 'upcoming' && view.blocks.get(row.block_id)?.stream === 'live');
  if (!nextLive) return _('The stream is over for today. Thank you for watching!');
  return _('We are on a break. Back at %(time)s: %(title)s', { time: formatTime(nextLive.projected_start_ms, view.zone), title: nextLive.title });
}

function render() {
  const snap = view.snap;
  const current = plan();
  setText($('air'), airText(current));
  setClass($('air'), `air ${current}`);
  setText($('now-title'), snap.current ? snap.current.title : statusText(snap.status));
  const mismatch = $('mismatch');
  mismatch.hidden = !snap.stream_mismatch;
  setText(mismatch, mismatchText(snap));
  const problem = obsProblem(snap);
  const actual = problem || (snap.stream_on === true ? _('The stream is ON AIR') : snap.stream_on === false
    ? _('The stream is OFF AIR') : _('Stream state not reported'));
  setText($('actual'), actual);
  setClass($('actual'), `actual-state ${problem ? 'unreachable' : snap.stream_on === true ? 'on' : snap.stream_on === false ? 'off' : 'unknown'}`);
  const toggle = $('toggle');
  // With OBS connected the stream state is OBS's: the manual report is for sites without it.
  toggle.hidden = Boolean(snap.obs);
  setText(toggle, snap.stream_on ? _('I have stopped the stream') : _('I have started the stream'));
  toggle.setAttribute('aria-pressed', snap.stream_on ? 'true' : 'false');
  setText($('slate'), slateText());
  $('windows').replaceChildren(...windowItems(windows('live')));
  $('requests').replaceChildren(...windowItems(windows('on_request')));
  const rows = dayRows().map((row) => {
    const tr = el('tr', '', `row-${row.state}`);
    if (row.state === 'current') tr.setAttribute('aria-current', 'true');
    tr.append(el('td', row.projected_start_ms === null ? '–' : formatTime(row.projected_start_ms, view.zone), 'time'));
    tr.append(el('td', row.title));
    const block = view.blocks.get(row.block_id);
    const badgeCell = el('td');
    if (block) badgeCell.append(el('span', airText(block.stream), `badge ${block.stream}`));
    const recording = block && recordBadge(block.record);
    if (recording) badgeCell.append(' ', el('span', ...recording));
    tr.append(badgeCell);
    return tr;
  });
  $('timeline').replaceChildren(...rows);
}

$('toggle').addEventListener('click', async () => {
  if (!view.snap) return;
  const reply = await command(socket, 'set_stream_state', { stage: body.dataset.stage, expected_rev: view.snap.rev, on: !view.snap.stream_on });
  setText($('feedback'), reply.ok ? '' : reply.message || reply.error);
  if (reply.snapshot && reply.snapshot.rev >= view.snap.rev) {
    // The ack is the crew view; keep only what this screen shows.
    view.snap = { ...view.snap, ...reply.snapshot };
    render();
  }
});

const socket = startLive({
  audience: 'stream',
  stage: body.dataset.stage,
  handlers: {
    agenda: (payload) => { view.blocks = readAgenda(view, payload); if (view.snap) render(); },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
