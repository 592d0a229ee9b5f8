// Agenda upload: preview what the file would change (nothing stored), then apply it with one click.
import { $, el } from './dom.js';
import { _, ngettext } from './i18n.js';
import { formatTime } from './live.js';

const form = $('upload-form');
const limit = Number($('limit').dataset.maxBytes) || Infinity;

function say(text, isError) {
  $('feedback').textContent = text;
  $('feedback').classList.toggle('error', Boolean(isError));
}

function refused(message) {
  say(_('Nothing was applied: %(message)s', { message }), true);
}

async function send(path) {
  if ($('followed').value) return post(path);
  const file = $('file').files[0];
  if (!file && !$('url').value.trim()) { refused(_('choose a file or give the address of a schedule')); return null; }
  if (file && file.size > limit) { refused(`${file.name}: > ${Math.floor(limit / 1024)} KB`); return null; }
  return post(path);
}

async function post(path, method = 'POST') {
  const options = method === 'POST' ? { method, body: new FormData(form) } : { method };
  const response = await fetch(path, { ...options, credentials: 'same-origin' });
  try { return await response.json(); } catch (error) { return { ok: false, message: `HTTP ${response.status}` }; }
}

function list(title, items, describe) {
  const section = el('div', '', 'preview-list');
  if (!items.length) return section;
  section.append(el('h3', `${title} (${items.length})`));
  const ul = el('ul');
  for (const item of items) ul.append(el('li', describe(item)));
  section.append(ul);
  return section;
}

/** "3 blocks changed, 1 added, 0 removed". */
function summary(counts) {
  return [
    ngettext('%(num)s block changed', '%(num)s blocks changed', counts.changed),
    // TRANSLATORS: blocks added to the agenda by an upload, after "3 blocks changed, ".
    ngettext('%(num)s added', '%(num)s added', counts.added),
    // TRANSLATORS: blocks removed from the agenda by an upload, after "1 added, ".
    ngettext('%(num)s removed', '%(num)s removed', counts.removed),
  ].join(', ');
}

function showPreview(reply) {
  const diff = reply.diff;
  $('preview').hidden = false;
  $('preview-summary').textContent = diff.empty ? _('Nothing would change.') : summary(diff.counts);
  $('preview-zone').textContent = reply.timezone_note || '';
  $('preview-zone').hidden = !reply.timezone_note;
  $('preview-lists').replaceChildren(
    list(_('Changed'), diff.changed, (item) => `${item.title} — ${item.fields.join(', ')}`),
    list(_('Added'), diff.added, (item) => item.title),
    list(_('Removed'), diff.removed, (item) => item.title),
    list(_('Event fields changed'), diff.event_fields, (name) => name));
  $('expected-version').value = reply.version || '';
  $('apply-button').hidden = false;
}

/** The followed address: when it was read, why the last read failed, and the preview of what it would change. */
function showFollowed(reply) {
  $('following').hidden = !reply.ok || !reply.following;
  if (!reply.ok || !reply.following) return;
  const when = reply.checked_at ? formatTime(Date.parse(reply.checked_at), reply.timezone) : '';
  $('following-status').textContent = reply.error
    ? _('Following %(url)s: the last read failed (trying again in a few minutes): %(message)s',
      { url: reply.url, message: reply.error })
    : _('Following %(url)s, last read at %(time)s.', { url: reply.url, time: when });
  if (!reply.diff || reply.diff.empty || !$('apply-button').hidden && !$('followed').value) return;
  $('followed').value = '1';
  showPreview(reply);
}

async function pollFollowed() { showFollowed(await post('/import/followed', 'GET')); }

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  $('followed').value = '';
  $('apply-button').hidden = true;
  $('preview').hidden = true;
  const reply = await send('/import/preview');
  if (!reply) return;
  if (reply.ok) { say('', false); showPreview(reply); } else refused(reply.message || '');
  pollFollowed();
});

$('apply-button').addEventListener('click', async () => {
  const reply = await send('/import/apply');
  if (!reply) return;
  $('apply-button').hidden = true;
  if (!reply.ok) { refused(reply.message || ''); return; }
  $('expected-version').value = reply.version;
  $('followed').value = '';
  say(_('The agenda was applied and sent to every screen.'), false);
});

$('stop-following').addEventListener('click', async () => {
  await post('/import/followed/stop');
  $('followed').value = '';
  pollFollowed();
});
pollFollowed();
setInterval(pollFollowed, 30000);

$('url').addEventListener('input', () => { $('apply-button').hidden = true; $('preview').hidden = true; });
$('file').addEventListener('change', () => { $('apply-button').hidden = true; $('preview').hidden = true; say('', false); });
