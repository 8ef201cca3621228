import { parsePlanContent } from './plan-content.js';

describe('parsePlanContent', () => {
  it('parses each stored text once per legacy flag and shares the frozen result', () => {
    const text = '{"traffic":10,"class":1,"class_expire":1,"expire_in":30}';
    const first = parsePlanContent(text, false);
    expect(first).toEqual({
      trafficGb: 10,
      resetTraffic: false,
      classLevel: 1,
      classExpireDays: 1,
      expireInDays: 30,
      speedlimit: null,
      connector: null,
    });
    expect(Object.isFrozen(first)).toBe(true);
    expect(parsePlanContent(text, false)).toBe(first);
    // The flag is part of the key: the fallback for reset_traffic differs.
    expect(parsePlanContent(text, true)).toMatchObject({ resetTraffic: true });
  });

  it('refuses a text that is not a valid plan, again and again', () => {
    expect(parsePlanContent('{"traffic":-1}', false)).toBeNull();
    expect(parsePlanContent('{"traffic":-1}', false)).toBeNull();
    expect(parsePlanContent('not json', false)).toBeNull();
  });
});
