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

// ---- projected times at `now` ------------------------------------------------------------------
// The server projects every time at its snapshot's `now_ms` and pushes only on change. While the
// current block runs over or is paused, time passes and those projections go stale; these functions
// move them with the clock exactly as the engine (runofshow/engine/projections.py) would project
// them at `now`, so no screen ever shows a later time that has already passed.

/** The instant times are projected at: `now`, never before the snapshot was made. */
const projectedAt = (snap, now) => Math.max(now, snap.now_ms);

/** The current block's projected end at `now` (its time-up, pushed along by a pause, never before now); null without one. */
export function currentEndAt(snap, now) {
  const current = snap.current;
  if (!current || (snap.status !== 'running' && snap.status !== 'paused')) return null;
  const at = projectedAt(snap, now);
  const timeUp = current.paused ? current.time_up_ms + (at - snap.now_ms) : current.time_up_ms;
  return Math.max(timeUp, at);
}

/** Where the chain of upcoming blocks starts at `now`: the current block's end, now while waiting, null when finished. */
function chainStartAt(snap, now) {
  if (snap.status === 'not_started' || snap.status === 'gap') return projectedAt(snap, now);
  return currentEndAt(snap, now);
}

/**
 * An upcoming row moved behind `cursor`: it starts at its projected start or at `cursor`, whichever is
 * later (a gap before it or its hard start absorbs the delay first). Returns [row, its end].
 */
function movedRow(row, cursor) {
  const start = Math.max(row.projected_start_ms, cursor);
  const moved = start - row.projected_start_ms;
  const end = row.projected_end_ms === undefined ? undefined : row.projected_end_ms + moved;
  if (!moved) return [row, end];
  const shifted = { ...row, projected_start_ms: start, at_risk: row.at_risk || row.start_rule === 'hard' };
  if (end !== undefined) shifted.projected_end_ms = end;
  if (typeof row.delay_ms === 'number') shifted.delay_ms = row.delay_ms + moved;
  return [shifted, end];
}

/** The stream change at `now`: it happens at a block's projected start or end, which may have moved. */
function transitionAt(transition, before, after) {
  if (!transition) return transition;
  const row = before.get(transition.block_id);
  const live = after.get(transition.block_id);
  if (!row || !live || row === live) return transition;
  const at = transition.at_ms === row.projected_start_ms ? live.projected_start_ms
    : transition.at_ms === row.projected_end_ms ? live.projected_end_ms : transition.at_ms;
  return at === transition.at_ms ? transition : { ...transition, at_ms: at };
}

/**
 * The snapshot with every projected time as the server would project it at `now` (current block's
 * end, `next`, `projections`, `delay_ms`, the next stream change), or the snapshot itself when
 * nothing has moved. `now_ms`, `rev` and the countdown fields stay those of the snapshot.
 */
export function snapshotAt(snap, now) {
  let cursor = chainStartAt(snap, now);
  if (cursor === null) return snap;
  const before = new Map();
  const after = new Map();
  // Each block's row as the server sent it and as moved; the projections' row wins over `next`.
  const keep = (server, live) => {
    if (!before.has(server.block_id)) { before.set(server.block_id, server); after.set(server.block_id, live); }
    return live;
  };
  const out = { ...snap };
  const current = snap.current;
  let moved = 0;
  if (current && snap.status !== 'not_started' && snap.status !== 'gap') {
    moved = cursor - current.projected_end_ms;
    if (moved) out.current = keep(current, { ...current, projected_end_ms: cursor });
  }
  const chainStart = cursor;
  if (snap.projections) {
    out.projections = snap.projections.map((row) => {
      if (row.state === 'current' && moved) {
        return keep(row, { ...row, projected_end_ms: cursor, delay_ms: row.delay_ms + moved });
      }
      if (row.state !== 'upcoming' || row.projected_start_ms === null) return row;
      const [live, end] = movedRow(row, cursor);
      cursor = end;
      return keep(row, live);
    });
  }
  if (snap.next) {
    const [live] = movedRow(snap.next, chainStart);
    out.next = keep(snap.next, live);
    if (!current) out.delay_ms = snap.delay_ms + (live.projected_start_ms - snap.next.projected_start_ms);
  }
  if (current) out.delay_ms = snap.delay_ms + moved;
  out.next_stream_transition = transitionAt(snap.next_stream_transition, before, after);
  const changed = [...after].some(([id, live]) => live !== before.get(id));
  return changed ? out : snap;
}

/**
 * A key that changes when `snapshotAt(snap, now)` shows other times: the current end and the next
 * start in half-minute steps (times show as HH:MM, delays in whole minutes rounded).
 */
export function movedKey(snap, now) {
  const end = currentEndAt(snap, now);
  const start = snap.next ? Math.max(snap.next.projected_start_ms, chainStartAt(snap, now) ?? 0) : 0;
  return `${Math.floor((end ?? 0) / 30000)}|${Math.floor(start / 30000)}`;
}
