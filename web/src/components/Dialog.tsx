import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A native modal <dialog>: focus is trapped by the browser, and Escape closes it. */
export function Dialog(props: { label: string; onClose: () => void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} aria-label={props.label} class={`dialog ${props.class ?? ''}`} onClose={props.onClose}>
      <div class="dialog-head">
        <h2>{props.label}</h2>
        <button type="button" class="icon" aria-label="Dismiss" onClick={props.onClose}>
          ×
        </button>
      </div>
      {props.children}
    </dialog>
  );
}
