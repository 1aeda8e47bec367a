import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUTS } from '../../../infra/outputs.js';
import { DESTINATION_IDS } from '../../../topology/topology.js';
import { readTargetFile, resolveTarget, targetFromOutputs, TargetError, TARGET_FILE } from '../../../cli/target.js';

const outputsOf = (stage: string): Record<string, string> => {
  const url = (name: string) => `https://sqs.cn-north-1.amazonaws.com.cn/123456789012/credex-${stage}-${name}`;
  const outputs: Record<string, string> = {
    [OUTPUTS.tableName]: `credex-${stage}-sync-state`,
    [OUTPUTS.intakeQueueUrl]: url('intake'),
    [OUTPUTS.intakeDlqUrl]: url('intake-dlq'),
    [OUTPUTS.ingestApiUrl]: 'https://abc.execute-api.cn-north-1.amazonaws.com.cn',
  };
  for (const d of DESTINATION_IDS) {
    outputs[OUTPUTS.laneQueueUrl(d)] = url(`lane-${d}`);
    outputs[OUTPUTS.laneDlqUrl(d)] = url(`lane-${d}-dlq`);
  }
  return outputs;
};

describe('a deployed stage is found through its stack outputs', () => {
  it('maps every output to the table and queues', () => {
    const target = targetFromOutputs('prod', 'cn-north-1', outputsOf('prod'));
    expect(target).toMatchObject({ stage: 'prod', region: 'cn-north-1', origin: 'stack credex-prod in cn-north-1', tableName: 'credex-prod-sync-state' });
    expect(target.lanes.municipal).toEqual({ queueUrl: expect.stringMatching(/lane-municipal$/), dlqUrl: expect.stringMatching(/lane-municipal-dlq$/) });
    expect(target.endpoints).toBeUndefined();
  });

  it('names every missing output at once (a stack of another version)', () => {
    const outputs = outputsOf('dev');
    delete outputs[OUTPUTS.tableName];
    delete outputs[OUTPUTS.laneDlqUrl('district')];
    expect(() => targetFromOutputs('dev', 'cn-north-1', outputs)).toThrow(/no output TableName, LaneDlqUrlDistrict/);
  });

  it("reads the stack credex-<stage> in the stage's configured region unless --region is given", async () => {
    const calls: Array<[string, string, string | undefined]> = [];
    const describe = async (name: string, region: string, profile?: string) => {
      calls.push([name, region, profile]);
      return outputsOf('prod');
    };
    await resolveTarget({ stage: 'prod' }, {}, describe);
    await resolveTarget({ stage: 'prod', region: 'cn-northwest-1', profile: 'ops' }, {}, describe);
    await resolveTarget({}, { CREDEX_STAGE: 'dev' }, describe);
    expect(calls).toEqual([
      ['credex-prod', 'cn-north-1', undefined],
      ['credex-prod', 'cn-northwest-1', 'ops'],
      ['credex-dev', 'cn-north-1', undefined],
    ]);
    // a stage this checkout does not configure needs a region from somewhere
    await expect(resolveTarget({ stage: 'staging' }, {}, describe)).rejects.toThrow(/no region for stage staging/);
    await resolveTarget({ stage: 'staging' }, { AWS_REGION: 'cn-north-1' }, describe);
    expect(calls.at(-1)).toEqual(['credex-staging', 'cn-north-1', undefined]);
  });

  it('says how to name an exchange when none is given', async () => {
    await expect(resolveTarget({}, {})).rejects.toThrow(/--stage <name>.*--local.*--target <file>/);
  });
});

describe('the local runtime is found through the target file npm start writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credex-target-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('--local <dir> and --stage local read <dir>/target.json', async () => {
    const target = {
      ...targetFromOutputs('local', 'us-east-1', outputsOf('local')),
      endpoints: { dynamodb: 'http://127.0.0.1:4581', sqs: 'http://127.0.0.1:4582' },
    };
    await writeFile(join(dir, TARGET_FILE), JSON.stringify(target));
    await expect(resolveTarget({ local: dir })).resolves.toMatchObject({ tableName: 'credex-local-sync-state', endpoints: target.endpoints });
    await expect(resolveTarget({ target: join(dir, TARGET_FILE) })).resolves.toMatchObject({ stage: 'local' });
  });

  it('no running runtime, or a file that is not a target, is a clear error', async () => {
    await expect(resolveTarget({ local: dir })).rejects.toThrow(/no local runtime is running .*npm start/);
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ stage: 'local', region: 'us-east-1', tableName: 't', intake: { queueUrl: 'q' } }));
    expect(() => readTargetFile(join(dir, 'bad.json'))).toThrow(TargetError);
    expect(() => readTargetFile(join(dir, 'bad.json'))).toThrow(/lacks intake, lanes\.provincial, lanes\.municipal, lanes\.publicColumn, lanes\.district/);
    await writeFile(join(dir, 'broken.json'), '{');
    expect(() => readTargetFile(join(dir, 'broken.json'))).toThrow(/cannot read the target file/);
  });
});
