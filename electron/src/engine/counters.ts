/** Cumulative counters of one engine, shared by all its flows and links. */
export interface EngineCounters {
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
  /** Reply packets (data and parity) the relays sent, judging by sequence numbers. */
  downExpected: number;
  /** Distinct reply packets received. */
  downReceived: number;
  /** Distinct reply data packets received (FEC sessions). */
  dataReceived: number;
  fecRecovered: number;
  fecLost: number;
  fecParityUp: number;
  /** Bytes of those parity and repair packets (headers included): the measured FEC overhead. */
  fecBytesUp: number;
  duplicatesDown: number;
  malformed: number;
}

/** Fresh zeroed counters. */
export function newCounters(): EngineCounters {
  return {
    packetsUp: 0,
    packetsDown: 0,
    bytesUp: 0,
    bytesDown: 0,
    downExpected: 0,
    downReceived: 0,
    dataReceived: 0,
    fecRecovered: 0,
    fecLost: 0,
    fecParityUp: 0,
    fecBytesUp: 0,
    duplicatesDown: 0,
    malformed: 0,
  };
}
