// Stage screen: huge timer (time left, time run, time of day, or time to a chosen block), now and next,
// wrap-up colours, the moderator's message in its own band that never covers the timer, the flash, blackout.
import { startLive, serverNow, readAgenda, formatCountdown, formatOvertime, formatTime, formatClock, delayMinutes, lateNotice } from './live.js';
import { $, setText, setClass } from './dom.js';
import { _ } from './i18n.js';
import { statusText, endedText } from './labels.js';
import { currentTiming, elapsedAt } from './timing.js';
import { displayMode, fitText, flashing } from './stagescreen.js';

const body = document.body;
const params = new URLSearchParams(window.location.search);
const target = params.get('to');
const view = { snap: null, zone: 'UTC', blocks: new Map(), fitted: '' };

/** Elapsed time as MM:SS or H:MM:SS, rounded down (the overtime format without its sign). */
const formatElapsed = (ms) => formatOvertime(ms).slice(1);

/** Time left until the chosen block (`?to=`) starts, with what it counts to. */
function towardsTarget(snap, now) {
  const block = view.blocks.get(target);
  const title = block ? block.title : target;
  const start = snap.starts_ms ? snap.starts_ms[target] : undefined;
  if (typeof start !== 'number') return { text: '--:--', level: 'idle', label: block ? _('%(title)s is over', { title }) : _('No block %(id)s', { id: target }) };
  if (start <= now) return { text: '00:00', level: 'normal', label: _('%(title)s has started', { title }) };
  return { text: formatCountdown(start - now), level: 'normal', label: _('Until %(title)s at %(time)s', { title, time: formatTime(start, view.zone) }) };
}

/** What the big timer shows at `now`: its text, the level for the colours and a label under it. */
function timer(snap, now) {
  if (target) return towardsTarget(snap, now);
  const mode = displayMode(snap, params);
  const timing = currentTiming(snap.current, now);
  if (mode === 'clock') return { text: formatClock(now, view.zone), level: timing ? timing.level : 'idle', label: _('Time of day') };
  if (timing && mode === 'countup') {
    return { text: formatElapsed(elapsedAt(snap.current, snap.now_ms, now)), level: timing.level, label: _('Elapsed') };
  }
  if (timing) {
    return { text: timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining), level: timing.level, label: '' };
  }
  if (snap.next && (snap.status === 'gap' || snap.status === 'not_started') && snap.next.projected_start_ms > now) {
    return { text: formatCountdown(snap.next.projected_start_ms - now), level: 'idle', label: '' };
  }
  return { text: '--:--', level: 'idle', label: '' };
}

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  const snap = view.snap;
  if (!snap) return;
  const shown = timer(snap, now);
  const flash = flashing(snap, now);
  setText($('countdown'), shown.text);
  $('countdown').hidden = snap.status === 'finished';
  setText($('timer-label'), shown.label);
  $('timer-label').hidden = !shown.label;
  $('flash').hidden = !flash;
  const extra = `${snap.current?.paused ? ' is-paused' : ''}${snap.message ? ' has-message' : ''}${flash ? ' is-flashing' : ''}`;
  setClass(body, `stage-screen level-${shown.level} mode-${target ? 'to' : displayMode(snap, params)}${extra}`);
}

/** Fit the message to its band, once per text and screen size (a few layouts, never every frame). */
function fitMessage() {
  const text = view.snap?.message || '';
  const key = `${text}|${window.innerWidth}x${window.innerHeight}`;
  if (!text || key === view.fitted) return;
  view.fitted = key;
  fitText($('message'), Math.round(Math.min(window.innerHeight * 0.07, window.innerWidth * 0.06)), 12);
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
  $('message-band').hidden = !snap.message;
  setText($('message'), snap.message || '');
  $('blackout').hidden = !snap.blackout;
  frame(serverNow()); // the band's class first: the message is fitted to the layout it makes
  fitMessage();
}

window.addEventListener('resize', () => { if (view.snap) fitMessage(); });

startLive({
  audience: 'stage',
  stage: body.dataset.stage,
  handlers: {
    agenda: (payload) => { view.blocks = readAgenda(view, payload); if (view.snap) render(); },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
