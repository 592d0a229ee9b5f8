// Keys a crew can trust live: a click never leaves focus on the control it pressed (so a later Space
// means Next, not that control again), a held key presses a focused button once, and a second Next
// right after a Next waits for one more, deliberate press.

const PRESSABLE = 'button, summary';

/** After a pointer click on a button, give the focus back: only the keyboard leaves focus on a control. */
export function releasePointerFocus(root = document) {
  root.addEventListener('click', (event) => {
    if (event.detail === 0) return; // Enter or Space: the keyboard put the focus there, keep it
    const control = event.target.closest?.(PRESSABLE);
    // Before the control's own handler: a dialog it opens then gives the focus back to the page, not to it.
    if (control && document.activeElement === control) control.blur();
  }, true);
}

/** A held Space or Enter presses a focused button once, not once per key repeat. */
export function ignoreHeldKeysOnControls(root = document) {
  root.addEventListener('keydown', (event) => {
    if (event.repeat && (event.key === ' ' || event.key === 'Enter') && event.target.closest?.(PRESSABLE)) {
      event.preventDefault();
    }
  }, true);
}

/**
 * A press that acts at once unless it comes within `windowMs` of the last one that acted: then it is
 * held (`onHold()`), and only a further press at least `settleMs` later and within `holdMs` acts
 * (`onRelease()` is called when the hold ends, either way). `press()` says whether to act now.
 */
export function pressGuard({ onHold, onRelease, windowMs = 1500, settleMs = 400, holdMs = 5000 }) {
  let last = -Infinity;
  let heldAt = null;
  let timer = 0;
  const release = () => {
    heldAt = null;
    clearTimeout(timer);
    onRelease();
  };
  return function press(now = performance.now()) {
    if (heldAt !== null) {
      if (now - heldAt < settleMs) return false; // a bounce or a flustered double tap, not a decision
      release();
    } else if (now - last < windowMs) {
      heldAt = now;
      onHold();
      timer = setTimeout(release, holdMs);
      return false;
    }
    last = now;
    return true;
  };
}
