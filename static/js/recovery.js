// The console's "getting back on time" panel: the behind/ahead line from the snapshot, the recovery
// plans side by side (asked of the server, which judges each in the engine's own projection), and
// what each changes. Applying one is the console's job (it asks first); this module only draws.
import { formatTime } from './live.js';
import { el } from './dom.js';
import { _, ngettext } from './i18n.js';

const MINUTE = 60000;

const KIND_TITLES = {
  spread: _('Spread over every flexible block'),
  soft_first: _('Breaks and discussion first'),
  fewest: _('Touch as few blocks as possible'),
  drop_optional: _('Drop an optional block'),
  extend_discussion: _('Give discussions and breaks more time'),
  extend_spread: _('Give every block a little more time'),
  start_early: _('Start the next fixed block early'),
};

const CATEGORY_NAMES = {
  talk: _('talks'), discussion: _('discussion'), workshop: _('workshops'), break: _('breaks'), meal: _('meals'),
  milestone: _('milestones'), other: _('other blocks'),
};

const minutes = (ms) => Math.round(ms / MINUTE);

/** The fixed-time rows of the snapshot that are projected late ("at risk"). */
export function atRiskRows(snap) {
  return snap.projections.filter((row) => row.at_risk);
}

/** "Behind 18 min: Middag 19:00 at risk" (or nothing when on time), from the snapshot alone. */
export function behindLine(snap, zone) {
  const risky = atRiskRows(snap);
  const late = minutes(snap.delay_ms);
  if (!risky.length && late <= 0) return '';
  const names = startsText(risky, zone);
  const behind = ngettext('Behind %(num)s min', 'Behind %(num)s min', Math.max(late, 0));
  return names ? _('%(behind)s: %(names)s at risk', { behind, names }) : behind;
}

/** One block's change in words: "Åpning: 15 → 12 min" or "Åpning: dropped". */
export function changeText(change) {
  if (change.dropped) return _('%(title)s: dropped', { title: change.title });
  return _('%(title)s: %(before)s → %(after)s min',
    { title: change.title, before: minutes(change.before_ms), after: minutes(change.after_ms) });
}

/** What a plan costs in words: minutes per kind of block and how many talks it touches. */
function costText(plan) {
  const parts = Object.entries(plan.cost_ms).map(([category, ms]) => {
    const taken = minutes(ms);
    const name = CATEGORY_NAMES[category] || category;
    return taken >= 0 ? _('%(num)s min from %(kind)s', { num: taken, kind: name })
      : _('%(num)s min more for %(kind)s', { num: -taken, kind: name });
  });
  if (plan.talks_touched) parts.push(ngettext('%(num)s talk touched', '%(num)s talks touched', plan.talks_touched));
  return parts.join(' · ');
}

/** What a plan saves in words: the fixed starts it keeps, or how late the target still is. */
function outcomeText(plan, options, zone) {
  const titles = new Map(options.at_risk.map((start) => [start.block_id, start.title]));
  if (plan.saves.length) {
    return _('Keeps %(names)s on time', { names: plan.saves.map((id) => titles.get(id) || id).join(', ') });
  }
  if (plan.starts_early && plan.target_start_ms) {
    return _('%(title)s could start at %(time)s', { title: options.target.title, time: formatTime(plan.target_start_ms, zone) });
  }
  if (options.target && plan.target_start_ms) {
    return _('%(title)s projected at %(time)s', { title: options.target.title, time: formatTime(plan.target_start_ms, zone) });
  }
  return plan.end_ms ? _('The day ends at %(time)s', { time: formatTime(plan.end_ms, zone) }) : '';
}

/** The heading of the options: how far behind (or ahead) and towards which fixed start. */
export function optionsHeading(options, zone) {
  const amount = minutes(options.amount_ms);
  const target = options.target ? `${options.target.title} ${formatTime(options.target.planned_start_ms, zone)}` : _('the end of the day');
  if (options.direction === 'behind') return ngettext('%(num)s min to win back before %(target)s', '%(num)s min to win back before %(target)s', amount, { target });
  if (options.direction === 'ahead') return ngettext('%(num)s min ahead of %(target)s', '%(num)s min ahead of %(target)s', amount, { target });
  return _('On time: nothing to win back.');
}

/** The plans as cards side by side; `onApply(plan)` is called when one's button is pressed. */
export function renderPlans(box, options, zone, onApply) {
  const cards = options.plans.map((plan) => {
    const card = el('article', '', `plan-card plan-${plan.kind}`);
    card.dataset.kind = plan.kind;
    card.append(el('h3', KIND_TITLES[plan.kind] || plan.kind));
    card.append(el('p', outcomeText(plan, options, zone), plan.saves.length ? 'plan-saves' : 'plan-outcome'));
    if (plan.blocks.length) {
      const list = el('ul', '', 'plan-changes');
      list.append(...plan.blocks.map((change) => el('li', changeText(change))));
      card.append(list);
      card.append(el('p', costText(plan), 'muted plan-cost'));
      const apply = el('button', _('Apply this plan'), 'small primary');
      apply.type = 'button';
      apply.dataset.confirm = 'apply_plan';
      apply.addEventListener('click', () => onApply(plan));
      card.append(apply);
    } else if (plan.starts_early) {
      card.append(el('p', _('When the block before ends, press Next, then Next again to start it without waiting.'), 'muted'));
    }
    return card;
  });
  if (!cards.length) cards.push(el('p', _('No plan fits: every block that could give is already at its minimum.'), 'muted'));
  box.replaceChildren(...cards);
}

/** The confirmation question for a plan: every change, one per line. */
export function confirmText(plan) {
  return `${_('Apply this plan? Every screen shows the new times at once.')}\n${plan.blocks.map(changeText).join('\n')}`;
}

/** A crew-only JSON answer about this stage (`what` is recovery or what-if), with the non-empty `params`. */
async function stageQuery(stage, what, params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value));
  const response = await fetch(`/api/stages/${encodeURIComponent(stage)}/${what}?${query}`, { credentials: 'same-origin' });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || body.error);
  return body;
}

/** The plans from the server for this stage now, or for a target (`minutes` back by `block`). */
export function fetchOptions(stage, target = {}) {
  return stageQuery(stage, 'recovery', target);
}

/** The fixed starts a command (add_time with `minutes`, goto with `block`) would put at risk; [] when it cannot run. */
export async function fetchAtRisk(stage, params) {
  try {
    return (await stageQuery(stage, 'what-if', params)).at_risk;
  } catch (error) {
    return [];
  }
}

/** "Lunsj 12:00, Middag 19:00": fixed starts by title and planned time. */
export function startsText(starts, zone) {
  return starts.map((start) => `${start.title} ${formatTime(start.planned_start_ms, zone)}`).join(', ');
}

/** "now 25 min, was 30" for a row a plan changed ("dropped" for one it dropped), else ''. */
export function adjustedText(row, plannedMs) {
  if (row.dropped) return _('dropped');
  if (row.adjusted_ms === null || row.adjusted_ms === undefined) return '';
  return _('now %(now)s min, was %(was)s', { now: minutes(row.adjusted_ms), was: minutes(plannedMs) });
}

/** True when any block runs to a length a plan gave it (so undo has something to undo). */
export function hasAdjustments(snap) {
  return snap.projections.some((row) => row.dropped || (row.adjusted_ms !== null && row.adjusted_ms !== undefined));
}
