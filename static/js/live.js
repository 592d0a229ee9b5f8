// Live link to the server: joins an audience, keeps the newest snapshot per stage, estimates the
// server clock (NTP-style, several samples, rehearsal speed included) and shows the link's state.
// Screens draw from timestamps every animation frame; the server never sends ticks.

import { $ } from './dom.js';
import { _, ngettext } from './i18n.js';
import { snapshotAt, movedKey } from './timing.js';

const clock = { baseServer: null, basePerf: 0, speed: 1, bestRtt: Infinity, samples: 0, seeded: false };

/** The server's current time in epoch milliseconds, estimated locally. */
export function serverNow() {
  if (clock.baseServer === null) return Date.now();
  return clock.baseServer + (performance.now() - clock.basePerf) * clock.speed;
}

// For diagnostics from the browser's console (and the browser tests): the estimated server time.
window.runofshow = { serverNow: () => serverNow(), clock };

/** True once the server clock is known (from a ping, or roughly from a snapshot). */
export function clockKnown() { return clock.baseServer !== null; }

const MAX_RTT = 2000; // a sample that took longer says little about the time

/** Record one clock sample: the one with the shortest round trip wins. */
function takeSample(sentPerf, reply) {
  const receivedPerf = performance.now();
  const rtt = receivedPerf - sentPerf;
  if (typeof reply?.server_ms !== 'number' || (rtt > MAX_RTT && clock.baseServer !== null)) return;
  const speed = typeof reply.speed === 'number' && reply.speed > 0 ? reply.speed : 1;
  // Samples age: after a minute, a new one is taken even if its round trip is a little longer.
  const age = clock.baseServer === null ? Infinity : receivedPerf - clock.basePerf;
  if (clock.seeded || rtt <= clock.bestRtt || age > 60000 || speed !== clock.speed) {
    clock.seeded = false;
    clock.bestRtt = rtt;
    clock.basePerf = sentPerf + rtt / 2;
    clock.baseServer = reply.server_ms;
    clock.speed = speed;
  }
  clock.samples += 1;
}

/** Before the first ping answer, a snapshot's own timestamp is a fair estimate of the server time. */
function seedFromSnapshot(snap) {
  if (clock.baseServer !== null || typeof snap.now_ms !== 'number') return;
  clock.baseServer = snap.now_ms;
  clock.basePerf = performance.now();
  clock.seeded = true;
}

/**
 * A join's answer carries the server time it was made at: if the estimate disagrees by more than
 * the round trip allows (another server, a restarted rehearsal), start again from it.
 */
function checkAgainstJoin(sentPerf, snap) {
  if (typeof snap?.now_ms !== 'number') return;
  const receivedPerf = performance.now();
  const rtt = receivedPerf - sentPerf;
  const estimate = clock.baseServer === null ? null : clock.baseServer + ((sentPerf + receivedPerf) / 2 - clock.basePerf) * clock.speed;
  if (estimate === null || Math.abs(estimate - snap.now_ms) > rtt / 2 + 250) {
    clock.baseServer = snap.now_ms;
    clock.basePerf = (sentPerf + receivedPerf) / 2;
    clock.bestRtt = rtt;
    clock.seeded = true;
  }
}

function syncClock(socket, count = 5) {
  let left = count;
  const once = () => {
    if (!socket.connected || left-- <= 0) return;
    const sent = performance.now();
    // Volatile: a ping is never queued while the link is down and answered much later.
    socket.volatile.timeout(3000).emit('clock', { t0: Date.now() }, (err, reply) => {
      if (!err) takeSample(sent, reply);
      setTimeout(once, 150);
    });
  };
  once();
}

function showConnection(state) {
  const box = $('connection');
  document.body.dataset.connection = state;
  if (!box) return;
  const ok = state === 'connected';
  box.hidden = ok && !document.body.classList.contains('show-link');
  box.className = 'connection' + (ok ? ' ok' : '');
  box.textContent = ok ? _('Connected') : _('Reconnecting…');
}

/**
 * Connect and join. `handlers.agenda(payload)` and `handlers.snapshot(payload)` are called with
 * the newest data only; `handlers.frame(now)` every animation frame with the estimated server time.
 * A snapshot's projected times hold at the instant it was made: while a block runs over or is
 * paused, `handlers.snapshot` is called again with the same revision and its times moved to now
 * (timing.js `snapshotAt`), whenever a time shown as HH:MM would change.
 */
export function startLive({ audience, stage, room, handlers }) {
  let lastFrame = 0;
  const received = new Map(); // stage id -> { snap, key }: the snapshot as the server sent it
  const deliver = (entry, now) => {
    entry.key = movedKey(entry.snap, now);
    handlers.snapshot?.(snapshotAt(entry.snap, now));
  };
  const draw = () => {
    lastFrame = performance.now();
    const now = serverNow();
    for (const entry of received.values()) if (movedKey(entry.snap, now) !== entry.key) deliver(entry, now);
    handlers.frame?.(now);
  };
  // The page's language: refusals in acknowledgements come back in it.
  const socket = io({ transports: ['websocket', 'polling'], reconnectionDelay: 500, reconnectionDelayMax: 2000,
    auth: { lang: document.documentElement.lang } });
  const revs = {};
  const acceptSnapshot = (snap) => {
    if (!snap || typeof snap.rev !== 'number') return;
    if (revs[snap.stage_id] !== undefined && snap.rev < revs[snap.stage_id]) return;
    revs[snap.stage_id] = snap.rev;
    seedFromSnapshot(snap);
    const entry = { snap, key: '' };
    received.set(snap.stage_id, entry);
    deliver(entry, serverNow());
    draw(); // at once: the browser may hold the next animation frame back
  };
  socket.on('connect', () => {
    // A new link may lead to a restarted or another server: its clock is measured afresh.
    clock.bestRtt = Infinity;
    syncClock(socket);
    const join = { audience };
    if (stage) join.stage = stage;
    if (room) join.room = room;
    const joinSent = performance.now();
    socket.timeout(5000).emit('join', join, (err, reply) => {
      if (err || !reply?.ok) {
        showConnection('reconnecting');
        if (reply?.error === 'forbidden') window.location.href = '/signin';
        else setTimeout(() => { socket.disconnect(); socket.connect(); }, 1000);
        return;
      }
      showConnection('connected');
      if (reply.stages.length) checkAgainstJoin(joinSent, reply.stages[0].snapshot);
      for (const entry of reply.stages) {
        handlers.agenda?.(entry.agenda);
        // A fresh join always wins: the server may have been restarted with the same revision.
        revs[entry.snapshot.stage_id] = -1;
        acceptSnapshot(entry.snapshot);
      }
    });
  });
  socket.on('disconnect', () => showConnection('reconnecting'));
  socket.io.on('reconnect_attempt', () => showConnection('reconnecting'));
  socket.on('agenda', (payload) => handlers.agenda?.(payload));
  socket.on('snapshot', acceptSnapshot);
  setInterval(() => syncClock(socket, 3), 30000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) syncClock(socket, 3); });
  showConnection('reconnecting');
  // Drawn every animation frame; a timer stands in when the browser holds frames back (old TVs,
  // throttled or occluded windows), so the countdown never stands still.
  const frame = () => {
    try { draw(); } finally { requestAnimationFrame(frame); }
  };
  requestAnimationFrame(frame);
  setInterval(() => { if (performance.now() - lastFrame > 200) draw(); }, 250);
  return socket;
}

/** Read an agenda payload: the event's time zone and day change into `view`; returns its blocks by id. */
export function readAgenda(view, payload) {
  view.zone = payload.event.timezone;
  view.dayChange = payload.event.day_change || view.dayChange;
  return new Map(payload.blocks.map((block) => [block.id, block]));
}

/** A stage's entry in the table of a screen that shows every stage (stage id -> { blocks, snap }). */
export function stageEntry(stages, stageId) {
  if (!stages.has(stageId)) stages.set(stageId, {});
  return stages.get(stageId);
}

/** Send a control command and resolve with the acknowledgement. */
export function command(socket, name, body) {
  return new Promise((resolve) => {
    if (!socket.connected) { resolve({ ok: false, error: 'offline', message: _('Connection lost') }); return; }
    socket.timeout(5000).emit(name, body, (err, reply) => resolve(err ? { ok: false, error: 'timeout', message: _('Connection lost') } : reply));
  });
}

const pad = (n) => String(n).padStart(2, '0');

/** Milliseconds as H:MM:SS or MM:SS (rounded up, so a countdown shows 00:01 until it really is over). */
export function formatCountdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Overtime as +MM:SS, counting up. */
export function formatOvertime(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  return '+' + (h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`);
}

const timeFormats = new Map();
function timeFormat(timeZone, seconds) {
  const key = `${timeZone}|${seconds}`;
  if (!timeFormats.has(key)) {
    const options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
    if (seconds) options.second = '2-digit';
    timeFormats.set(key, new Intl.DateTimeFormat('nb-NO', options));
  }
  return timeFormats.get(key);
}

/** An instant (epoch ms) as HH:MM in the event's time zone. */
export function formatTime(ms, timeZone) {
  if (typeof ms !== 'number') return '';
  return timeFormat(timeZone, false).format(new Date(ms)).replace('.', ':');
}

/** An instant (epoch ms) as HH:MM:SS in the event's time zone. */
export function formatClock(ms, timeZone) {
  return timeFormat(timeZone, true).format(new Date(ms)).replace(/\./g, ':');
}

/** Whole minutes of a delay, rounded to the nearest minute. */
export const delayMinutes = (ms) => Math.round((ms || 0) / 60000);

/** "Running 7 min late". */
export const lateNotice = (minutes) => ngettext('Running %(num)s min late', 'Running %(num)s min late', minutes);

/** "Running 7 min late", "2 min ahead of schedule" or "On time". */
export function delayText(ms) {
  const minutes = delayMinutes(ms);
  if (minutes > 0) return lateNotice(minutes);
  if (minutes < 0) return ngettext('%(num)s min ahead of schedule', '%(num)s min ahead of schedule', -minutes);
  return _('On time');
}

