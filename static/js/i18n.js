// The page's gettext catalogue, handed over by the server from the same .po/.mo files the templates
// use: msgid -> text, or a list of forms for a plural. English is the source language: a message the
// catalogue lacks is shown as written.

const catalogue = JSON.parse(document.getElementById('catalogue').textContent);
const messages = catalogue.messages;
// The plural form of each count below 200, worked out on the server from the catalogue's Plural-Forms;
// from 100 on the form repeats every 100 (rules only look at small counts and remainders by 10 and 100).
const forms = catalogue.plural;
function pluralIndex(n) {
  if (!forms) return n === 1 ? 0 : 1;
  const count = Math.abs(Math.trunc(n));
  return forms[count < forms.length ? count : 100 + (count % 100)];
}

/** `%(name)s` placeholders filled from `values` (plain text, never HTML). */
function fill(text, values) {
  if (!values) return text;
  return text.replace(/%\((\w+)\)[sd]/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function lookup(key) {
  return Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : null;
}

/** The page's text for `msgid`, with `values` filled in. */
export function _(msgid, values) {
  const text = lookup(msgid);
  return fill(typeof text === 'string' ? text : msgid, values);
}

/** The form for the count `n` (also available as `%(num)s`), with `values` filled in. */
export function ngettext(singular, pluralText, n, values) {
  const forms = lookup(singular);
  const text = Array.isArray(forms) ? forms[pluralIndex(n)] ?? forms[forms.length - 1] : n === 1 ? singular : pluralText;
  return fill(text, { num: n, ...values });
}
