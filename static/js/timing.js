// Countdown arithmetic on the client, from the snapshot's timestamps and the estimated server time.

/** Remaining and overtime (ms) and the wrap-up level of the current block at `now`. */
export function currentTiming(current, now) {
  if (!current) return null;
  const remaining = current.paused ? current.remaining_ms - current.overtime_ms : current.time_up_ms - now;
  const left = Math.max(0, remaining);
  const overtime = Math.max(0, -remaining);
  let level = 'normal';
  if (remaining <= 0) level = 'overtime';
  else if (remaining <= current.danger_ms) level = 'danger';
  else if (remaining <= current.warning_ms) level = 'warning';
  return { remaining: left, overtime, level };
}

/** Time the current block has run at `now` (pauses excluded), from the snapshot's `elapsed_ms`. */
export function elapsedAt(current, snapNowMs, now) {
  if (!current) return 0;
  return current.paused ? current.elapsed_ms : current.elapsed_ms + Math.max(0, now - snapNowMs);
}
