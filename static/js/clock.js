// Studio clock: the time of day with seconds, large, and an on-air light that follows the stream state
// the operator reports (lit when on, dark when off, a neutral "?" when nobody has said).
import { startLive, formatClock } from './live.js';
import { $, setText, setClass } from './dom.js';
import { _ } from './i18n.js';
import { airText, statusText } from './labels.js';

const view = { snap: null, zone: 'UTC' };

function frame(now) {
  setText($('time'), formatClock(now, view.zone));
}

/** The light's look, its text, and what a screen reader hears, for the reported stream state. */
function light(streamOn) {
  if (streamOn === true) return { state: 'on', text: airText('live'), label: _('The stream is ON AIR') };
  if (streamOn === false) return { state: 'off', text: airText('off'), label: _('The stream is OFF AIR') };
  return { state: 'unknown', text: '?', label: _('Stream state not reported') };
}

function render() {
  const snap = view.snap;
  const shown = light(snap.stream_on);
  const lamp = $('on-air');
  setText(lamp, shown.text);
  setClass(lamp, `on-air ${shown.state}`);
  lamp.setAttribute('aria-label', shown.label);
  setText($('now-title'), snap.current ? snap.current.title : statusText(snap.status));
}

startLive({
  audience: 'stage',
  stage: document.body.dataset.stage,
  handlers: {
    agenda: (payload) => { view.zone = payload.event.timezone; },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
