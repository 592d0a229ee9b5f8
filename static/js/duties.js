// Per-block checklists for the facilitators, derived from the block's breakout plan, duties and reminders.
import { t, fmt } from './live.js';

/** A duty's role in words ("digital_group_lead" -> "Lead of the digital group"). */
export function dutyLabel(role) {
  const key = `duty_${role}`;
  const text = t(key);
  return text === key ? role.replace(/_/g, ' ') : text;
}

/** What the crew must do in a block: [{key, kind, text}], in the order they happen. */
export function checklist(block, rooms = []) {
  const items = [];
  const breakout = block.breakout;
  const remote = new Set(rooms.filter((room) => room.kind === 'remote').map((room) => room.id));
  const hasRemote = block.rooms.some((id) => remote.has(id));
  if (breakout && breakout.teams_rooms) items.push({ key: 'open-rooms', kind: 'breakout', text: t('check_open_rooms') });
  if (breakout && (breakout.physical_groups || breakout.group_size_min)) {
    const low = breakout.group_size_min, high = breakout.group_size_max;
    const size = low && high && low !== high ? `${low}–${high}` : String(low || high || '');
    if (size) items.push({ key: 'groups', kind: 'breakout', text: fmt('check_groups', { size }) });
  }
  (breakout ? breakout.rules : []).forEach((rule, index) => items.push({ key: `rule-${index}`, kind: 'rule', text: rule }));
  block.reminders.forEach((reminder, index) => items.push({ key: `reminder-${index}`, kind: 'reminder', text: `${t('remember')}: ${reminder.text}` }));
  const mentionsTeams = block.reminders.some((reminder) => /teams/i.test(reminder.text));
  if (hasRemote && block.category === 'discussion' && !mentionsTeams) {
    items.push({ key: 'teams-input', kind: 'reminder', text: t('check_teams_input') });
  }
  if (breakout && breakout.teams_rooms) items.push({ key: 'close-rooms', kind: 'breakout', text: t('check_close_rooms') });
  return items;
}
