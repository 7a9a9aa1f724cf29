/** The CPU work of a request a broker receives: its network thread's read and its I/O thread's handling (cpu-costs.ts). */
import type { Envelope } from '../../resources/network.js';
import { CPU_COST, DECOMPRESS_NS_PER_BYTE } from '../cpu-costs.js';
import type * as P from '../protocol.js';

export interface RequestCost {
  readUs: number;
  handleUs: number;
}

/** One object reused: the caller reads it at once (no allocation per request). */
const COST: RequestCost = { readUs: 0, handleUs: 0 };

/** The request's CPU work, or undefined for a response to the broker's own request (not handled by KafkaApis). */
export function requestCostUs(env: Envelope): RequestCost | undefined {
  const kind = env.kind;
  if (kind.endsWith('Response')) return undefined;
  COST.readUs = CPU_COST.requestReadUs + (env.bytes * CPU_COST.socketReadNsPerByte) / 1000;
  if (kind === 'Produce') {
    const req = env.payload as P.ProduceRequest;
    let handle = CPU_COST.produceRequestUs + req.data.length * CPU_COST.produceBatchUs + (env.bytes * CPU_COST.produceNsPerByte) / 1000;
    // LogValidator decompresses a compressed batch to validate its records (validateMessagesAndAssignOffsetsCompressed).
    if (req.codec !== undefined && req.rawBytes !== undefined) handle += (req.rawBytes * DECOMPRESS_NS_PER_BYTE[req.codec]) / 1000;
    COST.handleUs = handle;
    // The produce response is small: its write is charged with the read.
    COST.readUs += CPU_COST.responseWriteUs;
  } else if (kind === 'Fetch') {
    COST.handleUs = CPU_COST.fetchRequestUs + (env.payload as P.FetchRequest).partitions.length * CPU_COST.fetchPartitionUs;
  } else {
    COST.handleUs = CPU_COST.otherRequestUs;
    COST.readUs += CPU_COST.responseWriteUs;
  }
  return COST;
}

/** The network thread's work of writing a fetch response of `bytes` (sendfile: little per byte). */
export function fetchResponseWriteUs(bytes: number): number {
  return CPU_COST.responseWriteUs + (bytes * CPU_COST.sendfileNsPerByte) / 1000;
}
