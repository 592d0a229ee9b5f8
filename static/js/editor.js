// Agenda editor: every change is one edit sent to the server (moderator only, against the agenda
// version it was made on); the server validates, stores, journals and pushes it to every screen.
import { startLive } from './live.js';
import { $, el } from './dom.js';
import { _, ngettext } from './i18n.js';

const stageId = document.body.dataset.stage;
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const view = { doc: null, busy: false, dragging: null };
// Each field's choices (value -> words) and the fields edited as JSON (name -> label), in the order shown.
const CATEGORIES = {
  talk: _('Talk'), discussion: _('Discussion'), workshop: _('Workshop'), break: _('Break'), meal: _('Meal'),
  milestone: _('Milestone'), other: _('Other'),
};
const STREAMS = { live: _('Streamed'), off: _('Not streamed'), on_request: _('On request'), unspecified: _('Not decided') };
const START_RULES = { soft: _('Follows the previous'), hard: _('Fixed time') };
const ADVANCES = { manual: _('Wait for the moderator'), auto: _('Move on by itself') };
const RECORDS = { record: _('Recorded'), do_not_record: _('Not recorded (the speaker said no)'), unspecified: _('Not decided') };
const FLAG_FIELDS = ['protected', 'optional', 'obs_automation'];
// What a field holds when the document leaves it out (the block follows the stage's OBS automation).
const FIELD_DEFAULTS = { obs_scene: '', obs_automation: true };
const JSON_FIELDS = {
  breakout: _('Breakouts (JSON)'), duties: _('Duties (JSON)'), speakers: _('Speakers (JSON)'), reminders: _('Reminders (JSON)'),
  working_groups: _('Working groups (JSON)'), contacts: _('Contacts, crew only (JSON)'),
};

function say(text, isError = false) {
  const box = $('feedback');
  box.textContent = text;
  box.classList.toggle('error', isError);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
    body: JSON.stringify(body),
  });
  let reply = {};
  try { reply = await response.json(); } catch (error) { reply = { ok: false, message: String(response.status) }; }
  return reply;
}

async function load() {
  const response = await fetch(`/editor/${encodeURIComponent(stageId)}/document`, { credentials: 'same-origin' });
  if (response.ok) render(await response.json());
}

/** Send one edit; on success redraw from the server's answer, else name the field at fault. */
async function send(edit) {
  if (!view.doc) return;
  view.busy = true;
  const reply = await post(`/editor/${encodeURIComponent(stageId)}/edit`, { ...edit, expected_version: view.doc.version });
  view.busy = false;
  if (reply.ok) { render(reply); say(_('Saved and sent to every screen.')); return true; }
  say(_('Not changed (%(field)s): %(message)s', { field: reply.field || '?', message: reply.message || '' }), true);
  if (reply.error === 'stale') await load();
  else render(view.doc); // put the refused value back
  return false;
}

async function undo() {
  const reply = await post(`/editor/${encodeURIComponent(stageId)}/undo`, { expected_version: view.doc.version });
  if (reply.ok) { if (reply.blocks) render(reply); else await load(); say(_('The last change was undone.')); } else {
    say(_('Not changed (%(field)s): %(message)s', { field: reply.field || '?', message: reply.message || '' }), true);
    if (reply.error === 'stale') await load();
  }
}

const hhmm = (iso) => iso.slice(11, 16);

function select(name, choices, current, label) {
  const node = el('select');
  node.name = name;
  node.setAttribute('aria-label', label);
  for (const [value, words] of Object.entries(choices)) {
    const option = el('option', words);
    option.value = value;
    option.selected = value === current;
    node.append(option);
  }
  return node;
}

function input(name, value, type, label) {
  const node = el('input');
  node.name = name;
  node.type = type;
  node.value = value;
  node.setAttribute('aria-label', label);
  return node;
}

const TIME_OF_DAY = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;

/** A 24-hour HH:MM field: the event's convention, not the browser's locale (type=time shows 1:30 PM in en-US). */
function timeInput(name, value, label) {
  const node = input(name, value, 'text', label);
  node.inputMode = 'numeric';
  node.pattern = '([01]?[0-9]|2[0-3])[:.][0-5][0-9]';
  node.maxLength = 5;
  node.placeholder = _('HH:MM');
  node.autocomplete = 'off';
  node.classList.add('time-of-day');
  return node;
}

/** "9.30" or "9:30" as "09:30"; anything else as typed, for the server to refuse with a reason. */
function timeOfDay(text) {
  const match = TIME_OF_DAY.exec(text.trim());
  return match ? `${match[1].padStart(2, '0')}:${match[2]}` : text.trim();
}

function labelled(text, control) {
  const wrap = el('label', '', 'field');
  wrap.append(el('span', text, 'field-label'), control);
  return wrap;
}

/** The value a control holds, as the field expects it. */
function valueOf(control) {
  if (control.name === 'duration_minutes' || control.name === 'min_minutes') {
    return control.value === '' ? null : Number(control.value);
  }
  if (FLAG_FIELDS.includes(control.name)) return control.checked;
  if (control.name === 'start') return timeOfDay(control.value);
  if (Object.hasOwn(JSON_FIELDS, control.name)) {
    try { return JSON.parse(control.value || 'null'); } catch (error) { return { invalid_json: control.value }; }
  }
  return control.value;
}

function factList(block) {
  const list = el('ul', '', 'facts-list');
  const overridden = new Set(block.facts.filter((f) => f.kind === 'override').map((f) => f.value));
  for (const fact of block.facts) {
    const item = el('li');
    if (fact.kind === 'override') {
      item.className = 'override';
      item.append(el('strong', _('Set by hand: %(field)s =', { field: fact.value })), ' ', el('code', fact.source), ' ',
        el('span', fact.rule, 'muted'));
    } else {
      const field = view.doc.fact_fields[fact.kind] || fact.kind;
      item.append(el('strong', `${fact.kind}: ${fact.value}`), ' ← ', el('q', fact.source, 'fact-source'));
      const note = overridden.has(field) ? _('(overridden: %(field)s was set by hand)', { field })
        : _('(sets %(field)s; change the field to override)', { field });
      item.append(' ', el('span', note, 'muted'));
    }
    list.append(item);
  }
  return list;
}

/** What the block may give when the show runs late: its shortest length, protected, optional. */
function giveFields(block) {
  const box = el('fieldset', '', 'give');
  box.append(el('legend', _('When running late')));
  const shortest = input('min_minutes', block.min_minutes === null ? '' : String(block.min_minutes), 'number',
    _('Shortest (min)'));
  shortest.min = '0';
  shortest.placeholder = _('by category');
  box.append(labelled(_('Shortest (min)'), shortest));
  for (const [name, label] of [['protected', _('Protected: never shortened')], ['optional', _('Optional: may be dropped')]]) {
    const flag = input(name, 'yes', 'checkbox', label);
    flag.checked = Boolean(block[name]);
    box.append(labelled(label, flag));
  }
  return box;
}

/** A block's value of a field, its default when the document leaves it out. */
function fieldOf(block, name) {
  return block[name] ?? FIELD_DEFAULTS[name];
}

/** What OBS Studio does while the block runs: the recording, the block's own scene, or no automation at all. */
function obsFields(block) {
  const box = el('fieldset', '', 'obs-fields');
  box.append(el('legend', _('OBS Studio')));
  box.append(labelled(_('Recording plan'), select('record', RECORDS, block.record, _('Recording plan'))));
  const scene = input('obs_scene', fieldOf(block, 'obs_scene'), 'text', _('OBS scene'));
  scene.placeholder = _('the stage’s scene');
  scene.maxLength = 256;
  box.append(labelled(_('OBS scene'), scene));
  const automation = input('obs_automation', 'yes', 'checkbox', _('OBS automation in this block'));
  automation.checked = Boolean(fieldOf(block, 'obs_automation'));
  box.append(labelled(_('OBS automation in this block'), automation));
  return box;
}

function blockRow(block, index, count) {
  const item = el('li', '', 'editor-block');
  item.dataset.block = block.id;
  item.draggable = true;
  if (block.id === view.doc.running) item.classList.add('running');
  const head = el('div', '', 'editor-row');
  const handle = el('span', '⠿', 'drag-handle');
  handle.setAttribute('aria-hidden', 'true');
  const up = el('button', '↑');
  up.type = 'button'; up.dataset.move = 'up'; up.disabled = index === 0;
  up.setAttribute('aria-label', _('Move “%(title)s” up', { title: block.title }));
  const down = el('button', '↓');
  down.type = 'button'; down.dataset.move = 'down'; down.disabled = index === count - 1;
  down.setAttribute('aria-label', _('Move “%(title)s” down', { title: block.title }));
  head.append(handle, up, down,
    labelled(_('Title'), input('title', block.title, 'text', _('Title'))),
    labelled(_('Start'), timeInput('start', hhmm(block.start), _('Start'))),
    labelled(_('Minutes'), input('duration_minutes', String(block.duration_minutes), 'number', _('Minutes'))),
    labelled(_('Category'), select('category', CATEGORIES, block.category, _('Category'))),
    labelled(_('Stream'), select('stream', STREAMS, block.stream, _('Stream'))),
    labelled(_('Start'), select('start_rule', START_RULES, block.start_rule, _('Start'))),
    labelled(_('At the end'), select('advance', ADVANCES, block.advance, _('At the end'))));
  const rooms = el('fieldset', '', 'rooms');
  rooms.append(el('legend', _('Rooms')));
  for (const room of view.doc.rooms) {
    const box = input('room', room.id, 'checkbox', room.name);
    box.checked = block.rooms.includes(room.id);
    rooms.append(labelled(room.name, box));
  }
  head.append(rooms, giveFields(block), obsFields(block));
  const add = el('button', _('Add after'));
  add.type = 'button'; add.dataset.action = 'add';
  const remove = el('button', _('Delete'), 'danger-button');
  remove.type = 'button'; remove.dataset.action = 'delete';
  remove.disabled = block.id === view.doc.running;
  head.append(add, remove);
  item.append(head);
  const details = el('details', '', 'editor-details');
  details.append(el('summary', ngettext('Details and inferred facts (%(num)s)', 'Details and inferred facts (%(num)s)', block.facts.length)));
  for (const [name, label] of Object.entries(JSON_FIELDS)) {
    const area = el('textarea');
    area.name = name;
    area.rows = 3;
    area.value = JSON.stringify(block[name], null, 1);
    area.setAttribute('aria-label', label);
    details.append(labelled(label, area));
  }
  details.append(factList(block));
  item.append(details);
  return item;
}

function render(doc) {
  const open = new Set([...document.querySelectorAll('.editor-block details[open]')].map((d) => d.closest('li').dataset.block));
  view.doc = doc;
  $('undo-depth').textContent = String(doc.undo_depth);
  $('undo').disabled = doc.undo_depth === 0;
  const list = $('blocks');
  const rows = doc.blocks.map((block, index) => blockRow(block, index, doc.blocks.length));
  list.replaceChildren(...rows);
  for (const row of rows) if (open.has(row.dataset.block)) row.querySelector('details').open = true;
  document.body.dataset.version = doc.version;
}

function moveTo(blockId, to) {
  return send({ op: 'move', block_id: blockId, to });
}

$('blocks').addEventListener('change', (event) => {
  const control = event.target;
  const row = control.closest('li.editor-block');
  if (!row) return;
  const blockId = row.dataset.block;
  if (control.name === 'room') {
    const rooms = [...row.querySelectorAll('input[name="room"]:checked')].map((box) => box.value);
    send({ op: 'update', block_id: blockId, fields: { rooms } });
    return;
  }
  const block = view.doc.blocks.find((candidate) => candidate.id === blockId);
  const value = valueOf(control);
  const current = control.name === 'start' ? hhmm(block.start) : fieldOf(block, control.name);
  if (JSON.stringify(current) === JSON.stringify(value)) return; // nothing changed: no edit, no undo step
  send({ op: 'update', block_id: blockId, fields: { [control.name]: value } });
});

$('blocks').addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const row = event.target.closest('li.editor-block');
  if (!button || !row) return;
  const blockId = row.dataset.block;
  const index = view.doc.blocks.findIndex((block) => block.id === blockId);
  if (button.dataset.move) {
    const to = button.dataset.move === 'up' ? index - 1 : index + 1;
    moveTo(blockId, to).then((ok) => {
      if (ok) $('blocks').querySelector(`li[data-block="${CSS.escape(blockId)}"] button[data-move="${button.dataset.move}"]`)?.focus();
    });
  } else if (button.dataset.action === 'add') {
    send({ op: 'add', after: blockId, block: { title: _('New block') } });
  } else if (button.dataset.action === 'delete') {
    if (window.confirm(_('Delete “%(title)s”?', { title: view.doc.blocks[index].title }))) send({ op: 'delete', block_id: blockId });
  }
});

// Reorder by drag: drop a block on another to take its place.
$('blocks').addEventListener('dragstart', (event) => {
  const row = event.target.closest?.('li.editor-block');
  if (!row) return;
  view.dragging = row.dataset.block;
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setData('text/plain', row.dataset.block);
});
$('blocks').addEventListener('dragover', (event) => { if (view.dragging) event.preventDefault(); });
$('blocks').addEventListener('drop', (event) => {
  const row = event.target.closest('li.editor-block');
  const blockId = view.dragging;
  view.dragging = null;
  if (!row || !blockId || row.dataset.block === blockId) return;
  event.preventDefault();
  moveTo(blockId, view.doc.blocks.findIndex((block) => block.id === row.dataset.block));
});

$('undo').addEventListener('click', undo);
$('add-first').addEventListener('click', () => send({ op: 'add', block: { title: _('New block') } }));

// Another editor, an upload or an undo elsewhere: redraw from the stored agenda.
startLive({ audience: 'console', stage: stageId, handlers: { agenda: () => { if (!view.busy) load(); } } });
load();
