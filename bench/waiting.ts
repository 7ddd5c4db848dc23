import { functionDefaults } from '../lib/routes';
import { prices } from './cost';

/**
 * Issue 13 point 7: what a day of 10,000 stores waiting on an open chat screen
 * costs, polling `GET /v1/chat/store/messages/?after=<last id>` every 5 s
 * versus holding a WebSocket, from the units this run measured and the prices
 * in bench/cost.ts. Pure arithmetic: the report passes the measurements in.
 */

/** What the comparison assumes; the report prints each. */
export const waiting = {
  stores: 10_000,
  pollSeconds: 5,
  /** Admin replies a store gets a day: the same in both columns; polling picks each up on a poll, the socket gets a push. */
  repliesPerStore: 20,
  /** API Gateway closes a socket after 2 hours: a reconnect ($disconnect, then $connect) every 2 h. */
  reconnectHours: 2,
  /** README "Keep the socket": a ping every 5 minutes (the idle timeout is 10). */
  pingMinutes: 5,
  /** The resume recipe after each reconnect: a fetch at once and one 2 s after the socket opened (README "Resuming on a phone"). */
  fetchesPerReconnect: 2,
} as const;

const day = 24 * 60 * 60;
const million = 1_000_000;
const gb = 1024 ** 3;

/** DynamoDB units of one operation, token lookups included in the reads. */
export interface Units {
  rru: number;
  wru: number;
}

export interface WaitingMeasured {
  poll: {
    /** Nothing new; the identity cache warm and the presence stamp fresh. */
    empty: Units;
    /** Nothing new, once a minute: the read refreshes last_seen_at. */
    stale: Units;
    /** The poll that picks up a reply (and marks it delivered). */
    pickUp: Units;
    emptyBytes: number;
    pickUpBytes: number;
    /** Lambda invocations per poll: the route's function, plus an authorizer's if the capacity run saw one. */
    invocations: number;
    /** The list handler's billed ms (in-process, warm, rounded up per invocation); an authorizer's time, if any, is not in it. */
    billedMs: number;
  };
  socket: {
    connect: Units;
    disconnect: Units;
    ping: Units;
    /** What a reply adds with the store's socket open (the audience read finds one more row), clamped at 0. */
    replyExtra: Units;
    /** Lambda invocations of a $connect: the authorizer (no cache: every handshake) and WsConnect. */
    connectInvocations: number;
    /** Upper bounds: the handshake's wall time for both its functions, the close's for $disconnect, the ping's round trip. */
    connectBilledMs: number;
    disconnectBilledMs: number;
    pingBilledMs: number;
    pingResultBytes: number;
    storeFrameBytes: number;
  };
}

export interface WaitingLine {
  component: string;
  polling: { quantity: number; usd: number };
  socket: { quantity: number; usd: number };
  unit: string;
}

/** Per day, for `waiting.stores` stores. */
export function waitingCost(m: WaitingMeasured): { lines: WaitingLine[]; polling: number; socket: number; perStore: { polls: number; reconnects: number; pings: number; fetches: number } } {
  const n = waiting.stores;
  const polls = day / waiting.pollSeconds;
  const stalePolls = day / 60;
  const replies = waiting.repliesPerStore;
  const emptyPolls = polls - stalePolls - replies;
  const reconnects = 24 / waiting.reconnectHours;
  const pings = (24 * 60) / waiting.pingMinutes;
  const fetches = reconnects * waiting.fetchesPerReconnect;
  const p = m.poll;
  const s = m.socket;
  const gbOf = (ms: number) => (ms / 1000) * (functionDefaults.memoryMb / 1024);
  const wsUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / (32 * 1024)));

  // Polling, per store per day.
  const pollReads = emptyPolls * p.empty.rru + stalePolls * p.stale.rru + replies * p.pickUp.rru;
  const pollWrites = emptyPolls * p.empty.wru + stalePolls * p.stale.wru + replies * p.pickUp.wru;
  const pollBytes = (polls - replies) * p.emptyBytes + replies * p.pickUpBytes;

  // A held socket, per store per day: its recipe fetches are empty polls.
  const sockReads = reconnects * (s.connect.rru + s.disconnect.rru) + pings * s.ping.rru + replies * s.replyExtra.rru + fetches * p.empty.rru;
  const sockWrites = reconnects * (s.connect.wru + s.disconnect.wru) + pings * s.ping.wru + replies * s.replyExtra.wru + fetches * p.empty.wru;
  // A ping is a message in and its result out; $connect and $disconnect are counted as a message each (conservative).
  const sockMessages = pings * 2 + replies * wsUnits(s.storeFrameBytes) + reconnects * 2;
  const sockInvocations = reconnects * (s.connectInvocations + 1) + pings + fetches * p.invocations;
  const sockGbS = reconnects * (gbOf(s.connectBilledMs) + gbOf(s.disconnectBilledMs)) + pings * gbOf(s.pingBilledMs) + fetches * gbOf(p.billedMs);
  const sockWsBytes = replies * s.storeFrameBytes + pings * s.pingResultBytes;
  const sockHttpBytes = fetches * p.emptyBytes;

  const line = (component: string, unit: string, polling: number, socket: number, usdPer: (quantity: number) => number): WaitingLine => ({
    component,
    unit,
    polling: { quantity: polling * n, usd: usdPer(polling * n) },
    socket: { quantity: socket * n, usd: usdPer(socket * n) },
  });
  const lines = [
    line('CloudFront HTTPS requests', 'requests', polls, fetches, (q) => (q / 10_000) * prices.cloudFrontHttpsRequests.usd),
    line('CloudFront Functions (viewer-request)', 'invocations', polls, fetches, (q) => (q / million) * prices.cloudFrontFunctions.usd),
    line('API Gateway HTTP API requests', 'requests', polls, fetches, (q) => (q / million) * prices.httpApiRequests.usd),
    line('Lambda requests', 'invocations', polls * p.invocations, sockInvocations, (q) => (q / million) * prices.lambdaRequests.usd),
    line(`Lambda duration (${functionDefaults.memoryMb} MB arm64)`, 'GB-s', polls * gbOf(p.billedMs), sockGbS, (q) => q * prices.lambdaArmGbSecond.usd),
    line('DynamoDB reads (token lookups included)', 'RRU', pollReads, sockReads, (q) => (q / million) * prices.dynamoRead.usd),
    line('DynamoDB writes', 'WRU', pollWrites, sockWrites, (q) => (q / million) * prices.dynamoWrite.usd),
    line('WebSocket connection minutes', 'minutes', 0, 24 * 60, (q) => (q / million) * prices.wsConnectionMinutes.usd),
    line('WebSocket messages', 'messages', 0, sockMessages, (q) => (q / million) * prices.wsMessages.usd),
    line('CloudFront data transfer out (responses)', 'GB', pollBytes / gb, sockHttpBytes / gb, (q) => q * prices.cloudFrontTransferOut.usd),
    line('API Gateway data transfer out (frames)', 'GB', 0, sockWsBytes / gb, (q) => q * prices.apiGatewayTransferOut.usd),
  ];
  const total = (side: 'polling' | 'socket') => lines.reduce((sum, l) => sum + l[side].usd, 0);
  return { lines, polling: total('polling'), socket: total('socket'), perStore: { polls, reconnects, pings, fetches } };
}
