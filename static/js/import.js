// Agenda upload: preview what the file would change (nothing stored), then apply it with one click.
import { t, fmt, el } from './live.js';

const $ = (id) => document.getElementById(id);
const form = $('upload-form');
const limit = Number($('limit').dataset.maxBytes) || Infinity;

function say(text, isError) {
  $('feedback').textContent = text;
  $('feedback').classList.toggle('error', Boolean(isError));
}

async function send(path) {
  const file = $('file').files[0];
  if (!file) return null;
  if (file.size > limit) { say(fmt('import_failed', { message: `${file.name}: > ${Math.floor(limit / 1024)} KB` }), true); return null; }
  const response = await fetch(path, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
  try { return await response.json(); } catch (error) { return { ok: false, message: `HTTP ${response.status}` }; }
}

function list(titleKey, items, describe) {
  const section = el('div', '', 'preview-list');
  if (!items.length) return section;
  section.append(el('h3', `${t(titleKey)} (${items.length})`));
  const ul = el('ul');
  for (const item of items) ul.append(el('li', describe(item)));
  section.append(ul);
  return section;
}

function showPreview(reply) {
  const diff = reply.diff;
  $('preview').hidden = false;
  $('preview-summary').textContent = diff.empty ? t('preview_nothing') : fmt('preview_summary', diff.counts);
  $('preview-lists').replaceChildren(
    list('preview_changed', diff.changed, (item) => `${item.title} — ${item.fields.join(', ')}`),
    list('preview_added', diff.added, (item) => item.title),
    list('preview_removed', diff.removed, (item) => item.title),
    list('preview_event', diff.event_fields, (name) => name));
  $('expected-version').value = reply.version || '';
  $('apply-button').hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  $('apply-button').hidden = true;
  $('preview').hidden = true;
  const reply = await send('/import/preview');
  if (!reply) return;
  if (reply.ok) { say('', false); showPreview(reply); } else say(fmt('import_failed', { message: reply.message || '' }), true);
});

$('apply-button').addEventListener('click', async () => {
  const reply = await send('/import/apply');
  if (!reply) return;
  $('apply-button').hidden = true;
  if (reply.ok) { $('expected-version').value = reply.version; say(t('import_done'), false); } else say(fmt('import_failed', { message: reply.message || '' }), true);
});

$('file').addEventListener('change', () => { $('apply-button').hidden = true; $('preview').hidden = true; say('', false); });
