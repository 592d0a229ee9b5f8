// Room screen: what is on in this room now and next, "free until", delay notice.
import { startLive, t, setText, formatCountdown, formatOvertime, formatTime } from './live.js';
import { currentTiming } from './timing.js';

const room = document.body.dataset.room;
const stages = new Map(); // stage id -> { blocks, snap }
const view = { zone: 'UTC', roomName: room };
const $ = (id) => document.getElementById(id);

function inRoom(block) { return block && block.rooms.includes(room); }

function situation(now) {
  let current = null;
  let upcoming = null;
  for (const { blocks, snap } of stages.values()) {
    if (!snap) continue;
    if (snap.current && inRoom(blocks.get(snap.current.block_id))) current = { snap, row: snap.current };
    for (const row of snap.projections) {
      if (row.state !== 'upcoming' || !inRoom(blocks.get(row.block_id))) continue;
      if (!upcoming || row.projected_start_ms < upcoming.row.projected_start_ms) upcoming = { snap, row };
    }
  }
  return { current, upcoming };
}

function frame(now) {
  const { current, upcoming } = situation(now);
  if (current) {
    const timing = currentTiming(current.row, now);
    setText($('now-title'), current.row.title);
    setText($('countdown'), timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining));
  } else {
    setText($('now-title'), upcoming ? `${t('free_until')} ${formatTime(upcoming.row.projected_start_ms, view.zone)}` : t('nothing_more'));
    setText($('countdown'), '');
  }
  setText($('next'), upcoming ? `${t('next')}: ${upcoming.row.title} · ${formatTime(upcoming.row.projected_start_ms, view.zone)}` : '');
  const late = upcoming ? Math.round(upcoming.row.delay_ms / 60000) : 0;
  setText($('delay'), late > 0 ? `${t('late_by')} ${late} min` : '');
}

startLive({
  audience: 'room',
  room,
  handlers: {
    agenda: (payload) => {
      view.zone = payload.event.timezone;
      const found = payload.event.rooms.find((r) => r.id === room);
      if (found) setText($('room-name'), found.name);
      const entry = stages.get(payload.stage_id) || {};
      entry.blocks = new Map(payload.blocks.map((block) => [block.id, block]));
      stages.set(payload.stage_id, entry);
    },
    snapshot: (snap) => {
      const entry = stages.get(snap.stage_id) || { blocks: new Map() };
      entry.snap = snap;
      stages.set(snap.stage_id, entry);
    },
    frame,
  },
});
