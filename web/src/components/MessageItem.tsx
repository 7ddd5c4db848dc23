import { Component } from 'preact';
import type { Desk, PendingSend } from '../desk';
import { formatPrice, formatStamp } from '../format';
import { fileNameOf, safeUrl } from '../links';
import type { Message, Product } from '../types';

/** A link only when the URL passes the link rule; otherwise its text. Always in a new tab, without opener or referrer. */
function SafeLink(props: { url: string; trusted: string[]; children?: string; class?: string }) {
  const href = safeUrl(props.url, props.trusted);
  if (!href) return <span class="unsafe-link">{props.children ?? props.url}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" class={props.class}>
      {props.children ?? props.url}
    </a>
  );
}

function ProductCard(props: { product: Product; trusted: string[] }) {
  const { product, trusted } = props;
  const image = product.images.find((item) => item.lang === 'en_GB') ?? product.images[0];
  const src = image ? safeUrl(image.content, trusted) : null;
  return (
    <div class="product-card">
      {src && <img class="product-img" src={src} alt="" loading="lazy" referrerpolicy="no-referrer" />}
      <div class="product-body">
        <strong class="product-name">{product.name ?? product.sku}</strong>
        <span class="product-sku">SKU {product.sku}</span>
        <span class="product-price">
          {formatPrice(product.price)}
          {product.price_catalog > product.price && <s class="product-catalog">{formatPrice(product.price_catalog)}</s>}
          {product.discount_percentage > 0 && <span class="tag">−{product.discount_percentage}%</span>}
        </span>
        <span class="product-stock">{product.stock_available} available</span>
        {product.description && <span class="product-description">{product.description}</span>}
        {product.url && (
          <SafeLink url={product.url} trusted={trusted}>
            View product
          </SafeLink>
        )}
      </div>
    </div>
  );
}

const systemText: Record<string, (who: string) => string> = {
  claimed: (who) => `${who} claimed the session`,
  released: (who) => `${who} released the session`,
  transferred: (who) => `${who} transferred the session`,
  closed: (who) => `${who} closed the session`,
  missed: () => 'The session closed without a reply',
  unavailable: () => 'No agent was online when the store wrote',
};

function Attachment(props: { message: Message; trusted: string[]; sender: string }) {
  const { message, trusted, sender } = props;
  if (message.attachment_url === '') return null;
  const src = safeUrl(message.attachment_url, trusted);
  const name = fileNameOf(message.attachment_url);
  if (!src) return <span class="unsafe-link">{message.attachment_url}</span>;
  if (message.type === 'image') {
    return (
      <a href={src} target="_blank" rel="noopener noreferrer" class="thumb-link">
        <img class="thumb" src={src} alt={`Image from ${sender}: ${name}`} loading="lazy" referrerpolicy="no-referrer" />
      </a>
    );
  }
  if (message.type === 'video') {
    return (
      <video class="video" src={src} controls preload="metadata">
        <a href={src} target="_blank" rel="noopener noreferrer">
          {name}
        </a>
      </video>
    );
  }
  return (
    <a href={src} target="_blank" rel="noopener noreferrer" class="file-link" download={name}>
      {name}
    </a>
  );
}

function Special(props: { message: Message; trusted: string[] }) {
  const { message, trusted } = props;
  if (message.special_type === 'open_url' && typeof message.special_param === 'string') {
    return (
      <p class="action-url">
        <SafeLink url={message.special_param} trusted={trusted} class="button-link" />
      </p>
    );
  }
  if (message.special_type === 'quick_replies' && Array.isArray(message.special_param)) {
    return (
      <ul class="quick-replies" aria-label="Quick replies offered">
        {message.special_param.map((reply, index) => (
          <li key={index}>{reply}</li>
        ))}
      </ul>
    );
  }
  return null;
}

interface ItemProps {
  message: Message;
  desk: Desk;
  storeName: string;
  trusted: string[];
}

/** One message; a text node for every piece of user content, never HTML. */
export class MessageItem extends Component<ItemProps> {
  override shouldComponentUpdate(next: ItemProps): boolean {
    return next.message !== this.props.message || next.storeName !== this.props.storeName;
  }

  override render() {
    const { message, desk, storeName, trusted } = this.props;
    const sender = message.sender_type === 'store' ? message.sender_name || storeName : message.sender_name || desk.adminName(message.sender_id);
    const common = {
      'data-message-id': message.id,
      'data-sender': message.sender_type,
      'data-status': message.status,
      'data-moderation': message.moderation,
    };
    if (message.sender_type === 'system') {
      const text = systemText[message.type]?.(message.sender_id === null ? 'Someone' : desk.adminName(message.sender_id)) ?? message.type;
      return (
        <li class="message system" {...common}>
          <span>{text}</span> <time dateTime={message.created}>{formatStamp(message.created)}</time>
        </li>
      );
    }
    const hidden = message.moderation !== 'visible';
    return (
      <li class={`message from-${message.sender_type}${hidden ? ' hidden-message' : ''}`} {...common}>
        <div class="meta">
          <span class="sender">{sender}</span>
          <time dateTime={message.created}>{formatStamp(message.created)}</time>
          {hidden && <span class="tag tag-hidden">hidden</span>}
          <span class={`mark mark-${message.status}`} title={message.status}>
            {message.status === 'sent' ? '✓' : '✓✓'}
            <span class="sr-only"> {message.status}</span>
          </span>
          <button type="button" class="link-button" onClick={() => void desk.moderate(hidden ? 'unhide' : 'hide', message)}>
            {hidden ? 'Unhide' : 'Hide'}
          </button>
        </div>
        {message.content !== '' && <p class="text">{message.content}</p>}
        <Attachment message={message} trusted={trusted} sender={sender} />
        {message.product && <ProductCard product={message.product} trusted={trusted} />}
        {message.rating !== null && (
          <p class="rating">
            <span aria-hidden="true">{'★'.repeat(message.rating) + '☆'.repeat(Math.max(0, 5 - message.rating))}</span>
            <span class="sr-only">Rated {message.rating} out of 5</span>
          </p>
        )}
        <Special message={message} trusted={trusted} />
      </li>
    );
  }
}

function describe(pending: PendingSend): string {
  const body = pending.body;
  if (body.content) return body.content;
  if (body.product_id !== undefined) return '[product]';
  if (body.attachment_url) return `[${fileNameOf(body.attachment_url)}]`;
  return '';
}

export function PendingItem(props: { pending: PendingSend; desk: Desk; sessionId: number }) {
  const { pending, desk, sessionId } = props;
  return (
    <li class={`message from-admin pending pending-${pending.state}`} data-pending={pending.state} data-sender="admin">
      <div class="meta">
        <span class="sender">{desk.me.name}</span>
        <span class="pending-state">{pending.state === 'sending' ? 'Sending…' : 'Not sent'}</span>
      </div>
      <p class="text">{describe(pending)}</p>
      {pending.state === 'failed' && (
        <p class="pending-error">
          <span role="alert">{pending.error}</span>{' '}
          <button type="button" class="link-button" onClick={() => desk.retry(sessionId, pending.id)}>
            Retry
          </button>{' '}
          <button type="button" class="link-button" onClick={() => desk.discard(sessionId, pending.id)}>
            Discard
          </button>
        </p>
      )}
    </li>
  );
}
