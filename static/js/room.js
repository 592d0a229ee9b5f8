// Room screen: what is on in this room now and next, "free until", a delay notice.
import { startLive, readAgenda, stageEntry, formatCountdown, formatOvertime, formatTime, formatClock, delayMinutes, lateNotice } from './live.js';
import { $, setText } from './dom.js';
import { _ } from './i18n.js';
import { currentTiming } from './timing.js';
import { eventDay, daysWithBlocks, shownDay } from './days.js';

const room = document.body.dataset.room;
const stages = new Map(); // stage id -> { blocks, snap }
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

function situation(now) {
  let current = null;
  let upcoming = null;
  const day = dayShown(now);
  for (const { blocks, snap } of stages.values()) {
    if (!snap || !blocks) continue;
    if (snap.current && inRoom(blocks.get(snap.current.block_id))) current = { snap, row: snap.current };
    for (const row of snap.projections) {
      const block = blocks.get(row.block_id);
      if (row.state !== 'upcoming' || row.projected_start_ms === null || !inRoom(block) || block.day !== day) continue;
      if (!upcoming || row.projected_start_ms < upcoming.row.projected_start_ms) upcoming = { snap, row };
    }
  }
  return { current, upcoming };
}

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  const { current, upcoming } = situation(now);
  if (current) {
    const timing = currentTiming(current.row, now);
    setText($('now-label'), _('Here now'));
    setText($('now-title'), current.row.title);
    setText($('until'), _('Ends at %(time)s', { time: formatTime(current.row.time_up_ms, view.zone) }));
    setText($('countdown'), timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining));
  } else {
    setText($('now-label'), _('Room'));
    setText($('now-title'), upcoming ? `${_('Free until')} ${formatTime(upcoming.row.projected_start_ms, view.zone)}` : _('Nothing more today'));
    setText($('until'), '');
    setText($('countdown'), '');
  }
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
      stageEntry(stages, payload.stage_id).blocks = readAgenda(view, payload);
      const found = payload.event.rooms.find((r) => r.id === room);
      if (found) setText($('room-name'), found.name);
      view.days = daysWithBlocks([...stages.values()].flatMap((s) => (s.blocks ? [...s.blocks.values()] : [])));
    },
    snapshot: (snap) => { stageEntry(stages, snap.stage_id).snap = snap; },
    frame,
  },
});
