// Per-block checklists for the facilitators, derived from the block's breakout plan, duties and reminders.
import { _ } from './i18n.js';

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
