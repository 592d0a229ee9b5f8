// Agenda editor: every change is one edit sent to the server (moderator only, against the agenda
// version it was made on); the server validates, stores, journals and pushes it to every screen.
import { startLive, t, fmt, el } from './live.js';

const stageId = document.body.dataset.stage;
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const view = { doc: null, busy: false, dragging: null };
const CATEGORIES = ['talk', 'discussion', 'workshop', 'break', 'meal', 'milestone', 'other'];
const STREAMS = ['live', 'off', 'on_request', 'unspecified'];
const START_RULES = ['soft', 'hard'];
const ADVANCES = ['manual', 'auto'];
const JSON_FIELDS = ['breakout', 'duties', 'speakers', 'reminders', 'working_groups', 'contacts'];

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
  if (reply.ok) { render(reply); say(t('saved')); return true; }
  say(fmt('edit_refused', { field: reply.field || '?', message: reply.message || '' }), true);
  if (reply.error === 'stale') await load();
  else render(view.doc); // put the refused value back
  return false;
}

async function undo() {
  const reply = await post(`/editor/${encodeURIComponent(stageId)}/undo`, { expected_version: view.doc.version });
  if (reply.ok) { if (reply.blocks) render(reply); else await load(); say(t('undone')); } else {
    say(fmt('edit_refused', { field: reply.field || '?', message: reply.message || '' }), true);
    if (reply.error === 'stale') await load();
  }
}

const hhmm = (iso) => iso.slice(11, 16);

function select(name, values, current, label) {
  const node = el('select');
  node.name = name;
  node.setAttribute('aria-label', label);
  for (const value of values) {
    const option = el('option', t(`value_${value}`));
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

function labelled(text, control) {
  const wrap = el('label', '', 'field');
  wrap.append(el('span', text, 'field-label'), control);
  return wrap;
}

/** The value a control holds, as the field expects it. */
function valueOf(control) {
  if (control.name === 'duration_minutes') return control.value === '' ? null : Number(control.value);
  if (JSON_FIELDS.includes(control.name)) {
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
      item.append(el('strong', fmt('override_of', { field: fact.value })), ' ', el('code', fact.source), ' ', el('span', fact.rule, 'muted'));
    } else {
      const field = view.doc.fact_fields[fact.kind] || fact.kind;
      item.append(el('strong', `${fact.kind}: ${fact.value}`), ' ← ', el('q', fact.source, 'fact-source'));
      item.append(' ', el('span', overridden.has(field) ? fmt('fact_overridden', { field }) : fmt('fact_sets', { field }), 'muted'));
    }
    list.append(item);
  }
  return list;
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
  up.setAttribute('aria-label', fmt('move_up', { title: block.title }));
  const down = el('button', '↓');
  down.type = 'button'; down.dataset.move = 'down'; down.disabled = index === count - 1;
  down.setAttribute('aria-label', fmt('move_down', { title: block.title }));
  head.append(handle, up, down,
    labelled(t('title'), input('title', block.title, 'text', t('title'))),
    labelled(t('start_time'), input('start', hhmm(block.start), 'time', t('start_time'))),
    labelled(t('duration_min'), input('duration_minutes', String(block.duration_minutes), 'number', t('duration_min'))),
    labelled(t('category'), select('category', CATEGORIES, block.category, t('category'))),
    labelled(t('stream'), select('stream', STREAMS, block.stream, t('stream'))),
    labelled(t('start_rule'), select('start_rule', START_RULES, block.start_rule, t('start_rule'))),
    labelled(t('advance'), select('advance', ADVANCES, block.advance, t('advance'))));
  const rooms = el('fieldset', '', 'rooms');
  rooms.append(el('legend', t('rooms')));
  for (const room of view.doc.rooms) {
    const box = input('room', room.id, 'checkbox', room.name);
    box.checked = block.rooms.includes(room.id);
    rooms.append(labelled(room.name, box));
  }
  head.append(rooms);
  const add = el('button', t('add_after'));
  add.type = 'button'; add.dataset.action = 'add';
  const remove = el('button', t('delete'), 'danger-button');
  remove.type = 'button'; remove.dataset.action = 'delete';
  remove.disabled = block.id === view.doc.running;
  head.append(add, remove);
  item.append(head);
  const details = el('details', '', 'editor-details');
  details.append(el('summary', fmt('details_and_facts', { count: block.facts.length })));
  for (const name of JSON_FIELDS) {
    const area = el('textarea');
    area.name = name;
    area.rows = 3;
    area.value = JSON.stringify(block[name], null, 1);
    area.setAttribute('aria-label', t(`field_${name}`));
    details.append(labelled(t(`field_${name}`), area));
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
  const current = control.name === 'start' ? hhmm(block.start) : block[control.name];
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
    send({ op: 'add', after: blockId, block: { title: t('new_block') } });
  } else if (button.dataset.action === 'delete') {
    if (window.confirm(fmt('confirm_delete', { title: view.doc.blocks[index].title }))) send({ op: 'delete', block_id: blockId });
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
$('add-first').addEventListener('click', () => send({ op: 'add', block: { title: t('new_block') } }));

// Another editor, an upload or an undo elsewhere: redraw from the stored agenda.
startLive({ audience: 'console', stage: stageId, handlers: { agenda: () => { if (!view.busy) load(); } } });
load();
