import { categorizeStatus } from '../../../src/domain/reconcile/statusCategory';

describe('categorizeStatus (archive, Twilio)', () => {
  it.each([
    [null, 'delivered', 'missing'],
    ['', 'sent', 'missing'],
    ['delivered', 'delivered', 'ok'],
    ['read', 'delivered', 'ok'],
    ['delivered', 'sent', 'ok'],
    ['sent', 'queued', 'ok'],
    ['queued', 'sent', 'pending'],
    ['sent', 'sent', 'ok'],
    ['accepted', 'scheduled', 'pending'],
    ['sent', 'delivered', 'status_behind'],
    ['queued', 'failed', 'status_behind'],
    ['delivered', 'read', 'status_behind'],
    ['delivered', 'undelivered', 'status_conflict'],
    ['failed', 'delivered', 'status_conflict'],
    ['teleported', 'delivered', 'status_behind'],
    ['delivered', 'teleported', 'ok'],
  ])('archive %j, Twilio %j → %s', (archive, twilio, category) => {
    expect(categorizeStatus(archive, twilio)).toBe(category);
  });
});
