/** Stage configuration is checked at synth time, every problem named with what was expected. */
import { checkStage, resolveStage, stages, StageConfigError, type StageConfig } from '../../infra/stages.js';

const prod = stages['prod']!;
const variant = (change: (s: StageConfig) => void): StageConfig => {
  const copy = structuredClone(prod);
  change(copy);
  return copy;
};

describe('stages', () => {
  it.each(Object.keys(stages))('the shipped %s stage is valid', (name) => {
    expect(checkStage(stages[name]!)).toEqual([]);
    expect(resolveStage(name).name).toBe(name);
  });

  it('names an unknown stage and lists the known ones', () => {
    expect(() => resolveStage('staging')).toThrow(/stage staging is not valid:\n {2}- no such stage; stages: dev, prod/);
  });

  it.each<[string, (s: StageConfig) => void, RegExp]>([
    [
      'plain http in production',
      (s) => (s.endpoints.provincial = 'http://provincial.example.com'),
      /endpoints\.provincial: http:\/\/provincial\.example\.com must use https/,
    ],
    [
      'localhost in production',
      (s) => (s.endpoints.municipal = 'https://localhost:9000'),
      /endpoints\.municipal: .* points at this machine in a production stage/,
    ],
    ['a missing endpoint', (s) => delete (s.endpoints as Partial<StageConfig['endpoints']>).district, /endpoints\.district: missing/],
    [
      'an endpoint for no destination',
      (s) => ((s.endpoints as Record<string, string>)['county'] = 'https://county.example.com'),
      /endpoints\.county: not a destination of the topology/,
    ],
    ['a query in a base URL', (s) => (s.feed.url = 'https://feed.example.com/?x=1'), /feed\.url: .* must be a base URL/],
    ['a bad schedule', (s) => (s.feed.schedule = 'every 5 minutes'), /feed\.schedule: "every 5 minutes" must be an EventBridge Scheduler rate/],
    ['a plural unit for one', (s) => (s.feed.schedule = 'rate(1 hours)'), /write rate\(1 hour\) for one/],
    ['a singular unit for many', (s) => (s.feed.schedule = 'rate(5 minute)'), /rate\(5 minutes\) for more/],
    ['a zero rate', (s) => (s.feed.schedule = 'rate(0 minutes)'), /the rate must be at least 1/],
    ['a rate faster than a pull run', (s) => (s.feed.schedule = 'rate(2 minutes)'), /fires before a pull run may end \(its timeout is 240 s\)/],
    ['a zero rate limit', (s) => (s.rateLimits = { provincial: 0 }), /rateLimits\.provincial: must be a positive number/],
    ['no alarm address in production', (s) => (s.alarms.emails = []), /alarms\.emails: a production stage needs at least one address/],
    ['a malformed address', (s) => (s.alarms.emails = ['oncall']), /alarms\.emails: "oncall" is not an e-mail address/],
    ['a retention CloudWatch does not offer', (s) => (s.logRetentionDays = 10), /logRetentionDays: 10 is not a CloudWatch retention period/],
    [
      'a burst below the rate',
      (s) => (s.ingest = { rateLimitPerSecond: 50, burstLimit: 10 }),
      /ingest\.burstLimit: must be an integer ≥ rateLimitPerSecond \(50\); got 10/,
    ],
    ['an account id that is not 12 digits', (s) => (s.env.account = '1234'), /env\.account: "1234" must be a 12-digit AWS account id/],
    ['a secret prefix with a double slash', (s) => (s.secretPrefix = 'credex//prod'), /secretPrefix: "credex\/\/prod" may hold only/],
    [
      'production evidence kept under five years',
      (s) => (s.evidenceRetentionDays = 1824),
      /evidenceRetentionDays: a production stage keeps its evidence at least 1825 days \(5 years\); got 1824/,
    ],
    ['evidence kept no days', (s) => ((s.production = false), (s.evidenceRetentionDays = 0)), /evidenceRetentionDays: must be a whole number of days/],
    ['evidence kept part of a day', (s) => ((s.production = false), (s.evidenceRetentionDays = 1.5)), /evidenceRetentionDays: must be a whole number of days/],
  ])('refuses %s', (_, change, message) => {
    const problems = checkStage(variant(change));
    expect(problems.join('\n')).toMatch(message);
  });

  it.each(['rate(1 hour)', 'rate(10 minutes)', 'cron(0/15 * * * ? *)'])('accepts the schedule %s', (schedule) => {
    expect(checkStage(variant((s) => (s.feed.schedule = schedule)))).toEqual([]);
  });

  it('keeps production evidence at least five years, the dev stage a month', () => {
    expect(stages['prod']!.evidenceRetentionDays).toBe(1825);
    expect(stages['dev']!.evidenceRetentionDays).toBe(30);
    expect(checkStage(variant((s) => (s.evidenceRetentionDays = 3650)))).toEqual([]);
    expect(checkStage(variant((s) => ((s.production = false), (s.alarms.emails = []), (s.evidenceRetentionDays = 1))))).toEqual([]);
  });

  it('allows plain http to localhost outside production', () => {
    expect(checkStage(variant((s) => ((s.production = false), (s.endpoints.provincial = 'http://localhost:9000'))))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const broken = variant((s) => ((s.logRetentionDays = 2), (s.alarms.emails = []), (s.feed.schedule = 'hourly')));
    try {
      resolveStage('prod', { prod: broken });
      throw new Error('expected a StageConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(StageConfigError);
      expect((error as StageConfigError).problems).toHaveLength(3);
    }
  });
});
