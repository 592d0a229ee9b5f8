// Facilitator console: controls, keyboard shortcuts, the day's timeline with projections, private
// notes and contacts, the duties panel with per-block checklists, the stream summary and messages.
import {
  startLive, command, readAgenda, formatCountdown, formatOvertime, formatTime, formatClock, delayMinutes, delayText, serverNow,
} from './live.js';
import { $, el, setText, setClass } from './dom.js';
import { _, ngettext } from './i18n.js';
import { statusText, airText, transitionText, mismatchText } from './labels.js';
import { currentTiming, elapsedAt } from './timing.js';
import { checklist, dutyLabel } from './duties.js';
import { eventDay, daysWithBlocks, shownDay, dayLabel } from './days.js';

const body = document.body;
const stage = body.dataset.stage;
const view = { snap: null, blocks: new Map(), order: [], rooms: [], zone: 'UTC', dayChange: '04:00', tick: -1, pickedDay: null };
const UPCOMING_DUTY_BLOCKS = 3;
const PRESENCE = { on_site: _('on site'), remote: _('remote') };

// This console's own commands go one after the other, each against the revision the previous one
// produced, so quick key presses all count; a command from another console in between is refused as stale.
let queue = Promise.resolve();

function send(name, args = {}) {
  queue = queue.then(() => sendNow(name, args));
  return queue;
}

async function sendNow(name, args) {
  if (!view.snap) return;
  const reply = await command(socket, name, { stage, expected_rev: view.snap.rev, ...args });
  setText($('feedback'), reply.ok ? '' : reply.message || reply.error);
  if (reply.snapshot && reply.snapshot.rev >= view.snap.rev) { view.snap = reply.snapshot; render(); }
}

function confirmDialog(text) {
  const dialog = $('confirm');
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(text));
  setText($('confirm-text'), text);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    $('confirm-yes').focus();
  });
}

function minutesText(ms) {
  const minutes = Math.round(ms / 60000);
  const sign = minutes > 0 ? '+' : minutes < 0 ? '−' : '';
  return sign + ngettext('%(num)s min', '%(num)s min', Math.abs(minutes));
}

// ---- every frame -----------------------------------------------------------------------------

function frame(now) {
  setText($('clock'), formatClock(now, view.zone));
  const snap = view.snap;
  if (!snap) return;
  const timing = currentTiming(snap.current, now);
  let level = 'idle';
  if (timing) {
    level = timing.level;
    setText($('countdown'), level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining));
    setText($('countdown-label'), level === 'overtime' ? _('Overtime') : _('Time left'));
    setText($('elapsed'), formatCountdown(elapsedAt(snap.current, snap.now_ms, now)));
  } else if (snap.next && snap.next.projected_start_ms > now) {
    setText($('countdown'), formatCountdown(snap.next.projected_start_ms - now));
    setText($('countdown-label'), _('Starts in'));
    setText($('elapsed'), '–');
  } else {
    setText($('countdown'), '--:--');
    setText($('countdown-label'), '');
    setText($('elapsed'), '–');
  }
  setClass(body, `console show-link level-${level}`);
  setText($('stream-next'), transitionText(snap.next_stream_transition, view.blocks, view.zone, now));
  const tick = Math.floor(now / 30000);
  if (tick !== view.tick) { view.tick = tick; renderDuties(now); }
}

// ---- on every snapshot -----------------------------------------------------------------------

function render() {
  const snap = view.snap;
  const current = snap.current;
  setText($('status'), statusText(snap.status));
  setText($('now-title'), current ? current.title : snap.next ? `${_('Next')}: ${snap.next.title}` : statusText(snap.status));
  setText($('planned-length'), current ? formatCountdown(current.planned_duration_ms) : '–');
  setText($('added'), current ? minutesText(current.added_ms) : '–');
  setText($('delay'), delayText(snap.delay_ms));
  setClass($('delay'), delayMinutes(snap.delay_ms) > 0 ? 'late' : '');
  setText($('next'), current && snap.next ? `${_('Next')}: ${formatTime(snap.next.projected_start_ms, view.zone)} ${snap.next.title}` : '');
  const pause = $('pause-button');
  pause.dataset.command = snap.status === 'paused' ? 'resume' : 'pause';
  setText(pause, snap.status === 'paused' ? _('Resume') : _('Pause'));
  const blackout = $('blackout-button');
  setText(blackout, snap.blackout ? _('Screen back on') : _('Blackout'));
  blackout.setAttribute('aria-pressed', snap.blackout ? 'true' : 'false');
  setText($('current-message'), snap.message || _('No message'));
  renderDetails(view.blocks.get(current ? current.block_id : snap.next?.block_id));
  renderStream();
  renderTimeline();
  renderDuties(serverNow());
}

/** The day of the block being run or waited for (null before the agenda arrives or after the show). */
function runningDay() {
  const snap = view.snap;
  const id = snap.current ? snap.current.block_id : snap.next ? snap.next.block_id : null;
  const block = id ? view.blocks.get(id) : null;
  return block ? block.day : null;
}

/** The day the timeline shows: the one picked, else the day being run, else today's. */
function timelineDay(days) {
  if (view.pickedDay && days.includes(view.pickedDay)) return view.pickedDay;
  const running = runningDay();
  if (running && days.includes(running)) return running;
  return shownDay(days, eventDay(serverNow(), view.zone, view.dayChange));
}

/** The day picker of a multi-day event: which day the timeline shows, and a button to run it. */
function renderDayPicker(days, shown) {
  const picker = $('day-picker');
  picker.hidden = days.length < 2;
  if (picker.hidden) return;
  const select = $('day');
  const today = eventDay(serverNow(), view.zone, view.dayChange);
  const wanted = days.map((day) => `${day}|${dayLabel(day)}${day === today ? ` · ${_('today')}` : ''}`).join('\n');
  if (select.dataset.options !== wanted) {
    select.replaceChildren(...wanted.split('\n').map((line) => {
      const [day, label] = line.split('|');
      const option = el('option', label);
      option.value = day;
      return option;
    }));
    select.dataset.options = wanted;
  }
  if (select.value !== shown) select.value = shown;
  $('run-day').hidden = shown === runningDay() && view.snap.status !== 'finished';
}

function renderTimeline() {
  const snap = view.snap;
  const days = daysWithBlocks([...view.blocks.values()]);
  const shown = timelineDay(days);
  renderDayPicker(days, shown);
  const onDay = days.length < 2 ? snap.projections
    : snap.projections.filter((row) => view.blocks.get(row.block_id)?.day === shown);
  const rows = onDay.map((row) => {
    const tr = el('tr', '', `row-${row.state}`);
    if (row.state === 'current') tr.setAttribute('aria-current', 'true');
    tr.append(el('td', formatTime(row.planned_start_ms, view.zone), 'time'));
    const late = row.delay_ms !== null && Math.abs(row.delay_ms) >= 60000;
    tr.append(el('td', row.projected_start_ms === null ? '–' : formatTime(row.projected_start_ms, view.zone),
      `time${row.at_risk ? ' at-risk' : late && row.delay_ms > 0 ? ' late' : ''}`));
    const delay = el('td', row.delay_ms === null ? '' : late ? minutesText(row.delay_ms) : '', 'time');
    if (row.at_risk) delay.append(el('span', ` ${_('at risk')}`, 'at-risk'));
    tr.append(delay);
    const title = el('td', row.title);
    if (row.start_rule === 'hard') title.append(el('span', ` · ${_('fixed time')}`, 'muted'));
    tr.append(title);
    const block = view.blocks.get(row.block_id);
    const streamCell = el('td');
    if (block && block.stream !== 'unspecified') streamCell.append(el('span', airText(block.stream), `badge ${block.stream}`));
    tr.append(streamCell);
    const goCell = el('td');
    if (row.state !== 'current') {
      const go = el('button', _('Go to'), 'small');
      go.type = 'button';
      go.setAttribute('aria-label', `${_('Go to this block')}: ${row.title}`);
      go.addEventListener('click', async () => {
        const confirmed = await confirmDialog(_('Start “%(title)s” now? The running block ends.', { title: row.title }));
        if (confirmed) send('goto', { block_id: row.block_id });
      });
      goCell.append(go);
    }
    tr.append(goCell);
    return tr;
  });
  $('timeline').replaceChildren(...rows);
}

function copyText(text, button) {
  const done = () => { setText(button, `${text} · ${_('Copied')}`); setTimeout(() => setText(button, text), 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  } else fallbackCopy(text, done);
}

function fallbackCopy(text, done) {
  const area = el('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  try { document.execCommand('copy'); done(); } finally { area.remove(); }
}

function renderDetails(block) {
  setText($('details-title'), block ? block.title : '');
  const box = $('details');
  const parts = [];
  if (!block) { box.replaceChildren(); return; }
  const list = el('dl', '', 'details-list');
  const add = (label, nodes) => {
    const row = el('div');
    row.append(el('dt', label));
    const dd = el('dd');
    dd.append(...nodes);
    row.append(dd);
    list.append(row);
  };
  if (block.facilitators.length) add(_('Facilitators'), [document.createTextNode(block.facilitators.join(', '))]);
  if (block.speakers.length) {
    add(_('Speakers'), [document.createTextNode(block.speakers.map((s) => {
      const where = PRESENCE[s.presence] || '';
      return [s.name, s.affiliation, where].filter(Boolean).join(', ');
    }).join('; '))]);
  }
  if (block.contacts.length) {
    add(_('Contacts (click to copy)'), block.contacts.map((contact) => {
      const button = el('button', contact.value, 'copy small');
      button.type = 'button';
      button.addEventListener('click', () => copyText(contact.value, button));
      return button;
    }));
  }
  if (list.children.length) parts.push(list);
  parts.push(el('h3', _('Private notes')));
  const notes = el('div', '', 'notes');
  const paragraphs = block.notes ? block.notes.split(/\n\s*\n/) : [];
  for (const para of paragraphs) notes.append(el('p', para));
  if (!paragraphs.length) notes.append(el('p', _('Nothing noted.'), 'muted'));
  parts.push(notes);
  box.replaceChildren(...parts);
}

function renderStream() {
  const snap = view.snap;
  const block = snap.current ? view.blocks.get(snap.current.block_id) : null;
  const plan = block ? block.stream : 'off';
  const badge = $('stream-plan');
  setClass(badge, `badge ${plan}`);
  setText(badge, airText(plan));
  const actual = snap.stream_on === true ? _('ON AIR') : snap.stream_on === false ? _('OFF AIR') : _('not reported');
  setText($('stream-actual'), `${_('Actual stream')}: ${actual}`);
  const mismatch = $('stream-mismatch');
  mismatch.hidden = !snap.stream_mismatch;
  setText(mismatch, mismatchText(snap));
}

// ---- duties ----------------------------------------------------------------------------------

function person() { return $('person').value.trim(); }

function takeDuty(blockId, index) {
  const name = person();
  if (!name) { setText($('feedback'), _('Your name')); $('person').focus(); return; }
  send('take_duty', { block_id: blockId, index, person: name });
}

function dutyNode(block, duty, index) {
  const due = (view.snap.duties_due || []).find((d) => d.block_id === block.id && d.index === index);
  // Duties taken for later blocks are in duty_takers for the whole day, not only in duties_due.
  const taker = (view.snap.duty_takers || []).find((d) => d.block_id === block.id && d.index === index);
  const assignee = due ? due.assignee : (taker ? taker.person : duty.assignee);
  const open = due ? due.open : !taker && duty.assignee === null && !duty.per_group;
  const li = el('li', '', open ? 'duty open' : 'duty');
  li.append(el('span', `${dutyLabel(duty.role)}: `));
  if (open) li.append(el('strong', _('open'), 'open-label'));
  else if (duty.per_group && !assignee) li.append(el('span', _('each group chooses'), 'muted'));
  else li.append(el('span', (due && due.taken) || taker ? _('taken by %(person)s', { person: assignee }) : assignee));
  if (open) {
    const take = el('button', _('I take it'), 'small take');
    take.type = 'button';
    take.dataset.block = block.id;
    take.dataset.index = String(index);
    take.addEventListener('click', () => takeDuty(block.id, index));
    li.append(document.createTextNode(' '), take);
  }
  return li;
}

function checkItem(block, item) {
  const li = el('li', '', `check ${item.kind}`);
  const id = `check-${block.id}-${item.key}`;
  const box = el('input');
  box.type = 'checkbox';
  box.id = id;
  const stored = `runofshow:check:${block.id}:${item.key}`;
  try { box.checked = localStorage.getItem(stored) === '1'; } catch (_) { /* private mode */ }
  box.addEventListener('change', () => { try { localStorage.setItem(stored, box.checked ? '1' : '0'); } catch (_) { /* ignore */ } });
  const label = el('label', item.text);
  label.htmlFor = id;
  li.append(box, label);
  return li;
}

function renderDuties(now) {
  const snap = view.snap;
  if (!snap) return;
  const box = $('duties');
  const sections = [];
  const rows = snap.projections.filter((row) => row.state === 'current' || row.state === 'upcoming');
  let shown = 0;
  for (const row of rows) {
    const block = view.blocks.get(row.block_id);
    if (!block) continue;
    const items = checklist(block, view.rooms);
    if (!items.length && !block.duties.length) continue;
    if (row.state === 'upcoming' && shown >= UPCOMING_DUTY_BLOCKS) break;
    if (row.state === 'upcoming') shown += 1;
    const section = el('section', '', `duty-block ${row.state}`);
    const heading = el('h3', row.state === 'current' ? `${_('Now')}: ${block.title}` : block.title);
    if (row.state === 'upcoming' && row.projected_start_ms !== null) {
      const minutes = Math.max(0, Math.round((row.projected_start_ms - now) / 60000));
      const when = ngettext('in %(num)s min', 'in %(num)s min', minutes);
      heading.append(el('span', ` · ${formatTime(row.projected_start_ms, view.zone)} (${when})`, 'muted'));
    }
    section.append(heading);
    if (block.duties.length) {
      const duties = el('ul', '', 'duty-list');
      block.duties.forEach((duty, index) => duties.append(dutyNode(block, duty, index)));
      section.append(duties);
    }
    if (items.length) {
      const list = el('ul', '', 'checklist');
      list.setAttribute('aria-label', _('Checklist'));
      for (const item of items) list.append(checkItem(block, item));
      section.append(list);
    }
    sections.push(section);
  }
  if (!sections.length) sections.push(el('p', _('No open duties.'), 'muted'));
  box.replaceChildren(...sections);
}

// ---- controls ---------------------------------------------------------------------------------

document.querySelectorAll('[data-command]').forEach((button) => {
  button.addEventListener('click', async () => {
    const name = button.dataset.command;
    if (name === 'end' && !(await confirmDialog(_('End the show now?')))) return;
    if (name === 'add_time') send(name, { minutes: Number(button.dataset.minutes) });
    else if (name === 'blackout') send(name, { on: !view.snap?.blackout });
    else send(name);
  });
});
$('day').addEventListener('change', () => {
  view.pickedDay = $('day').value;
  if (view.snap) renderTimeline();
});
$('run-day').addEventListener('click', async () => {
  const day = $('day').value;
  const first = [...view.blocks.values()].find((block) => block.day === day);
  if (!first) return;
  const question = _('Run %(day)s? The show moves to “%(title)s”, which starts at its planned time, or now if that has passed.',
    { day: dayLabel(day), title: first.title });
  if (await confirmDialog(question)) {
    view.pickedDay = null;
    send('cue', { block_id: first.id });
  }
});
$('message-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('message-text').value.trim();
  if (text) send('message', { text });
});
$('message-clear').addEventListener('click', () => { $('message-text').value = ''; send('message', { text: '' }); });
document.querySelectorAll('[data-preset]').forEach((button) => {
  button.addEventListener('click', () => send('message', { text: button.dataset.preset }));
});
try { $('person').value = localStorage.getItem('runofshow:person') || ''; } catch (_) { /* private mode */ }
$('person').addEventListener('change', () => { try { localStorage.setItem('runofshow:person', person()); } catch (_) { /* ignore */ } });

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  if (target.closest && target.closest('input, textarea, select, dialog')) return;
  const onControl = target.closest && target.closest('button, a, summary');
  if (onControl && (event.key === ' ' || event.key === 'Enter')) return; // the focused control's own action
  const keys = {
    ' ': () => send('next'), ArrowRight: () => send('next'), ArrowLeft: () => send('previous'),
    '+': () => send('add_time', { minutes: 1 }), '-': () => send('add_time', { minutes: -1 }),
    p: () => send(view.snap?.status === 'paused' ? 'resume' : 'pause'), m: () => $('message-text').focus(),
  };
  const action = keys[event.key];
  if (action) { event.preventDefault(); action(); }
});

const socket = startLive({
  audience: 'console',
  stage,
  handlers: {
    agenda: (payload) => {
      view.blocks = readAgenda(view, payload);
      view.rooms = payload.event.rooms;
      if (view.snap) render();
    },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
