// What the stage's OBS Studio reports, in words, for the crew screens (stream operator view and console).
import { formatCountdown } from './live.js';
import { _ } from './i18n.js';

/** Why the stream state is unknown when OBS is configured but not connected ('' when it is, or there is no OBS). */
export function obsProblem(snap) {
  const link = snap.obs ? snap.obs.link : 'connected';
  if (link === 'unreachable') return _('OBS unreachable: stream state unknown');
  if (link === 'wrong_password') return _('OBS refused the password: stream state unknown');
  return '';
}

/** One line on OBS: the program scene, recording, time on air ('' when the stage has no OBS or it is away). */
export function obsText(snap, now) {
  const obs = snap.obs;
  if (!obs || obs.link !== 'connected') return '';
  const parts = [_('OBS connected')];
  if (obs.scene) parts.push(_('Scene: %(scene)s', { scene: obs.scene }));
  parts.push(obs.recording ? _('Recording') : _('Not recording'));
  if (obs.on_air_since_ms !== null && snap.stream_on) {
    parts.push(_('On air for %(time)s', { time: formatCountdown(now - obs.on_air_since_ms) }));
  }
  return parts.join(' · ');
}

/** What to do about OBS being away or refusing the password ('' when it is connected). */
function obsHint(snap) {
  const link = snap.obs ? snap.obs.link : 'connected';
  if (link === 'unreachable') return _('Trying again every few seconds: check that OBS runs and its WebSocket server is on.');
  if (link === 'wrong_password') return _('Check the OBS password the server was given against OBS: Tools, WebSocket Server Settings.');
  return '';
}

/** The last automation action OBS did not carry out ('' when it did, or there was none). */
function obsFailure(snap) {
  const obs = snap.obs;
  return obs && obs.action && obs.action_ok === false ? _('OBS automation failed: %(action)s', { action: obs.action }) : '';
}

/** Show the OBS line in `node` (what OBS does, or what to do about it), hidden for a stage without OBS. */
export function showObs(node, snap, now) {
  node.hidden = !snap.obs;
  const failure = obsFailure(snap);
  node.textContent = [obsHint(snap) || obsText(snap, now), failure].filter(Boolean).join(' · ');
  node.className = `obs-status ${snap.obs ? snap.obs.link : ''}${failure ? ' failed' : ''}`;
}
