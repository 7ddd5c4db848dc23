import { identityFromContext, toAuthContext, tokenFromAuthorizationHeader } from '../../lib/auth/context';
import { messageId, messageIdStride, splitMessageId } from '../../lib/entities/session';
import { hashToken, looksLikeToken } from '../../lib/entities/token';
import { randomBase62 } from '../../lib/ids';

describe('message ids', () => {
  it('encode the session and the sequence, and increase within a session', () => {
    expect(messageId(1, 123)).toBe(1_000_123);
    expect(splitMessageId(messageId(42, 7))).toEqual({ sessionId: 42, seq: 7 });
    expect(messageId(5, 2)).toBeGreaterThan(messageId(5, 1));
  });

  it('stay safe integers for billions of sessions', () => {
    expect(Number.isSafeInteger(messageId(9_000_000_000, messageIdStride - 1))).toBe(true);
  });
});

describe('tokens', () => {
  it('are stored as a SHA-256 hash, never as themselves', () => {
    const token = `store_${randomBase62(40)}`;
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token.slice(6));
  });

  it('have a recognisable shape, so garbage never reaches the table', () => {
    expect(looksLikeToken(`admin_${randomBase62(40)}`)).toBe(true);
    expect(looksLikeToken('admin_short')).toBe(false);
    expect(looksLikeToken(`root_${randomBase62(40)}`)).toBe(false);
  });

  it('are read from "Authorization: Token <token>" only', () => {
    expect(tokenFromAuthorizationHeader('Token abc')).toBe('abc');
    expect(tokenFromAuthorizationHeader('token abc')).toBe('abc');
    expect(tokenFromAuthorizationHeader('Bearer abc')).toBeUndefined();
    expect(tokenFromAuthorizationHeader('Token a b')).toBeUndefined();
    expect(tokenFromAuthorizationHeader(undefined)).toBeUndefined();
  });
});

describe('authorizer context', () => {
  it('round-trips a principal, including ids delivered as strings', () => {
    expect(identityFromContext(toAuthContext({ kind: 'store', id: 5 }))).toEqual({ kind: 'principal', principal: { kind: 'store', id: 5 } });
    expect(identityFromContext({ principal_type: 'admin', principal_id: '7' })).toEqual({ kind: 'principal', principal: { kind: 'admin', id: 7 } });
  });

  it('treats anything else as anonymous', () => {
    expect(identityFromContext(undefined)).toEqual({ kind: 'anonymous' });
    expect(identityFromContext({ principal_type: 'root', principal_id: 1 })).toEqual({ kind: 'anonymous' });
    expect(identityFromContext({ principal_type: 'store' })).toEqual({ kind: 'anonymous' });
  });
});
