// Fake sockets for vmt sim serve's loop (src/sim/serve.ts): listening ports,
// connections a test makes, the bytes each way, who closed. No socket is opened.
import type { ServeIo } from '../../src/sim/serve.js';

export interface FakeConn {
  fd: number;
  peerPort: number;
  toHost: number[];
  fromHost: number[];
  guestClosed: boolean;
  hostClosed: boolean;
}

export function fakeServeIo() {
  let nextFd = 10;
  const listening = new Map<number, { port: number; pending: FakeConn[] }>();
  const conns = new Map<number, FakeConn>();
  const io: ServeIo = {
    listen(port) {
      const fd = nextFd++;
      listening.set(fd, { port, pending: [] });
      return fd;
    },
    accept(fd) {
      const c = listening.get(fd)!.pending.shift();
      if (!c) return null;
      conns.set(c.fd, c);
      return { fd: c.fd, peerPort: c.peerPort };
    },
    recv(fd, max) {
      const c = conns.get(fd)!;
      if (c.toHost.length === 0 && c.guestClosed) return null;
      return Uint8Array.from(c.toHost.splice(0, max));
    },
    send(fd, data) {
      const c = conns.get(fd)!;
      if (c.guestClosed) throw new Error('EPIPE');
      c.fromHost.push(...data);
    },
    close(fd) {
      const c = conns.get(fd);
      if (c) c.hostClosed = true;
      conns.delete(fd);
    },
  };
  const connect = (port: number, peerPort: number): FakeConn => {
    const l = [...listening.values()].find((v) => v.port === port)!;
    const c: FakeConn = { fd: nextFd++, peerPort, toHost: [], fromHost: [], guestClosed: false, hostClosed: false };
    l.pending.push(c);
    return c;
  };
  return { io, connect };
}

