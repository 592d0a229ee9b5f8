// Stage screen: huge countdown, now and next, wrap-up colours, the moderator's message, blackout.
import { startLive, t, setText, formatCountdown, formatOvertime, formatTime } from './live.js';
import { currentTiming } from './timing.js';

const body = document.body;
const view = { snap: null, zone: 'UTC' };
const $ = (id) => document.getElementById(id);

function frame(now) {
  const snap = view.snap;
  if (!snap) return;
  const timing = currentTiming(snap.current, now);
  let text = '--:--';
  let level = 'normal';
  if (timing) {
    text = timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining);
    level = timing.level;
  } else if (snap.next && (snap.status === 'gap' || snap.status === 'not_started')) {
    text = formatCountdown(snap.next.projected_start_ms - now);
  }
  setText($('countdown'), text);
  const cls = `stage-screen level-${level}`;
  if (body.className !== cls) body.className = cls;
}

function render() {
  const snap = view.snap;
  const current = snap.current;
  if (current) setText($('now-title'), current.title);
  else if (snap.status === 'finished') setText($('now-title'), t('finished'));
  else setText($('now-title'), snap.status === 'gap' ? t('gap') : t('not_started'));
  setText($('next'), snap.next ? `${t('next')}: ${snap.next.title} · ${formatTime(snap.next.projected_start_ms, view.zone)}` : '');
  $('paused').hidden = !(current && current.paused);
  $('message').hidden = !snap.message;
  setText($('message'), snap.message || '');
  $('blackout').hidden = !snap.blackout;
}

startLive({
  audience: 'stage',
  stage: body.dataset.stage,
  handlers: {
    agenda: (payload) => { view.zone = payload.event.timezone; },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
