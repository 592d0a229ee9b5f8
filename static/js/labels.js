// Words several screens show for the same state: the show's status, the stream plan, the next planned
// stream change and a mismatch between the plan and the reported stream.
import { _ } from './i18n.js';
import { formatCountdown, formatTime } from './live.js';

const STATUS = {
  not_started: _('Not started'), running: _('Running'), paused: _('Paused'), gap: _('Break in the programme'), finished: _('Finished'),
};
const AIR = { live: _('ON AIR'), off: _('OFF AIR'), on_request: _('ON REQUEST'), unspecified: _('NOT DECIDED') };
const TRANSITION = {
  live: (values) => _('Stream starts at %(time)s, %(title)s, in %(left)s', values),
  off: (values) => _('Stream stops at %(time)s, %(title)s, in %(left)s', values),
  on_request: (values) => _('On request from %(time)s, %(title)s, in %(left)s', values),
  unspecified: (values) => _('Plan changes at %(time)s, %(title)s, in %(left)s', values),
};

/** The show's status ("not_started", "running", ...) in words. */
export const statusText = (status) => STATUS[status] ?? status;

/** A block's stream plan ("live", "off", ...) as its badge says it. */
export const airText = (plan) => AIR[plan] ?? AIR.unspecified;

const RECORDING = { record: _('REC'), do_not_record: _('NO RECORDING') };

/** A block's recording plan as a badge: [text, class], or null when it is unspecified. */
export const recordBadge = (plan) => (RECORDING[plan] ? [RECORDING[plan], plan === 'do_not_record' ? 'badge off' : 'badge'] : null);

/** The next planned stream change with a countdown at `now`, or that there is none. */
export function transitionText(transition, blocks, timeZone, now) {
  if (!transition) return _('No more stream changes today');
  const block = blocks.get(transition.block_id);
  return (TRANSITION[transition.to] || TRANSITION.unspecified)({
    time: formatTime(transition.at_ms, timeZone), title: block ? block.title : '', left: formatCountdown(transition.at_ms - now),
  });
}

/** What is wrong when the stream disagrees with the plan ('' when it agrees). */
export function mismatchText(snap) {
  if (!snap.stream_mismatch) return '';
  return snap.stream_on ? _('Mismatch: the plan says OFF AIR, but the stream is on') : _('Mismatch: the plan says ON AIR, but the stream is off');
}

/** A finished show's end screen: one message, and when it ended ('' when not known). */
export function endedText(endedMs, timeZone) {
  return {
    title: _('The show has ended'),
    when: typeof endedMs === 'number' ? _('Ended at %(time)s', { time: formatTime(endedMs, timeZone) }) : '',
  };
}
