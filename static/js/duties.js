// Per-block checklists for the facilitators, derived from the block's breakout plan, duties and reminders,
// and the console's duties panel that shows them.
import { _, ngettext } from './i18n.js';
import { el, setText, setClass } from './dom.js';
import { formatTime } from './live.js';
import { keyedChildren, refill } from './keyed.js';

const DUTIES = {
  digital_group_lead: _('Lead of the digital group'), group_lead: _('Group lead'), note_taker: _('Note taker'),
  timekeeper: _('Timekeeper'), facilitator: _('Facilitator'), helper: _('Helper'),
};

/** A duty's role in words ("digital_group_lead" -> "Lead of the digital group"). */
export function dutyLabel(role) {
  return Object.hasOwn(DUTIES, role) ? DUTIES[role] : role.replace(/_/g, ' ');
}

/** What the crew must do in a block: [{key, kind, text}], in the order they happen. */
export function checklist(block, rooms = []) {
  const items = [];
  const breakout = block.breakout;
  const remote = new Set(rooms.filter((room) => room.kind === 'remote').map((room) => room.id));
  const hasRemote = block.rooms.some((id) => remote.has(id));
  if (breakout && breakout.teams_rooms) items.push({ key: 'open-rooms', kind: 'breakout', text: _('Open the Teams breakout rooms') });
  if (breakout && (breakout.physical_groups || breakout.group_size_min)) {
    const low = breakout.group_size_min, high = breakout.group_size_max;
    const size = low && high && low !== high ? `${low}–${high}` : String(low || high || '');
    if (size) items.push({ key: 'groups', kind: 'breakout', text: _('Form groups of %(size)s', { size }) });
  }
  (breakout ? breakout.rules : []).forEach((rule, index) => items.push({ key: `rule-${index}`, kind: 'rule', text: rule }));
  block.reminders.forEach((reminder, index) => items.push({
    key: `reminder-${index}`, kind: 'reminder', text: `${_('Remember')}: ${reminder.text}`,
  }));
  const mentionsTeams = block.reminders.some((reminder) => /teams/i.test(reminder.text));
  if (hasRemote && block.category === 'discussion' && !mentionsTeams) {
    items.push({ key: 'teams-input', kind: 'reminder', text: _('Collect input from Teams') });
  }
  if (breakout && breakout.teams_rooms) {
    items.push({ key: 'close-rooms', kind: 'breakout', text: _('Close the breakout rooms and bring everyone back') });
  }
  return items;
}

// ---- the console's duties panel, updated in place -------------------------------------------------

const UPCOMING_DUTY_BLOCKS = 3;

/** The blocks the panel shows: the current one and the next few upcoming with duties or a checklist. */
function dutyBlocks(snap, blocks, rooms) {
  const shown = [];
  let upcoming = 0;
  for (const row of snap.projections) {
    if (row.state !== 'current' && row.state !== 'upcoming') continue;
    const block = blocks.get(row.block_id);
    if (!block) continue;
    const items = checklist(block, rooms);
    if (!items.length && !block.duties.length) continue;
    if (row.state === 'upcoming' && upcoming >= UPCOMING_DUTY_BLOCKS) break;
    if (row.state === 'upcoming') upcoming += 1;
    shown.push({ row, block, items });
  }
  return shown;
}

/** Who has a duty now and whether it is still open. */
function dutyState(snap, block, duty, index) {
  const due = (snap.duties_due || []).find((d) => d.block_id === block.id && d.index === index);
  // Duties taken for later blocks are in duty_takers for the whole day, not only in duties_due.
  const taker = (snap.duty_takers || []).find((d) => d.block_id === block.id && d.index === index);
  const assignee = due ? due.assignee : (taker ? taker.person : duty.assignee);
  const open = due ? due.open : !taker && duty.assignee === null && !duty.per_group;
  return { assignee, open, taken: Boolean((due && due.taken) || taker) };
}

function dutyWho(duty, state) {
  if (state.open) return el('strong', _('open'), 'open-label');
  if (duty.per_group && !state.assignee) return el('span', _('each group chooses'), 'muted');
  return el('span', state.taken ? _('taken by %(person)s', { person: state.assignee }) : state.assignee);
}

/** One duty's line; its "I take it" button is kept (and keeps its focus) while the duty stays open. */
function updateDuty(li, block, duty, index, state, ctx) {
  setClass(li, state.open ? 'duty open' : 'duty');
  const [label, who, take] = li.children;
  setText(label, `${dutyLabel(duty.role)}: `);
  refill(who, `${state.open}|${state.taken}|${state.assignee}`, () => [dutyWho(duty, state)]);
  take.hidden = !(state.open && ctx.mayTake);
  take.onclick = () => ctx.onTake(block.id, index);
}

function dutyLine() {
  const li = el('li');
  const take = el('button', _('I take it'), 'small take');
  take.type = 'button';
  li.append(el('span'), el('span'), take);
  return li;
}

function checkItem(blockId, key) {
  const li = el('li');
  const id = `check-${blockId}-${key}`;
  const box = el('input');
  box.type = 'checkbox';
  box.id = id;
  const stored = `runofshow:check:${blockId}:${key}`;
  try { box.checked = localStorage.getItem(stored) === '1'; } catch (_) { /* private mode */ }
  box.addEventListener('change', () => { try { localStorage.setItem(stored, box.checked ? '1' : '0'); } catch (_) { /* ignore */ } });
  const label = el('label');
  label.htmlFor = id;
  li.append(box, label);
  return li;
}

function dutySection() {
  const section = el('section');
  const heading = el('h3');
  heading.append(el('span'), el('span', '', 'muted'));
  const duties = el('ul', '', 'duty-list');
  const list = el('ul', '', 'checklist');
  list.setAttribute('aria-label', _('Checklist'));
  section.append(heading, duties, list);
  return section;
}

function updateSection(section, { row, block, items }, ctx) {
  setClass(section, `duty-block ${row.state}`);
  const [heading, duties, list] = section.children;
  setText(heading.children[0], row.state === 'current' ? `${_('Now')}: ${block.title}` : block.title);
  let when = '';
  if (row.state === 'upcoming' && row.projected_start_ms !== null) {
    const minutes = Math.max(0, Math.round((row.projected_start_ms - ctx.now) / 60000));
    when = ` · ${formatTime(row.projected_start_ms, ctx.zone)} (${ngettext('in %(num)s min', 'in %(num)s min', minutes)})`;
  }
  setText(heading.children[1], when);
  duties.hidden = !block.duties.length;
  keyedChildren(duties, block.duties.map((duty, index) => String(index)), dutyLine).forEach((li, index) => {
    const duty = block.duties[index];
    updateDuty(li, block, duty, index, dutyState(ctx.snap, block, duty, index), ctx);
  });
  list.hidden = !items.length;
  keyedChildren(list, items.map((item) => item.key), (key) => checkItem(block.id, key)).forEach((li, index) => {
    setClass(li, `check ${items[index].kind}`);
    setText(li.lastElementChild, items[index].text);
  });
}

/**
 * Draw the duties panel into `box` in place: `ctx` is { snap, blocks, rooms, zone, now, mayTake,
 * onTake(blockId, index) }. A focused checkbox or "I take it" keeps its focus through a push.
 */
export function renderDutiesPanel(box, ctx) {
  const shown = dutyBlocks(ctx.snap, ctx.blocks, ctx.rooms);
  const keys = shown.length ? shown.map((entry) => entry.block.id) : [''];
  const nodes = keyedChildren(box, keys, (key) => (key ? dutySection() : el('p', _('No open duties.'), 'muted')));
  shown.forEach((entry, index) => updateSection(nodes[index], entry, ctx));
}
