import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { errorText } from '../api';
import { useDesk } from './context';
import { LinkDialog, ProductPicker, QuickRepliesDialog } from './dialogs';

/** Drafts survive switching between conversations. */
const drafts = new Map<number, string>();
const typingIdleMs = 3000;

type Open = 'product' | 'quick' | 'link' | null;

export function Composer(props: { sessionId: number; storeId: number }) {
  const desk = useDesk();
  const { sessionId, storeId } = props;
  const text = useSignal(drafts.get(sessionId) ?? '');
  const upload = useSignal<{ name: string; loaded: number; total: number } | null>(null);
  const error = useSignal('');
  const dialog = useSignal<Open>(null);
  const typing = useRef({ on: false, timer: undefined as ReturnType<typeof setTimeout> | undefined });

  const stopTyping = () => {
    clearTimeout(typing.current.timer);
    if (typing.current.on) desk.sendTyping(sessionId, false);
    typing.current.on = false;
  };
  useEffect(() => stopTyping, [sessionId]);

  const onInput = (value: string) => {
    text.value = value;
    drafts.set(sessionId, value);
    if (value === '') return stopTyping();
    if (!typing.current.on) desk.sendTyping(sessionId, true);
    typing.current.on = true;
    clearTimeout(typing.current.timer);
    typing.current.timer = setTimeout(stopTyping, typingIdleMs);
  };

  const send = () => {
    const content = text.value;
    if (content.trim() === '') return;
    stopTyping();
    desk.send(sessionId, { content });
    text.value = '';
    drafts.delete(sessionId);
  };

  const attach = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    error.value = '';
    upload.value = { name: file.name, loaded: 0, total: file.size };
    try {
      const { url, type } = await desk.upload(file, (loaded, total) => (upload.value = { name: file.name, loaded, total }));
      desk.send(sessionId, { attachment_url: url, attachment_type: type });
    } catch (failure) {
      error.value = `Could not upload ${file.name}: ${errorText(failure)}`;
    } finally {
      upload.value = null;
    }
  };

  const current = upload.value;
  return (
    <>
    <form
      class="composer"
      method="post"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <textarea
        class="composer-text"
        aria-label="Message"
        placeholder="Write a reply… (Enter sends, Shift+Enter for a new line)"
        rows={2}
        maxLength={4000}
        value={text.value}
        onInput={(event) => onInput(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      <div class="composer-tools">
        <label class="file-button">
          <input type="file" class="file-input" aria-label="Attach file" disabled={current !== null} onChange={(event) => void attach(event.currentTarget)} />
          <span aria-hidden="true">Attach file</span>
        </label>
        <button type="button" onClick={() => (dialog.value = 'product')}>
          Product
        </button>
        <button type="button" onClick={() => (dialog.value = 'quick')}>
          Quick replies
        </button>
        <button type="button" onClick={() => (dialog.value = 'link')}>
          Link
        </button>
        <span class="spacer" />
        <button type="submit" class="primary">
          Send
        </button>
      </div>
      {current && (
        <div class="upload">
          <span class="upload-name">{current.name}</span>
          <progress aria-label="Upload progress" max={current.total || 1} value={current.loaded} />
        </div>
      )}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
    </form>
      {dialog.value === 'product' && <ProductPicker sessionId={sessionId} storeId={storeId} onClose={() => (dialog.value = null)} />}
      {dialog.value === 'quick' && <QuickRepliesDialog sessionId={sessionId} initial={text.value} onClose={() => (dialog.value = null)} />}
      {dialog.value === 'link' && <LinkDialog sessionId={sessionId} initial={text.value} onClose={() => (dialog.value = null)} />}
    </>
  );
}
