// Production desk overview: every stage side by side with now, next, delay and what its stage screen shows,
// drawn from the crew's pushed snapshots.
import { startLive, formatCountdown, formatOvertime, formatTime, formatClock, delayText, delayMinutes } from './live.js';
import { $, setText, setClass } from './dom.js';
import { _ } from './i18n.js';
import { statusText } from './labels.js';
import { currentTiming } from './timing.js';
import { showStageScreen } from './stagescreen.js';
import { watchIntegrations } from './integrations.js';

const view = { zone: 'UTC' };
const cards = new Map(); // stage id -> { node, snap }
for (const node of document.querySelectorAll('[data-stage-id]')) cards.set(node.dataset.stageId, { node, snap: null });

const field = (node, name) => node.querySelector(`[data-field="${name}"]`);

function cardStatus(snap) {
  if (snap.paused) return _('Paused');
  return statusText(snap.status);
}

function drawCard({ node, snap }, now) {
  if (!snap) return;
  const timing = currentTiming(snap.current, now);
  const level = timing ? timing.level : 'idle';
  setClass(node, `overview-stage level-${level}`);
  setText(field(node, 'status'), cardStatus(snap));
  setText(field(node, 'now'), snap.current ? snap.current.title : (snap.status === 'gap' ? _('Break in the programme') : ''));
  setText(field(node, 'countdown'), !timing ? '' : level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining));
  setText(field(node, 'next-time'), snap.next ? formatTime(snap.next.projected_start_ms, view.zone) : '');
  setText(field(node, 'next'), snap.next ? snap.next.title : _('Nothing more today'));
  const delay = field(node, 'delay');
  const finished = snap.status === 'finished';
  setText(delay, finished ? '' : delayText(snap.delay_ms));
  setClass(delay, delayMinutes(snap.delay_ms) === 0 ? 'delay on-time' : 'delay late');
  showStageScreen(field(node, 'stage-screen'), field(node, 'stage-message'), snap, now);
}

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  for (const card of cards.values()) drawCard(card, now);
}

startLive({
  audience: 'console',
  stage: '*',
  handlers: {
    agenda: (payload) => { view.zone = payload.event.timezone; },
    snapshot: (snap) => {
      const card = cards.get(snap.stage_id);
      if (card) card.snap = snap;
    },
    frame,
  },
});

const stageNames = new Map([...document.querySelectorAll('[data-stage-id]')]
  .map((node) => [node.dataset.stageId, node.querySelector('h2 span').textContent]));
watchIntegrations(stageNames, () => view.zone);

// Kept for the console of a browser: which stages are drawn and at which revision.
window.runofshowOverview = () => [...cards].map(([id, card]) => ({ id, rev: card.snap ? card.snap.rev : null }));
