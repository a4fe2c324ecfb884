import { isTwilioParameterName, splitCallbackParameters } from '../../../src/domain/callbackParameters';

describe('splitCallbackParameters', () => {
  it("puts PascalCase names in params and the sender's names in tags", () => {
    const { params, tags } = splitCallbackParameters({ MessageSid: 'SM1', To: '+1', order_id: '42', clientRef: 'r', _x: 'y', '1st': 'z' });
    expect(params).toEqual({ MessageSid: 'SM1', To: '+1' });
    expect(tags).toEqual({ order_id: '42', clientRef: 'r', _x: 'y', '1st': 'z' });
  });

  it("leaves out the runtime's request object but keeps a tag called request", () => {
    expect(splitCallbackParameters({ MessageSid: 'SM1', request: { headers: {}, cookies: {} } }).tags).toEqual({});
    expect(splitCallbackParameters({ MessageSid: 'SM1', request: 'mine' }).tags).toEqual({ request: 'mine' });
  });

  it('keeps repeated values as lists and anything else as its JSON text', () => {
    const { params } = splitCallbackParameters({ To: ['+1', '+2'], Count: 3, Nested: { a: 'b' } });
    expect(params).toEqual({ To: ['+1', '+2'], Count: '3', Nested: '{"a":"b"}' });
  });

  it('treats __proto__ as data, never as a prototype', () => {
    const event = JSON.parse('{"__proto__":{"polluted":true},"MessageSid":"SM1"}') as Record<string, unknown>;
    const { tags } = splitCallbackParameters(event);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names Twilio parameters by their upper-case first letter', () => {
    expect(isTwilioParameterName('RawDlrDoneDate')).toBe(true);
    expect(isTwilioParameterName('bodySHA256')).toBe(false);
    expect(isTwilioParameterName('')).toBe(false);
  });
});
