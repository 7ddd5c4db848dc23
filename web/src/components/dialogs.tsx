import { useSignal, type Signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { errorText } from '../api';
import { formatPrice } from '../format';
import { safeUrl } from '../links';
import type { Admin, Product } from '../types';
import { useDesk } from './context';
import { Dialog } from './Dialog';

export function TransferDialog(props: { sessionId: number; onClose: () => void }) {
  const desk = useDesk();
  const admins = useSignal<Admin[] | null>(null);
  const chosen = useSignal<number | null>(null);
  const error = useSignal('');
  const busy = useSignal(false);
  useEffect(() => {
    desk.api
      .admins()
      .then((answer) => {
        admins.value = answer.admins;
        desk.admins.value = answer.admins;
      })
      .catch((failure: unknown) => (error.value = `Could not list admins: ${errorText(failure)}`));
  }, []);
  const confirm = async () => {
    if (chosen.value === null) return;
    busy.value = true;
    const done = await desk.sessionAction('transfer', props.sessionId, { admin_id: chosen.value });
    busy.value = false;
    if (done) props.onClose();
    else error.value = desk.notice.value;
  };
  const others = (admins.value ?? []).filter((admin) => admin.id !== desk.me.id);
  return (
    <Dialog label="Transfer session" onClose={props.onClose}>
      {admins.value === null && !error.value && <p>Loading admins…</p>}
      {admins.value !== null && others.length === 0 && <p>There is no other admin.</p>}
      <ul class="admin-list" aria-label="Admins">
        {others.map((admin) => (
          <li key={admin.id}>
            <button type="button" class="admin-option" aria-pressed={chosen.value === admin.id} data-admin-id={admin.id} onClick={() => (chosen.value = admin.id)}>
              <span class="admin-name">{admin.name}</span> <span class={admin.online ? 'presence online' : 'presence offline'}>{admin.online ? 'online' : 'offline'}</span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote text={error.value} />
      <div class="dialog-actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="primary" disabled={chosen.value === null || busy.value} onClick={() => void confirm()}>
          Transfer
        </button>
      </div>
    </Dialog>
  );
}

export function ProductPicker(props: { sessionId: number; storeId: number; onClose: () => void }) {
  const desk = useDesk();
  const products = useSignal<Product[] | null>(null);
  const cursor = useSignal<string | null>(null);
  const filter = useSignal('');
  const error = useSignal('');
  const load = async (next?: string) => {
    try {
      const page = await desk.api.products(props.storeId, next);
      products.value = [...(products.value ?? []), ...page.products];
      cursor.value = page.next_cursor;
    } catch (failure) {
      error.value = `Could not list products: ${errorText(failure)}`;
    }
  };
  useEffect(() => void load(), []);
  const needle = filter.value.trim().toLowerCase();
  const shown = (products.value ?? []).filter((product) => needle === '' || `${product.name ?? ''} ${product.sku}`.toLowerCase().includes(needle));
  const choose = (product: Product) => {
    desk.send(props.sessionId, { product_id: product.id });
    props.onClose();
  };
  return (
    <Dialog label="Choose a product" onClose={props.onClose} class="wide">
      <label class="field">
        <span>Filter products</span>
        <input type="search" value={filter.value} onInput={(event) => (filter.value = event.currentTarget.value)} />
      </label>
      {products.value === null && !error.value && <p>Loading products…</p>}
      {products.value !== null && products.value.length === 0 && <p>This store has no products.</p>}
      <ul class="product-list" aria-label="Products">
        {shown.map((product) => {
          const image = product.images[0];
          const src = image ? safeUrl(image.content, desk.config.trustedOrigins) : null;
          return (
            <li key={product.id}>
              <button type="button" class="product-option" data-product-id={product.id} onClick={() => choose(product)}>
                {src ? <img src={src} alt="" loading="lazy" referrerpolicy="no-referrer" /> : <span class="no-image" />}
                <span class="product-name">{product.name ?? product.sku}</span>
                <span class="product-sku">{product.sku}</span>
                <span class="product-price">{formatPrice(product.price)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {cursor.value && (
        <button type="button" onClick={() => void load(cursor.value ?? undefined)}>
          More products
        </button>
      )}
      <ErrorNote text={error.value} />
    </Dialog>
  );
}

export function QuickRepliesDialog(props: { sessionId: number; initial: string; onClose: () => void }) {
  const desk = useDesk();
  const question = useSignal(props.initial);
  const replies = useSignal('');
  const error = useSignal('');
  const submit = (event: Event) => {
    event.preventDefault();
    const list = replies.value
      .split('\n')
      .map((reply) => reply.trim())
      .filter((reply) => reply !== '');
    if (question.value.trim() === '') return void (error.value = 'Write the question the replies answer.');
    if (list.length < 1 || list.length > 10) return void (error.value = 'Give 1 to 10 replies, one per line.');
    if (list.some((reply) => Array.from(reply).length > 40)) return void (error.value = 'Each reply is at most 40 characters.');
    desk.send(props.sessionId, { content: question.value, special_type: 'quick_replies', special_param: list });
    props.onClose();
  };
  return (
    <Dialog label="Quick replies" onClose={props.onClose}>
      <form method="post" class="dialog-form" onSubmit={submit}>
        <TextField label="Question" value={question} maxLength={4000} />
        <label class="field">
          <span>Replies, one per line</span>
          <textarea rows={4} value={replies.value} onInput={(event) => (replies.value = event.currentTarget.value)} />
        </label>
        <ErrorNote text={error.value} />
        <SubmitRow label="Send quick replies" />
      </form>
    </Dialog>
  );
}

export function LinkDialog(props: { sessionId: number; initial: string; onClose: () => void }) {
  const desk = useDesk();
  const content = useSignal(props.initial);
  const url = useSignal('');
  const error = useSignal('');
  const submit = (event: Event) => {
    event.preventDefault();
    if (content.value.trim() === '') return void (error.value = 'Write the text shown with the link.');
    if (!url.value.startsWith('https://') || safeUrl(url.value, []) === null) return void (error.value = 'The link must be an https URL.');
    desk.send(props.sessionId, { content: content.value, special_type: 'open_url', special_param: url.value });
    props.onClose();
  };
  return (
    <Dialog label="Send a link" onClose={props.onClose}>
      <form method="post" class="dialog-form" onSubmit={submit}>
        <TextField label="Text" value={content} maxLength={4000} />
        <TextField label="URL" inputMode="url" placeholder="https://" value={url} maxLength={2048} />
        <ErrorNote text={error.value} />
        <SubmitRow label="Send link" />
      </form>
    </Dialog>
  );
}

/** A form's error line, announced when it appears. */
function ErrorNote(props: { text: string }) {
  if (!props.text) return null;
  return (
    <p class="error" role="alert">
      {props.text}
    </p>
  );
}

/** A labelled one-line input bound to a signal. */
function TextField(props: { label: string; value: Signal<string>; maxLength: number; inputMode?: 'text' | 'url'; placeholder?: string }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        type="text"
        inputMode={props.inputMode ?? 'text'}
        placeholder={props.placeholder}
        value={props.value.value}
        maxLength={props.maxLength}
        onInput={(event) => (props.value.value = event.currentTarget.value)}
      />
    </label>
  );
}

function SubmitRow(props: { label: string }) {
  return (
    <div class="dialog-actions">
      <button type="submit" class="primary">
        {props.label}
      </button>
    </div>
  );
}
