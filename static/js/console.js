// Facilitator console: controls, keyboard shortcuts, the day's timeline with projections, private
// notes and contacts, the duties panel with per-block checklists, the stream summary and messages.
// Each role gets only the controls it may use; lists update in place so focus survives a push.
import {
  startLive, command, readAgenda, formatCountdown, formatOvertime, formatTime, formatClock, delayMinutes, delayText, serverNow,
} from './live.js';
import { $, el, setText, setClass } from './dom.js';
import { _, ngettext } from './i18n.js';
import { statusText, airText, transitionText, mismatchText, recordBadge } from './labels.js';
import { currentTiming, elapsedAt } from './timing.js';
import { renderDutiesPanel } from './duties.js';
import { eventDay, daysWithBlocks, shownDay, dayLabel } from './days.js';
import { keyedChildren, refill } from './keyed.js';
import { releasePointerFocus, ignoreHeldKeysOnControls, pressGuard } from './keyguard.js';
import { showStageScreen } from './stagescreen.js';
import { obsProblem, showObs } from './obs.js';
import {
  adjustedText, behindLine, confirmText, fetchAtRisk, fetchOptions, hasAdjustments, optionsHeading, renderPlans, startsText,
} from './recovery.js';

const body = document.body;
const stage = body.dataset.stage;
// The commands this crew member's role may send (the page is rendered for the signed-in identity).
const may = new Set(($('main').dataset.may || '').split(' ').filter(Boolean));
const view = {
  snap: null, blocks: new Map(), order: [], rooms: [], zone: 'UTC', dayChange: '04:00', tick: -1, pickedDay: null,
  rows: new Map(), detailsFor: null, recovery: null, whatIfKey: null,
};
const PRESENCE = { on_site: _('on site'), remote: _('remote') };

// This console's own commands go one after the other, each against the revision the previous one
// produced, so quick key presses all count; a command from another console in between is refused as stale.
let queue = Promise.resolve();

/** Queue a command; resolves with its acknowledgement (undefined before the first snapshot). */
function send(name, args = {}) {
  const reply = queue.then(() => sendNow(name, args));
  queue = reply;
  return reply;
}

async function sendNow(name, args) {
  if (!view.snap) return undefined;
  const reply = await command(socket, name, { stage, expected_rev: view.snap.rev, ...args });
  setText($('feedback'), reply.ok ? '' : reply.message || reply.error);
  if (reply.snapshot && reply.snapshot.rev >= view.snap.rev) { view.snap = reply.snapshot; render(); }
  return reply;
}

// A second Next right after a Next is held until pressed once more: a double tap, a bounce or a held
// key never skips a block by accident (the lunch among them).
const nextGuard = pressGuard({
  onHold: () => { $('next-note').hidden = false; },
  onRelease: () => { $('next-note').hidden = true; },
});

function pressNext() {
  if (nextGuard()) send('next');
}

/** Ask before a destructive command; the dialog opens on Cancel, so a stray Space or Enter declines. */
function confirmDialog(text) {
  const dialog = $('confirm');
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(text));
  setText($('confirm-text'), text);
  // The browser gives the focus back to the button that opened the dialog when it closes: a Space
  // there would ask again for the same drastic step, so that button lets go of the focus first.
  const opener = document.activeElement;
  if (opener && opener.closest?.('[data-confirm]')) opener.blur();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    $('confirm-no').focus();
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
  showStageScreen($('stage-now-badges'), $('stage-now-message'), view.snap, now);
  showObs($('stream-obs'), view.snap, now);
  const tick = Math.floor(now / 30000);
  if (tick !== view.tick) { view.tick = tick; renderDuties(now); renderWhatIf(); }
}

// ---- on every snapshot -----------------------------------------------------------------------

function render() {
  const snap = view.snap;
  const current = snap.current;
  setText($('status'), statusText(snap.status));
  setText($('now-title'), current ? current.title : snap.next ? `${_('Next')}: ${snap.next.title}` : statusText(snap.status));
  setText($('planned-length'), !current ? '–' : current.adjusted_ms == null ? formatCountdown(current.planned_duration_ms)
    : `${formatCountdown(current.adjusted_ms)} (${_('was %(was)s', { was: formatCountdown(current.planned_duration_ms) })})`);
  setText($('added'), current ? minutesText(current.added_ms) : '–');
  setText($('delay'), delayText(snap.delay_ms));
  setClass($('delay'), delayMinutes(snap.delay_ms) > 0 ? 'late' : '');
  setText($('next'), current && snap.next ? `${_('Next')}: ${formatTime(snap.next.projected_start_ms, view.zone)} ${snap.next.title}` : '');
  const pause = $('pause-button');
  if (pause) {
    pause.dataset.command = snap.status === 'paused' ? 'resume' : 'pause';
    setText(pause, snap.status === 'paused' ? _('Resume') : _('Pause'));
  }
  const blackout = $('blackout-button');
  if (blackout) setText(blackout, snap.blackout ? _('Turn blackout off') : _('Turn blackout on'));
  setText($('current-message'), snap.message || _('No message'));
  const pin = $('pin-label');
  if (pin) pin.hidden = !('message_pinned' in snap); // shown once the server keeps messages through Next
  renderDetails(view.blocks.get(current ? current.block_id : snap.next?.block_id));
  renderStream();
  renderTimeline();
  renderDuties(serverNow());
  renderRecovery();
  renderWhatIf();
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
  const runDay = $('run-day');
  if (runDay) runDay.hidden = shown === runningDay() && view.snap.status !== 'finished';
}

function timelineRow() {
  const tr = el('tr');
  tr.append(el('td', '', 'time'), el('td'), el('td', '', 'time'), el('td'), el('td'), el('td'));
  return tr;
}

/** A "Go to" button for a timeline row; it reads the row's newest data when pressed. */
function goToButton(blockId) {
  const go = el('button', _('Go to'), 'small');
  go.type = 'button';
  go.dataset.confirm = 'goto';
  go.addEventListener('click', async () => {
    const row = view.rows.get(blockId);
    if (!row) return;
    const risky = await fetchAtRisk(stage, { command: 'goto', block: blockId });
    const question = _('Start “%(title)s” now? The running block ends.', { title: row.title });
    const confirmed = await confirmDialog(risky.length
      ? `${question}\n${_('This puts %(names)s at risk.', { names: startsText(risky, view.zone) })}` : question);
    if (confirmed) send('goto', { block_id: blockId });
  });
  return go;
}

/** Update one timeline row in place (its "Go to" button, maybe focused, stays the same element). */
function updateTimelineRow(tr, row) {
  setClass(tr, `row-${row.state}`);
  if (row.state === 'current') tr.setAttribute('aria-current', 'true');
  else tr.removeAttribute('aria-current');
  const [planned, projected, delay, title, streamCell, goCell] = tr.children;
  setText(planned, formatTime(row.planned_start_ms, view.zone));
  const late = row.delay_ms !== null && Math.abs(row.delay_ms) >= 60000;
  setText(projected, row.projected_start_ms === null ? '–' : formatTime(row.projected_start_ms, view.zone));
  setClass(projected, `time${row.at_risk ? ' at-risk' : late && row.delay_ms > 0 ? ' late' : ''}`);
  const delayWords = row.delay_ms === null || !late ? '' : minutesText(row.delay_ms);
  refill(delay, `${delayWords}|${row.at_risk}`, () => [
    document.createTextNode(delayWords), ...(row.at_risk ? [el('span', ` ${_('at risk')}`, 'at-risk')] : [])]);
  const adjusted = adjustedText(row, row.planned_end_ms - row.planned_start_ms);
  refill(title, `${row.title}|${row.start_rule}|${adjusted}`, () => [
    document.createTextNode(row.title), ...(row.start_rule === 'hard' ? [el('span', ` · ${_('fixed time')}`, 'muted')] : []),
    ...(adjusted ? [el('span', ` · ${adjusted}`, 'adjusted-note')] : [])]);
  const block = view.blocks.get(row.block_id);
  const plan = block && block.stream !== 'unspecified' ? block.stream : '';
  const recording = block ? recordBadge(block.record) : null;
  refill(streamCell, `${plan}|${recording}`, () => [...(plan ? [el('span', airText(plan), `badge ${plan}`)] : []),
    ...(recording ? [' ', el('span', ...recording)] : [])]);
  if (!may.has('goto')) return;
  if (!goCell.firstChild) goCell.append(goToButton(row.block_id));
  const go = goCell.firstChild;
  go.hidden = row.state === 'current';
  go.setAttribute('aria-label', `${_('Go to this block')}: ${row.title}`);
}

function renderTimeline() {
  const snap = view.snap;
  const days = daysWithBlocks([...view.blocks.values()]);
  const shown = timelineDay(days);
  renderDayPicker(days, shown);
  const onDay = days.length < 2 ? snap.projections
    : snap.projections.filter((row) => view.blocks.get(row.block_id)?.day === shown);
  view.rows = new Map(snap.projections.map((row) => [row.block_id, row]));
  keyedChildren($('timeline'), onDay.map((row) => row.block_id), timelineRow)
    .forEach((tr, index) => updateTimelineRow(tr, onDay[index]));
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
  // Drawn again only for another block or a new agenda: a focused contact button survives a push.
  if (view.detailsFor === (block || null)) return;
  view.detailsFor = block || null;
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
  const actual = obsProblem(snap) || (snap.stream_on === true ? _('ON AIR') : snap.stream_on === false ? _('OFF AIR')
    : _('not reported'));
  setText($('stream-actual'), `${_('Actual stream')}: ${actual}`);
  const mismatch = $('stream-mismatch');
  mismatch.hidden = !snap.stream_mismatch;
  setText(mismatch, mismatchText(snap));
  const toggle = $('stream-toggle');
  if (toggle) setText(toggle, snap.stream_on ? _('I have stopped the stream') : _('I have started the stream'));
  if (toggle) toggle.hidden = Boolean(snap.obs);
}

// ---- getting back on time ---------------------------------------------------------------------

/** The behind line, the fixed starts to aim for, undo; the plans again when the show moved on since. */
function renderRecovery() {
  if (!$('recovery')) return;
  const snap = view.snap;
  const line = behindLine(snap, view.zone);
  setText($('recovery-line'), line || _('On time.'));
  setClass($('recovery-line'), `recovery-line${line ? ' late' : ''}`);
  $('undo-plan').hidden = !hasAdjustments(snap);
  const select = $('recovery-block');
  const fixed = snap.projections.filter((row) => row.start_rule === 'hard' && row.state === 'upcoming');
  const wanted = fixed.map((row) => `${row.block_id}|${formatTime(row.planned_start_ms, view.zone)} ${row.title}`).join('\n');
  if (select.dataset.options !== wanted) {
    const first = select.firstElementChild;
    select.replaceChildren(first, ...fixed.map((row) => {
      const option = el('option', `${formatTime(row.planned_start_ms, view.zone)} ${row.title}`);
      option.value = row.block_id;
      return option;
    }));
    select.dataset.options = wanted;
  }
  if (view.recovery && view.recovery.rev !== snap.rev) findOptions();
}

/** Before +5 min is pressed: which fixed starts it would put at risk (asked again for each new revision). */
async function renderWhatIf() {
  const line = $('what-if');
  if (!line) return;
  if (!view.snap.current) { setText(line, ''); return; }
  // Asked again for each revision and each minute (an overrunning block moves the projections by itself).
  const key = `${view.snap.rev}|${Math.floor(serverNow() / 60000)}`;
  if (view.whatIfKey === key) return;
  view.whatIfKey = key;
  const risky = await fetchAtRisk(stage, { command: 'add_time', minutes: 5 });
  if (view.whatIfKey !== key) return;
  setText(line, risky.length ? _('+5 min would put %(names)s at risk', { names: startsText(risky, view.zone) }) : '');
}

/** Ask the server for plans (for the target in the form, if any) and draw them side by side. */
async function findOptions() {
  const asked = view.snap?.rev;
  view.recovery = { rev: asked };
  try {
    const options = await fetchOptions(stage, { minutes: $('recovery-minutes').value, block: $('recovery-block').value });
    if (view.recovery?.rev !== asked) return;
    view.recovery = options;
    setText($('recovery-options-heading'), optionsHeading(options, view.zone));
    renderPlans($('recovery-plans'), options, view.zone, applyPlan);
  } catch (error) {
    setText($('feedback'), error.message);
  }
}

/** Apply a plan after asking; it goes against the revision it was made for, so a plan gone stale is refused. */
async function applyPlan(plan) {
  const made = view.recovery;
  if (!(await confirmDialog(confirmText(plan)))) return;
  if (!view.snap || made !== view.recovery || made.rev !== view.snap.rev) {
    setText($('feedback'), _('The show moved on while you chose: here are the plans for now.'));
    findOptions();
    return;
  }
  send('apply_plan', { changes: plan.changes });
}

$('recovery-form')?.addEventListener('submit', (event) => { event.preventDefault(); findOptions(); });
$('undo-plan')?.addEventListener('click', async () => {
  if (await confirmDialog(_('Undo the last plan? The blocks get back the lengths they had before it.'))) send('undo_plan');
});

// ---- duties ----------------------------------------------------------------------------------

function person() { return $('person').value.trim(); }

function takeDuty(blockId, index) {
  const name = person();
  if (!name) { setText($('feedback'), _('Your name')); $('person').focus(); return; }
  send('take_duty', { block_id: blockId, index, person: name });
}

function renderDuties(now) {
  if (!view.snap) return;
  renderDutiesPanel($('duties'), {
    snap: view.snap, blocks: view.blocks, rooms: view.rooms, zone: view.zone, now, mayTake: may.has('take_duty'), onTake: takeDuty,
  });
}

// ---- controls ---------------------------------------------------------------------------------

releasePointerFocus();
ignoreHeldKeysOnControls();

/** The arguments of a message command: with "keep after Next" once the server knows pinned messages. */
function messageArgs(text) {
  const pin = $('pin-label');
  return pin && !pin.hidden ? { text, pin: $('message-pin').checked } : { text };
}

document.querySelectorAll('[data-command]').forEach((button) => {
  button.addEventListener('click', async () => {
    const name = button.dataset.command;
    if (name === 'next') pressNext();
    else if (name === 'end') { if (await confirmDialog(_('End the show now?'))) send(name); }
    else if (name === 'add_time') send(name, { minutes: Number(button.dataset.minutes) });
    else if (name === 'blackout') send(name, { on: !view.snap?.blackout });
    else send(name);
  });
});
$('day').addEventListener('change', () => {
  view.pickedDay = $('day').value;
  if (view.snap) renderTimeline();
});
$('run-day')?.addEventListener('click', async () => {
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
$('message-form')?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('message-text');
  const text = input.value.trim();
  if (!text) return;
  const reply = await send('message', messageArgs(text));
  // Sent: the field is empty for the next one (unless the crew already started typing it).
  if (reply?.ok && input.value.trim() === text) input.value = '';
});
$('message-clear')?.addEventListener('click', () => { $('message-text').value = ''; send('message', { text: '' }); });
document.querySelectorAll('[data-preset]').forEach((button) => {
  button.addEventListener('click', () => send('message', messageArgs(button.dataset.preset)));
});
$('stream-toggle')?.addEventListener('click', () => { if (view.snap) send('set_stream_state', { on: !view.snap.stream_on }); });
if ($('person')) {
  try { $('person').value = localStorage.getItem('runofshow:person') || ''; } catch (_) { /* private mode */ }
}
$('person')?.addEventListener('change', () => { try { localStorage.setItem('runofshow:person', person()); } catch (_) { /* ignore */ } });

// Show shortcuts, for those who may run the show; a held key (auto-repeat) never acts again.
const SHOW_KEYS = may.has('next') ? {
  ' ': pressNext, ArrowRight: pressNext, ArrowLeft: () => send('previous'),
  '+': () => send('add_time', { minutes: 1 }), '-': () => send('add_time', { minutes: -1 }),
  p: () => send(view.snap?.status === 'paused' ? 'resume' : 'pause'), m: () => $('message-text')?.focus(),
} : {};

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  if (target.closest && target.closest('input, textarea, select, dialog')) return;
  // Space and Enter on a button the keyboard moved to press that button (a click never leaves focus there).
  const onControl = target.closest && target.closest('button, a, summary');
  if (onControl && (event.key === ' ' || event.key === 'Enter')) return;
  const action = Object.hasOwn(SHOW_KEYS, event.key) ? SHOW_KEYS[event.key] : null;
  if (!action) return;
  event.preventDefault();
  if (!event.repeat) action();
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
