// Room screen: what is on in this room now and next, "free until", a delay notice. Every time shown is
// projected at the current instant (timing.js): an overtime or a pause moves "ends at" and "next" along.
import { startLive, readAgenda, stageEntry, formatCountdown, formatOvertime, formatTime, formatClock, delayMinutes, lateNotice } from './live.js';
import { $, setText, setClass } from './dom.js';
import { _ } from './i18n.js';
import { endedText } from './labels.js';
import { currentTiming, currentEndAt } from './timing.js';
import { eventDay, daysWithBlocks, shownDay } from './days.js';

const room = document.body.dataset.room;
const stages = new Map(); // stage id -> { blocks, here (has blocks in this room), snap }: snapshots with times moved to now by live.js
const view = { zone: 'UTC', dayChange: '04:00', days: [] };

function inRoom(block) { return Boolean(block) && block.rooms.includes(room); }

/** The day this screen shows: today's, or the day being run when the event has nothing today. */
function dayShown(now) {
  let running = null;
  for (const { blocks, snap } of stages.values()) {
    const current = blocks && snap && snap.current && blocks.get(snap.current.block_id);
    if (current && !running) running = current.day;
  }
  return shownDay(view.days, eventDay(now, view.zone, view.dayChange), running);
}

/** The block on now in this room, the first one to come, and whether every show in this room is over. */
function situation(now) {
  let current = null;
  let upcoming = null;
  let over = true;
  let endedMs = null;
  const day = dayShown(now);
  for (const { blocks, snap, here } of stages.values()) {
    if (!snap || !blocks || !here) continue;
    if (snap.status === 'finished') endedMs = Math.max(endedMs ?? 0, snap.ended_ms ?? 0) || null;
    else over = false;
    if (snap.current && inRoom(blocks.get(snap.current.block_id))) current = { snap, row: snap.current };
    for (const row of snap.projections) {
      const block = blocks.get(row.block_id);
      if (row.state !== 'upcoming' || row.projected_start_ms === null || !inRoom(block) || block.day !== day) continue;
      if (!upcoming || row.projected_start_ms < upcoming.row.projected_start_ms) upcoming = { snap, row };
    }
  }
  return { current, upcoming, ended: over && endedMs !== null ? endedText(endedMs, view.zone) : null };
}

/** The block on now: its countdown (red in overtime, frozen and labelled while paused) and its moving end. */
function drawCurrent(current, now) {
  const timing = currentTiming(current.row, now);
  setText($('now-label'), _('Here now'));
  setText($('now-title'), current.row.title);
  setText($('until'), _('Ends at %(time)s', { time: formatTime(currentEndAt(current.snap, now), view.zone) }));
  setText($('countdown'), timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining));
  return timing.level;
}

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  const { current, upcoming, ended } = situation(now);
  const paused = Boolean(current && current.row.paused);
  let level = 'idle';
  if (current) {
    level = drawCurrent(current, now);
  } else if (ended && !upcoming) {
    setText($('now-label'), _('Room'));
    setText($('now-title'), ended.title);
    setText($('until'), ended.when);
  } else {
    setText($('now-label'), _('Room'));
    setText($('now-title'), upcoming ? `${_('Free until')} ${formatTime(upcoming.row.projected_start_ms, view.zone)}` : _('Nothing more today'));
    setText($('until'), '');
  }
  if (!current) setText($('countdown'), '');
  $('countdown').hidden = !current;
  $('paused').hidden = !paused;
  setClass(document.body, `room-screen level-${level}${paused ? ' is-paused' : ''}${ended && !current && !upcoming ? ' is-ended' : ''}`);
  $('next-label').parentElement.hidden = !upcoming;
  setText($('next-time'), upcoming ? formatTime(upcoming.row.projected_start_ms, view.zone) : '');
  setText($('next-title'), upcoming ? upcoming.row.title : '');
  const late = upcoming ? delayMinutes(upcoming.row.delay_ms) : current ? delayMinutes(current.snap.delay_ms) : 0;
  setText($('delay'), late > 0 ? lateNotice(late) : '');
}

startLive({
  audience: 'room',
  room,
  handlers: {
    agenda: (payload) => {
      const entry = stageEntry(stages, payload.stage_id);
      entry.blocks = readAgenda(view, payload);
      entry.here = [...entry.blocks.values()].some(inRoom);
      const found = payload.event.rooms.find((r) => r.id === room);
      if (found) setText($('room-name'), found.name);
      view.days = daysWithBlocks([...stages.values()].flatMap((s) => (s.blocks ? [...s.blocks.values()] : [])));
    },
    snapshot: (snap) => { stageEntry(stages, snap.stage_id).snap = snap; },
    frame,
  },
});
