/**
 * The environment contract between the stack and the functions: every function's variables, as the
 * synthesized template sets them (CloudFormation references stood in for by placeholder text), read
 * by that function's own config parser — the one its composition root uses in Lambda and locally.
 */
import { deliverConfigFromEnv } from '../../functions/deliver/config.js';
import { ingestConfigFromEnv } from '../../functions/ingest/config.js';
import { intakeConfigFromEnv } from '../../functions/intake/config.js';
import { pullConfigFromEnv } from '../../functions/pull/config.js';
import { sealConfigFromEnv } from '../../functions/seal/config.js';
import { sweepConfigFromEnv } from '../../functions/sweep/config.js';
import { metricsNamespace } from '../../functions/shared/metrics.js';
import { ENV, FEED } from '../../topology/names.js';
import { DESTINATION_IDS } from '../../topology/topology.js';
import { resourcesOf, synthesized } from './synth.js';

/** A template value as text: a literal stays, a reference becomes `<ref:LogicalId>`, a join is joined, a selection marked. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as {
    Ref?: string;
    'Fn::GetAtt'?: [string, string];
    'Fn::Join'?: [string, unknown[]];
    'Fn::Select'?: [number, unknown];
    'Fn::Split'?: [string, unknown];
  };
  if (v.Ref) return `<ref:${v.Ref}>`;
  if (v['Fn::Select']) return `<select:${text(v['Fn::Select'][1])}>`;
  if (v['Fn::GetAtt']) return `<att:${v['Fn::GetAtt'].join('.')}>`;
  if (v['Fn::Split']) return `<split:${text(v['Fn::Split'][1])}>`;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(text).join(v['Fn::Join'][0]);
  throw new Error(`unexpected template value ${JSON.stringify(value)}`);
}

const functions = Object.values(resourcesOf(synthesized('dev'), 'AWS::Lambda::Function'))
  .filter((f) => String(f.Properties['FunctionName'] ?? '').startsWith('credex-dev-'))
  .map((f) => ({
    name: String(f.Properties['FunctionName']).slice('credex-dev-'.length),
    env: Object.fromEntries(Object.entries(f.Properties['Environment']?.Variables ?? {}).map(([k, v]) => [k, text(v)])),
  }));

const parsers: Record<string, (env: Record<string, string>) => unknown> = {
  intake: intakeConfigFromEnv,
  ingest: ingestConfigFromEnv,
  pull: pullConfigFromEnv,
  sweep: sweepConfigFromEnv,
  seal: sealConfigFromEnv,
  ...Object.fromEntries(DESTINATION_IDS.map((d) => [`deliver-${d}`, deliverConfigFromEnv])),
};

describe('the environment contract between the stack and the functions', () => {
  it('covers every function of the stack', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(Object.keys(parsers).sort());
  });

  it.each(Object.keys(parsers).filter((name) => name !== 'seal'))(
    '%s: its config parser reads what the stack sets, the table and the stage namespace included',
    (name) => {
      const { env } = functions.find((f) => f.name === name)!;
      const config = parsers[name]!(env) as { tableName: string };
      expect(config.tableName).toMatch(/^<ref:SyncState/);
      expect(metricsNamespace(env)).toBe('CreditExchange/dev');
      // only the names topology/names.ts declares, and Node's own options (source-mapped stack traces)
      expect(Object.keys(env).filter((k) => k !== 'NODE_OPTIONS' && !(Object.values(ENV) as string[]).includes(k))).toEqual([]);
    },
  );

  it('seal: its config parser reads the stage, the evidence queue, bucket, key and algorithm the stack sets (no table)', () => {
    const { env } = functions.find((f) => f.name === 'seal')!;
    expect(sealConfigFromEnv(env)).toMatchObject({
      stage: 'dev',
      queueUrl: expect.stringMatching(/^<ref:EvidenceQueue/),
      bucket: expect.stringMatching(/^<ref:EvidenceBucket/),
      keyArn: expect.stringMatching(/^<att:EvidenceSigningKey\w+\.Arn>$/),
      algorithm: 'SM2DSA',
    });
    expect(env[ENV.tableName]).toBeUndefined();
    expect(metricsNamespace(env)).toBe('CreditExchange/dev');
    // only the names topology/names.ts declares, and Node's own options (source-mapped stack traces)
    expect(Object.keys(env).filter((k) => k !== 'NODE_OPTIONS' && !(Object.values(ENV) as string[]).includes(k))).toEqual([]);
  });

  it('tells ingest, the pull and every lane the evidence queue', () => {
    for (const { name, env } of functions.filter((f) => f.name === 'ingest' || f.name === 'pull' || f.name.startsWith('deliver-')))
      expect({ name, queue: env[ENV.evidenceQueueUrl] }).toEqual({ name, queue: expect.stringMatching(/^<ref:EvidenceQueue/) });
  });

  it('tells each lane its destination and the pull the feed', () => {
    for (const d of DESTINATION_IDS) expect(deliverConfigFromEnv(functions.find((f) => f.name === `deliver-${d}`)!.env)).toMatchObject({ destination: d });
    expect(pullConfigFromEnv(functions.find((f) => f.name === 'pull')!.env)).toMatchObject({ source: FEED.source });
  });
});
