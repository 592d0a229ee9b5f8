// Live link to the server: joins an audience, keeps the newest snapshot per stage, estimates the
// server clock (NTP-style, several samples, rehearsal speed included) and shows the link's state.
// Screens draw from timestamps every animation frame; the server never sends ticks.

const strings = JSON.parse(document.getElementById('strings').textContent);
export const t = (key) => strings[key] || key;

const clock = { baseServer: null, basePerf: 0, speed: 1, bestRtt: Infinity, samples: 0 };

/** The server's current time in epoch milliseconds, estimated locally. */
export function serverNow() {
  if (clock.baseServer === null) return Date.now();
  return clock.baseServer + (performance.now() - clock.basePerf) * clock.speed;
}

/** Record one clock sample: the one with the shortest round trip wins. */
function takeSample(sentPerf, reply) {
  const receivedPerf = performance.now();
  const rtt = receivedPerf - sentPerf;
  if (typeof reply?.server_ms !== 'number') return;
  const speed = typeof reply.speed === 'number' && reply.speed > 0 ? reply.speed : 1;
  // Samples age: after a minute, a new one is taken even if its round trip is a little longer.
  const age = clock.baseServer === null ? Infinity : receivedPerf - clock.basePerf;
  if (rtt <= clock.bestRtt || age > 60000 || speed !== clock.speed) {
    clock.bestRtt = rtt;
    clock.basePerf = sentPerf + rtt / 2;
    clock.baseServer = reply.server_ms;
    clock.speed = speed;
  }
  clock.samples += 1;
}

function syncClock(socket, count = 5) {
  let left = count;
  const once = () => {
    if (!socket.connected || left-- <= 0) return;
    const sent = performance.now();
    socket.timeout(3000).emit('clock', { t0: Date.now() }, (err, reply) => {
      if (!err) takeSample(sent, reply);
      setTimeout(once, 150);
    });
  };
  once();
}

function showConnection(state) {
  const box = document.getElementById('connection');
  if (!box) return;
  box.hidden = state === 'connected';
  box.className = 'connection' + (state === 'connected' ? ' ok' : '');
  box.textContent = state === 'connected' ? t('connected') : t('reconnecting');
  document.body.dataset.connection = state;
}

/**
 * Connect and join. `handlers.agenda(payload)` and `handlers.snapshot(payload)` are called with
 * the newest data only; `handlers.frame(now)` every animation frame.
 */
export function startLive({ audience, stage, room, handlers }) {
  const socket = io({ transports: ['websocket', 'polling'], reconnectionDelayMax: 3000 });
  const revs = {};
  const acceptSnapshot = (snap) => {
    if (!snap || typeof snap.rev !== 'number') return;
    if (revs[snap.stage_id] !== undefined && snap.rev < revs[snap.stage_id]) return;
    revs[snap.stage_id] = snap.rev;
    handlers.snapshot?.(snap);
  };
  socket.on('connect', () => {
    showConnection('connected');
    syncClock(socket);
    const join = { audience };
    if (stage) join.stage = stage;
    if (room) join.room = room;
    socket.timeout(5000).emit('join', join, (err, reply) => {
      if (err || !reply?.ok) {
        showConnection('reconnecting');
        if (reply?.error === 'forbidden') window.location.href = '/signin';
        return;
      }
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
  showConnection('reconnecting');
  const frame = () => {
    try { handlers.frame?.(serverNow()); } finally { requestAnimationFrame(frame); }
  };
  requestAnimationFrame(frame);
  return socket;
}

/** Send a control command and resolve with the acknowledgement. */
export function command(socket, name, body) {
  return new Promise((resolve) => {
    socket.timeout(5000).emit(name, body, (err, reply) => resolve(err ? { ok: false, error: 'timeout', message: String(err) } : reply));
  });
}

/** Milliseconds as H:MM:SS or MM:SS (rounded up, so a countdown shows 00:01 until it really is over). */
export function formatCountdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Overtime as +MM:SS, counting up. */
export function formatOvertime(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  return '+' + (h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`);
}

/** An instant (epoch ms) as HH:MM in the event's time zone. */
export function formatTime(ms, timeZone) {
  return new Intl.DateTimeFormat('nb-NO', { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(ms));
}

/** Set an element's text only when it changed (cheap on old screens). */
export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Create an element with text content (never HTML). */
export function el(tag, text = '', className = '') {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}
