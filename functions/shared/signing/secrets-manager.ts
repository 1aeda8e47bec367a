/** Lambda's secret source: Secrets Manager through the SDK's client (GetSecretValue only, so the bundle carries one command). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerSource, type SecretSource } from './credentials.js';

export function awsSecrets(): SecretSource {
  const client = new SecretsManagerClient({});
  return secretsManagerSource({ getSecretValue: (input) => client.send(new GetSecretValueCommand(input)) });
}
