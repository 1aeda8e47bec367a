/** The CloudWatch EMF blobs Powertools Metrics wrote in captured output (test/support/capture-output.ts). */
export interface EmfBlob {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

export function emfBlobs(output: string): EmfBlob[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfBlob);
}
