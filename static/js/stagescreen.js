// What is on a stage screen now, read from the snapshot's timestamps: the flash, the timer's display
// mode, and the message fitted into its band. The stage screen draws it; the crew screens show it as badges.
import { el, setText } from './dom.js';
import { _ } from './i18n.js';

/** How long a stage screen flashes after the moderator's `flash` (ms). */
export const FLASH_MS = 5000;

const MODES = ['countdown', 'countup', 'clock'];
const TIMER = { countup: _('Timer shows time run'), clock: _('Timer shows time of day') };

/** True while the stage screen flashes at `now` (a few seconds from the snapshot's `flash_at_ms`). */
export function flashing(snap, now) {
  const at = snap?.flash_at_ms;
  return typeof at === 'number' && now >= at && now - at < FLASH_MS;
}

/** The timer's display mode: the screen's own `?mode=` wins over the moderator's choice for the stage. */
export function displayMode(snap, params) {
  const own = params.get('mode');
  if (MODES.includes(own)) return own;
  return MODES.includes(snap?.display_mode) ? snap.display_mode : 'countdown';
}

/**
 * The largest font size (px, from `largest` down to `smallest`) at which `box`'s text fits inside it
 * without scrolling; the box's CSS caps its height. Binary search: a handful of layouts per change.
 */
export function fitText(box, largest, smallest = 12) {
  let low = smallest, high = Math.max(largest, smallest);
  const fits = (size) => {
    box.style.fontSize = `${size}px`;
    return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;
  };
  if (fits(high)) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle; else high = middle;
  }
  fits(low);
  return low;
}

/** What a stage screen shows at `now`, as [label, kind] badges: the same words on every crew screen. */
export function stageScreenBadges(snap, now) {
  const badges = [];
  if (snap.message) badges.push([snap.message_pinned ? _('Message (pinned)') : _('Message'), 'screen-message']);
  if (snap.blackout) badges.push([_('Blackout ON'), 'screen-blackout']);
  if (flashing(snap, now)) badges.push([_('Flashing'), 'screen-flash']);
  const mode = displayMode(snap, new URLSearchParams());
  if (TIMER[mode]) badges.push([TIMER[mode], 'screen-mode']);
  if (!badges.length) badges.push([_('Timer only'), 'screen-plain']);
  return badges;
}

/** Show the stage screen's badges in `list` and its message in `message`; redrawn only when they change. */
export function showStageScreen(list, message, snap, now) {
  const badges = stageScreenBadges(snap, now);
  const key = JSON.stringify([badges, snap.message]);
  if (list.dataset.shown === key) return;
  list.dataset.shown = key;
  list.replaceChildren(...badges.map(([label, kind]) => {
    const item = el('li');
    item.append(el('span', label, `badge ${kind}`));
    return item;
  }));
  message.hidden = !snap.message;
  setText(message, snap.message || '');
}
