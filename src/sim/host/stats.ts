// The host model's counters (SimHost.stats), kept in memory: the unit tests
// assert on them. `vmt sim` does not print them; its record of a run is --transcript.
export interface SimStats {
  /** every backdoor call: lb + hbOut + hbIn */
  calls: number;
  lb: number;
  hbOut: number;
  hbIn: number;
  /** commands answered as unsupported (EAX = 0xFFFFFFFF), and calls with a wrong port or magic */
  unknown: number;
  invalid: number;
  opens: number;
  closes: number;
  /** completed RPCI requests; TCLO commands answered by the guest */
  rpci: number;
  tclo: number;
  faults: number;
  /** payload bytes moved guest -> host and host -> guest */
  bytesIn: number;
  bytesOut: number;
}

export function newStats(): SimStats {
  return { calls: 0, lb: 0, hbOut: 0, hbIn: 0, unknown: 0, invalid: 0, opens: 0, closes: 0, rpci: 0, tclo: 0, faults: 0, bytesIn: 0, bytesOut: 0 };
}
