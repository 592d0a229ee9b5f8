// What is on a stage screen now, read from the snapshot's timestamps: the flash, the timer's display
// mode, and the message fitted into its band. The stage screen draws it; the stream view shows it as badges.

/** How long a stage screen flashes after the moderator's `flash` (ms). */
export const FLASH_MS = 5000;

const MODES = ['countdown', 'countup', 'clock'];

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
