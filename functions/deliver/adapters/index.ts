/** Every destination's adapter, by destination id (topology/topology.ts): one entry per lane. */
import type { DestinationId } from '../../../topology/topology.js';
import { district } from './district.js';
import { municipal } from './municipal.js';
import { provincial } from './provincial.js';
import { publicColumn } from './public-column.js';
import type { Adapter } from './types.js';

export const adapters: Readonly<Record<DestinationId, Adapter>> = { provincial, municipal, publicColumn, district };

export type { Adapter, AdapterContext, Delivery, EndpointResponse, RecordOutcome, WireRequest } from './types.js';
