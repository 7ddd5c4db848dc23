import { listeningAddresses } from '../support/listening';

describe('DynamoDB Local as the local stack starts it', () => {
  it('listens on loopback only, not on every interface', () => {
    // jest's globalSetup starts it with the same launcher as `npm start` (infra/local/dynamodb-local.ts).
    const port = Number(new URL(process.env.TEST_DYNAMODB_ENDPOINT!).port);

    const addresses = listeningAddresses(port);

    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(['127.0.0.1', '::ffff:127.0.0.1', '::1']).toContain(address);
  });
});
