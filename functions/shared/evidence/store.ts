/**
 * Where sealed windows are kept: create-only objects that nothing overwrites. On AWS an S3 bucket
 * with Object Lock (compliance mode) and a conditional create (If-None-Match); locally files under
 * the data directory, created by a hard link (atomic, and refused when the name exists). The head
 * is the one object written over (a versioned object on S3: every version is kept).
 */
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** What verifying needs: reads only (operators and the CLI hold no write to the log). */
export interface EvidenceReader {
  /** Where it is, for messages. */
  describe: string;
  getWindow(seq: number): Promise<string | undefined>;
  getHead(): Promise<string | undefined>;
}

/** What sealing needs besides: create-only windows, and the head. */
export interface EvidenceStore extends EvidenceReader {
  /** Creates window `seq`; 'exists' when it already does (nothing is written over). */
  putWindow(seq: number, text: string): Promise<'written' | 'exists'>;
  putHead(text: string): Promise<void>;
}

export const windowName = (seq: number): string => `windows/${String(seq).padStart(12, '0')}.json`;
export const HEAD_NAME = 'head.json';

export function fileEvidenceStore(dir: string): EvidenceStore {
  const path = (name: string) => join(dir, name);
  const read = async (name: string) => (existsSync(path(name)) ? readFileSync(path(name), 'utf8') : undefined);
  const staged = (text: string) => {
    mkdirSync(join(dir, 'windows'), { recursive: true });
    const tmp = path(`.tmp-${randomUUID()}`);
    // on disk before it gets its name: a crash leaves a whole window or none
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return tmp;
  };
  return {
    describe: dir,
    async putWindow(seq, text) {
      const tmp = staged(text);
      try {
        linkSync(tmp, path(windowName(seq)));
        return 'written';
      } catch (err) {
        if ((err as { code?: string }).code === 'EEXIST') return 'exists';
        throw err;
      } finally {
        unlinkSync(tmp);
      }
    },
    getWindow: (seq) => read(windowName(seq)),
    async putHead(text) {
      renameSync(staged(text), path(HEAD_NAME));
    },
    getHead: () => read(HEAD_NAME),
  };
}

/** The bucket, read only: what `credex evidence` uses (its bundle holds no PutObject). */
export function s3EvidenceReader(s3: S3Client, bucket: string, prefix = ''): EvidenceReader {
  const get = async (name: string): Promise<string | undefined> => {
    try {
      const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${name}` }));
      return await result.Body!.transformToString('utf-8');
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  };
  return { describe: `s3://${bucket}/${prefix}`, getWindow: (seq) => get(windowName(seq)), getHead: () => get(HEAD_NAME) };
}

export function s3EvidenceStore(s3: S3Client, bucket: string, prefix = ''): EvidenceStore {
  const key = (name: string) => `${prefix}${name}`;
  const put = (name: string, text: string, createOnly: boolean) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key(name),
        Body: text,
        ContentType: 'application/json',
        // Object Lock buckets take only requests with an integrity checksum
        ChecksumAlgorithm: 'SHA256',
        ...(createOnly && { IfNoneMatch: '*' }),
      }),
    );
  return {
    ...s3EvidenceReader(s3, bucket, prefix),
    async putWindow(seq, text) {
      try {
        await put(windowName(seq), text, true);
        return 'written';
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412) return 'exists';
        throw err;
      }
    },
    async putHead(text) {
      await put(HEAD_NAME, text, false);
    },
  };
}
