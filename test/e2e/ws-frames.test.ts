import { useTestStack } from '../support/harness';
import { openRawSocket, type RawSocket } from '../support/raw-socket';

/** README "Admin WebSocket", Frames: what a frame that is not a well-formed action gets, over a real socket. */
describe('admin WebSocket frames that are not actions', () => {
  const stack = useTestStack();
  let socket: RawSocket;

  beforeAll(async () => {
    const admin = await stack.createAdmin();
    socket = await openRawSocket(`${stack.wsUrl}/?token=${admin.token}`);
  });

  afterAll(async () => {
    await socket.close();
  });

  it.each([
    ['a frame that is not JSON', 'not json', { action: null, request_id: null, status: 400, error: 'Malformed JSON frame' }],
    ['an empty frame', '', { action: null, request_id: null, status: 400, error: 'Malformed JSON frame' }],
    ['a JSON array', '[{"action": "ping"}]', { action: null, request_id: null, status: 400, error: 'Frame must be a JSON object' }],
    ['a JSON string', '"ping"', { action: null, request_id: null, status: 400, error: 'Frame must be a JSON object' }],
    ['JSON null', 'null', { action: null, request_id: null, status: 400, error: 'Frame must be a JSON object' }],
    ['an object without action', '{"request_id": "r1"}', { action: null, request_id: 'r1', status: 400, error: 'Invalid frame', errors: { action: ['Must be a string'] } }],
    ['{}', '{}', { action: null, request_id: null, status: 400, error: 'Invalid frame', errors: { action: ['Must be a string'] } }],
    ['an action that is a number', '{"action": 5, "request_id": "r2"}', { action: null, request_id: 'r2', status: 400, error: 'Invalid frame', errors: { action: ['Must be a string'] } }],
    ['an action that is an object', '{"action": {"name": "claim"}}', { action: null, request_id: null, status: 400, error: 'Invalid frame', errors: { action: ['Must be a string'] } }],
    [
      'an action longer than 64 characters',
      JSON.stringify({ action: 'a'.repeat(65), request_id: 'r3' }),
      { action: null, request_id: 'r3', status: 400, error: 'Invalid frame', errors: { action: ['Must be at most 64 characters'] } },
    ],
    ['an action no route has', '{"action": "dance", "request_id": "r4"}', { action: 'dance', request_id: 'r4', status: 404, error: 'Unknown action: dance' }],
  ])('answers %s with exactly the documented error frame', async (_case, frame, expected) => {
    const answer = await socket.exchange(frame);

    expect(answer).toEqual({ type: 'error', ...expected });
  });

  it('answers a binary frame like a frame that is not JSON', async () => {
    const answer = await socket.exchange(Buffer.from('{"action": "ping"}'));

    expect(answer).toEqual({ type: 'error', action: null, request_id: null, status: 400, error: 'Malformed JSON frame' });
  });

  it('answers a known action with a bad field with 400 "Invalid frame" naming the field', async () => {
    const answer = await socket.exchange(JSON.stringify({ action: 'claim', session_id: 'seven', request_id: 'r5' }));

    expect(answer).toEqual({ type: 'error', action: 'claim', request_id: 'r5', status: 400, error: 'Invalid frame', errors: { session_id: ['Must be an integer'] } });
  });

  it('keeps the socket open after each of them', async () => {
    const answer = await socket.exchange(JSON.stringify({ action: 'ping', request_id: 'r6' }));

    expect(answer).toMatchObject({ type: 'result', action: 'ping', request_id: 'r6' });
    expect(socket.isOpen()).toBe(true);
  });
});
