// Event days on the screens: which day "today" is in the event's time zone (the day changes at the
// event's day_change, 04:00, so a late session still counts as the evening before) and which day a
// screen shows. Blocks carry their day (YYYY-MM-DD) from the server.

const dayFormats = new Map();

/** The event day (YYYY-MM-DD) of an instant (epoch ms) in `timeZone`, shifted back by `dayChange` ("HH:MM"). */
export function eventDay(ms, timeZone, dayChange = '04:00') {
  const [hours, minutes] = dayChange.split(':').map(Number);
  const key = timeZone;
  if (!dayFormats.has(key)) {
    dayFormats.set(key, new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }));
  }
  const parts = Object.fromEntries(dayFormats.get(key).formatToParts(new Date(ms - (hours * 60 + minutes) * 60000))
    .map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The days that have blocks, in order. */
export function daysWithBlocks(blocks) {
  return [...new Set(blocks.map((block) => block.day))].sort();
}

/**
 * The day a screen shows: today when the event has blocks today; otherwise the day of the block
 * being run (a rehearsal on another date), else the first day after today, else the last day.
 */
export function shownDay(days, today, runningDay = null) {
  if (!days.length) return today;
  if (days.includes(today)) return today;
  if (runningDay && days.includes(runningDay)) return runningDay;
  return days.find((day) => day > today) || days[days.length - 1];
}

/** A day (YYYY-MM-DD) as the page's language writes it: "Tuesday 6 May" / "tirsdag 6. mai". */
export function dayLabel(day) {
  // English in the British order ("Tuesday 6 May"); any other language as Intl writes it.
  const lang = document.documentElement.lang === 'en' ? 'en-GB' : document.documentElement.lang;
  const format = new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
  return format.format(new Date(`${day}T12:00:00Z`));
}
