/** Byte counters of one network interface. */
export interface ByteCounters {
  rx: number;
  tx: number;
}

/** Counters by interface name. */
export type InterfaceCounters = Record<string, ByteCounters>;

/**
 * Parses the /proc/net/dev format: two header lines, then "name: rx_bytes rx_packets … (8 receive
 * columns) tx_bytes …". Lines that do not match are ignored.
 */
export function parseNetDev(text: string): InterfaceCounters {
  const result: InterfaceCounters = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (name === '' || fields.length < 9) continue;
    const rx = Number(fields[0]);
    const tx = Number(fields[8]);
    if (!Number.isFinite(rx) || !Number.isFinite(tx)) continue;
    result[name] = { rx, tx };
  }
  return result;
}

/**
 * Loopback, container bridges, veth pairs and other virtual devices: their traffic is either local or
 * already counted on the physical interface, so counting it would double the host's rates.
 */
const VIRTUAL_INTERFACE =
  /^(lo|docker\d*|br-|veth|virbr|cni|podman|flannel|cali|vxlan|weave|kube-|tunl|ifb|dummy|nerdctl|lxcbr|lxdbr|genev|vnet)/;

export function isVirtualInterface(name: string): boolean {
  return VIRTUAL_INTERFACE.test(name);
}

export function physicalInterfaces(counters: InterfaceCounters): InterfaceCounters {
  return Object.fromEntries(Object.entries(counters).filter(([name]) => !isVirtualInterface(name)));
}
