// A person's initials in a circle, beside their name: who a row or the account menu is about, at a glance. The
// name next to it says it in words, so the circle is hidden from screen readers, and its letters are drawn by CSS
// (not text), so they are not taken for the visible label of the button holding them (WCAG 2.5.3).
import { initialsOf } from './initials.ts';

export function Avatar({ name, email, large }: { name: string; email?: string | null; large?: boolean }) {
  return (
    <span
      className={large ? 'avatar avatar-large' : 'avatar'}
      data-initials={initialsOf(name, email)}
      aria-hidden="true"
    />
  );
}
