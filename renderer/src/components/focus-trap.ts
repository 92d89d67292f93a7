/** Keeps Tab and Shift+Tab inside a modal dialog (WAI-ARIA dialog pattern). */
import type { KeyboardEvent } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** onKeyDown for the dialog element: Tab past the last control wraps to the first, and back. */
export function trapFocus(ev: KeyboardEvent<HTMLElement>): void {
  if (ev.key !== 'Tab') return;
  const items = [...ev.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items[items.length - 1];
  if (first === undefined || last === undefined) return;
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && ev.currentTarget.contains(active);
  if (ev.shiftKey && (active === first || !inside || active === ev.currentTarget.querySelector('h2'))) {
    ev.preventDefault();
    last.focus();
  } else if (!ev.shiftKey && (active === last || !inside)) {
    ev.preventDefault();
    first.focus();
  }
}
