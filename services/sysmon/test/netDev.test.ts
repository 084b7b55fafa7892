import { isVirtualInterface, parseNetDev, physicalInterfaces } from '../src/netDev';

const SAMPLE = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 346449065    9249    0    0    0     0          0         0  1016026    6404    0    0    0     0       0          0
docker0:1200 10 0 0 0 0 0 0 3400 20 0 0 0 0 0 0
br-5f2a9c1e: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0
veth12ab@if4: 5 1 0 0 0 0 0 0 6 1 0 0 0 0 0 0
 wlp2s0: 18446744073709 1 0 0 0 0 0 0 77 1 0 0 0 0 0 0
  broken: 1 2 3
`;

describe('parseNetDev', () => {
  it('reads receive and transmit bytes of every interface and skips headers and short lines', () => {
    expect(parseNetDev(SAMPLE)).toEqual({
      lo: { rx: 3193, tx: 3193 },
      eth0: { rx: 346449065, tx: 1016026 },
      docker0: { rx: 1200, tx: 3400 },
      'br-5f2a9c1e': { rx: 10, tx: 20 },
      'veth12ab@if4': { rx: 5, tx: 6 },
      wlp2s0: { rx: 18446744073709, tx: 77 },
    });
  });

  it('gives nothing for empty text', () => {
    expect(parseNetDev('')).toEqual({});
  });
});

describe('virtual interfaces', () => {
  it.each(['lo', 'docker0', 'br-5f2a9c1e', 'veth12ab@if4', 'virbr0', 'cni0', 'podman0', 'flannel.1', 'cali123', 'ifb0'])('%s is virtual', (name) => {
    expect(isVirtualInterface(name)).toBe(true);
  });

  it.each(['eth0', 'ens3', 'enp0s31f6', 'wlp2s0', 'bond0', 'wg0', 'eno1'])('%s is real', (name) => {
    expect(isVirtualInterface(name)).toBe(false);
  });

  it('keeps only the real interfaces', () => {
    expect(Object.keys(physicalInterfaces(parseNetDev(SAMPLE)))).toEqual(['eth0', 'wlp2s0']);
  });
});
