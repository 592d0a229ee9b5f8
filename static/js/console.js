// Facilitator console: controls, keyboard shortcuts, the day's timeline, private notes and duties.
import { startLive, command, t, el, setText, formatCountdown, formatOvertime, formatTime } from './live.js';
import { currentTiming } from './timing.js';

const body = document.body;
const stage = body.dataset.stage;
const view = { snap: null, blocks: new Map(), zone: 'UTC' };
const $ = (id) => document.getElementById(id);

async function send(name, args = {}) {
  if (!view.snap) return;
  const reply = await command(socket, name, { stage, expected_rev: view.snap.rev, ...args });
  setText($('feedback'), reply.ok ? '' : reply.message || reply.error);
  if (reply.snapshot && reply.snapshot.rev >= view.snap.rev) { view.snap = reply.snapshot; render(); }
}

function frame(now) {
  const snap = view.snap;
  if (!snap) return;
  const timing = currentTiming(snap.current, now);
  if (timing) {
    setText($('countdown'), timing.level === 'overtime' ? formatOvertime(timing.overtime) : formatCountdown(timing.remaining));
    const cls = `console level-${timing.level}`;
    if (body.className !== cls) body.className = cls;
    const elapsed = snap.current.paused ? snap.current.elapsed_ms : snap.current.elapsed_ms + (now - snap.now_ms);
    setText($('elapsed'), `${t('elapsed')} ${formatCountdown(elapsed)}`);
  } else if (snap.next) {
    setText($('countdown'), formatCountdown(snap.next.projected_start_ms - now));
  } else {
    setText($('countdown'), '--:--');
  }
}

function renderNotes(block) {
  const box = $('notes');
  box.replaceChildren();
  if (!block) return;
  if (block.facilitators.length) box.append(el('p', block.facilitators.join(', ')));
  for (const speaker of block.speakers) box.append(el('p', `${speaker.name} (${speaker.presence})`));
  if (block.notes) for (const para of block.notes.split(/\n\s*\n/)) box.append(el('p', para));
  for (const contact of block.contacts) {
    const button = el('button', contact.value);
    button.addEventListener('click', () => navigator.clipboard?.writeText(contact.value));
    box.append(button);
  }
  for (const duty of block.duties) box.append(el('p', `${duty.role}: ${duty.assignee || (duty.per_group ? '—' : t('open_duty'))}`, duty.assignee || duty.per_group ? '' : 'at-risk'));
  for (const reminder of block.reminders) box.append(el('p', reminder.text, 'late'));
}

function render() {
  const snap = view.snap;
  setText($('status'), t(snap.status));
  setText($('now-title'), snap.current ? snap.current.title : (snap.next ? `${t('next')}: ${snap.next.title}` : t(snap.status)));
  const minutes = Math.round(snap.delay_ms / 60000);
  setText($('delay'), minutes > 0 ? `${t('late_by')} ${minutes} min` : minutes < 0 ? `${t('early_by')} ${-minutes} min` : t('on_time'));
  renderNotes(view.blocks.get(snap.current ? snap.current.block_id : snap.next?.block_id));
  const rows = snap.projections.map((row) => {
    const tr = el('tr', '', row.state);
    tr.append(el('td', formatTime(row.planned_start_ms, view.zone)));
    tr.append(el('td', formatTime(row.projected_start_ms, view.zone), row.at_risk ? 'at-risk' : row.delay_ms > 0 ? 'late' : ''));
    const title = el('td');
    const jump = el('button', row.title);
    jump.addEventListener('click', () => { if (confirm(`${row.title}?`)) send('goto', { block_id: row.block_id }); });
    title.append(jump);
    tr.append(title);
    const block = view.blocks.get(row.block_id);
    tr.append(el('td', block ? block.stream : ''));
    return tr;
  });
  $('timeline').replaceChildren(...rows);
}

document.querySelectorAll('[data-command]').forEach((button) => {
  button.addEventListener('click', () => {
    const name = button.dataset.command;
    send(name, name === 'add_time' ? { minutes: Number(button.dataset.minutes) } : {});
  });
});
$('message-form').addEventListener('submit', (event) => {
  event.preventDefault();
  send('message', { text: $('message-text').value });
});
document.addEventListener('keydown', (event) => {
  if (event.target.closest('input, textarea, select')) return;
  const keys = {
    ' ': () => send('next'), ArrowRight: () => send('next'), ArrowLeft: () => send('previous'),
    '+': () => send('add_time', { minutes: 1 }), '-': () => send('add_time', { minutes: -1 }),
    p: () => send(view.snap?.current?.paused ? 'resume' : 'pause'), m: () => $('message-text').focus(),
  };
  const action = keys[event.key];
  if (action) { event.preventDefault(); action(); }
});

const socket = startLive({
  audience: 'console',
  stage,
  handlers: {
    agenda: (payload) => {
      view.zone = payload.event.timezone;
      view.blocks = new Map(payload.blocks.map((block) => [block.id, block]));
      if (view.snap) render();
    },
    snapshot: (snap) => { view.snap = snap; render(); },
    frame,
  },
});
