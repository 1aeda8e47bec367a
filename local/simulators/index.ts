/**
 * The four destination simulators (docs/endpoints.md): `startSimulators` serves each contract on
 * its own localhost port; the local runtime points the deliver and pull functions at their URLs.
 */
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { districtContract } from './contracts/district.js';
import { municipalContract } from './contracts/municipal.js';
import { provincialContract } from './contracts/provincial.js';
import { publicColumnContract } from './contracts/public-column.js';
import type { Credentials } from '../../functions/shared/signing/credentials.js';
import type { Contract } from './contracts/types.js';
import { startSimulator, type Faults, type Simulator, type SimulatorOptions } from './simulator.js';

export type { Contract } from './contracts/types.js';
export type { StoredRecord, RequestEntry } from './store.js';
export { startSimulator, mulberry32, parseFaults, type Faults, type Simulator, type SimulatorOptions } from './simulator.js';

export const simulatorContracts: Readonly<Record<DestinationId, Contract>> = {
  provincial: provincialContract,
  municipal: municipalContract,
  publicColumn: publicColumnContract,
  district: districtContract,
};

export interface SimulatorsOptions {
  /** Credentials each destination issued (the provincial one needs a `fieldKey`). */
  credentials: Readonly<Record<DestinationId, Credentials | readonly Credentials[]>>;
  /** Faults for every simulator, or per destination. */
  faults?: Faults | Partial<Record<DestinationId, Faults>>;
  /** Base PRNG seed; destination i uses seed + i. */
  seed?: number;
  /** Fixed ports per destination (default: free ports). */
  ports?: Partial<Record<DestinationId, number>>;
  host?: string;
  now?: () => number;
  onRequest?: SimulatorOptions['onRequest'];
}

export interface Simulators {
  urls: Record<DestinationId, string>;
  simulators: Record<DestinationId, Simulator>;
  /** Resets every simulator. */
  reset(): void;
  stop(): Promise<void>;
}

function faultsFor(faults: SimulatorsOptions['faults'], destination: DestinationId): Faults | undefined {
  if (faults === undefined) return undefined;
  const perDestination = Object.keys(faults).some((key) => (DESTINATION_IDS as string[]).includes(key));
  return perDestination ? (faults as Partial<Record<DestinationId, Faults>>)[destination] : (faults as Faults);
}

export async function startSimulators(options: SimulatorsOptions): Promise<Simulators> {
  const started: Simulator[] = [];
  const simulators = {} as Record<DestinationId, Simulator>;
  try {
    for (const [i, destination] of DESTINATION_IDS.entries()) {
      const faults = faultsFor(options.faults, destination);
      const simulator = await startSimulator({
        contract: simulatorContracts[destination],
        credentials: options.credentials[destination],
        seed: (options.seed ?? 1) + i,
        ...(faults === undefined ? {} : { faults }),
        ...(options.ports?.[destination] === undefined ? {} : { port: options.ports[destination] }),
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
      });
      started.push(simulator);
      simulators[destination] = simulator;
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  const urls = Object.fromEntries(DESTINATION_IDS.map((d) => [d, simulators[d].url])) as Record<DestinationId, string>;
  return {
    urls,
    simulators,
    reset: () => started.forEach((s) => s.reset()),
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
