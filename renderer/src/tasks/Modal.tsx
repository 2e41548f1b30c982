/**
 * A modal dialog: labelled by its heading, Escape closes it, Tab stays inside, and focus goes
 * back where it was when it closes. (No close on a backdrop click: nothing typed is thrown away.)
 */
import { useEffect, useId, type KeyboardEvent, type ReactNode } from 'react';

/** Keeps Tab inside a modal dialog, wrapping at either end. */
export function trapFocus(e: KeyboardEvent<HTMLElement>): void {
  const focusable = e.currentTarget.querySelectorAll<HTMLElement>(
    'input, select, textarea, button:not([disabled])',
  );
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last?.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first?.focus();
  }
}

export function Modal(props: {
  heading: string;
  onClose: () => void;
  className?: string;
  children: ReactNode;
}) {
  const id = useId();
  useEffect(() => {
    const before = document.activeElement;
    return () => {
      if (before instanceof HTMLElement) before.focus();
    };
  }, []);
  return (
    <div className="backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        className={`dialog ${props.className ?? ''}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            props.onClose();
          }
          if (e.key === 'Tab') trapFocus(e);
        }}
      >
        <h2 id={id}>{props.heading}</h2>
        {props.children}
      </div>
    </div>
  );
}
