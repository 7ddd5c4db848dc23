import { writeAll, type InboxWrite } from '../../lib/entities/inbox';

const put: InboxWrite = { PutRequest: { Item: { pk: 'INBOX#open', sk: '2026-01-01T00:00:01.000Z#000000000001' } } };
const del: InboxWrite = { DeleteRequest: { Key: { pk: 'INBOX#open', sk: '2026-01-01T00:00:00.000Z#000000000001' } } };
const noPause = () => Promise.resolve();

describe('the inbox move as one batch', () => {
  it('sends the put and the delete in one request when DynamoDB processes both', async () => {
    const sent: InboxWrite[][] = [];

    await writeAll((writes) => (sent.push(writes), Promise.resolve([])), [put, del], noPause);

    expect(sent).toEqual([[put, del]]);
  });

  it('sends again only what was left unprocessed, until it is written', async () => {
    const sent: InboxWrite[][] = [];
    const left = [[put], [put], []];

    await writeAll((writes) => (sent.push(writes), Promise.resolve(left.shift()!)), [put, del], noPause);

    expect(sent).toEqual([[put, del], [put], [put]]);
  });

  it('gives up after a few retries and names what is left, for the caller to log', async () => {
    const sent: InboxWrite[][] = [];

    const written = writeAll((writes) => (sent.push(writes), Promise.resolve([put])), [put, del], noPause);

    await expect(written).rejects.toThrow('inbox writes left unprocessed: put 2026-01-01T00:00:01.000Z#000000000001');
    expect(sent).toHaveLength(4);
  });
});
