// Stage screen: huge countdown, now and next, wrap-up colours, the moderator's message, blackout.
import { startLive, formatCountdown, formatOvertime, formatTime, formatClock, delayMinutes, lateNotice } from './live.js';
import { $, setText, setClass } from './dom.js';
import { _ } from './i18n.js';
import { statusText, endedText } from './labels.js';
import { currentTiming } from './timing.js';

const body = document.body;
const view = { snap: null, zone: 'UTC' };

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  const snap = view.snap;
  if (!snap) return;
  const timing = currentTiming(snap.current, now);
  let text = '';
  let level = 'idle';
  if (timing) {
    text = timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining);
    level = timing.level;
  } else if (snap.next && (snap.status === 'gap' || snap.status === 'not_started') && snap.next.projected_start_ms > now) {
    text = formatCountdown(snap.next.projected_start_ms - now);
  }
  setText($('countdown'), text || '--:--');
  $('countdown').hidden = snap.status === 'finished';
  setClass(body, `stage-screen level-${level}${snap.current?.paused ? ' is-paused' : ''}`);
}

function render() {
  const snap = view.snap;
  const current = snap.current;
  const ended = snap.status === 'finished' ? endedText(snap.ended_ms, view.zone) : null;
  setText($('status'), current ? _('Now') : ended ? ended.when : statusText(snap.status));
  if (current) setText($('now-title'), current.title);
  else if (ended) setText($('now-title'), ended.title);
  else if (snap.status === 'gap') setText($('now-title'), _('Break in the programme'));
  else if (snap.next) setText($('now-title'), _('The show starts at %(time)s', { time: formatTime(snap.next.projected_start_ms, view.zone) }));
  else setText($('now-title'), _('Not started'));
  $('next').hidden = !snap.next;
  setText($('next-time'), snap.next ? formatTime(snap.next.projected_start_ms, view.zone) : '');
  setText($('next-title'), snap.next ? snap.next.title : '');
  const late = delayMinutes(snap.delay_ms);
  setText($('delay'), late > 0 ? lateNotice(late) : '');
  $('paused').hidden = !(current && current.paused);
  $('message').hidden = !snap.message;
  setText($('message'), snap.message || '');
  $('blackout').hidden = !snap.blackout;
}

startLive({
  audience: 'stage',
  stage: body.dataset.stage,
  handlers: {
    agenda: (payload) => { view.zone = payload.event.timezone; if (view.snap) render(); },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
