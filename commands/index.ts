// The command table for oclif's explicit discovery strategy (package.json
// "oclif.commands"), so the whole CLI can be bundled into one file.
import Attach from './attach.js';
import CheckVm from './checkvm.js';
import Detach from './detach.js';
import Devices from './devices.js';
import Drvctl from './drvctl.js';
import GetTime from './gettime.js';
import InfoGet from './info/get.js';
import InfoSet from './info/set.js';
import InfoWait from './info/wait.js';
import Report from './report.js';
import Rpc from './rpc/index.js';
import Sim from './sim.js';
import SimServe from './sim/serve.js';
import StatBalloon from './stat/balloon.js';
import StatCpulimit from './stat/cpulimit.js';
import StatCpures from './stat/cpures.js';
import StatHosttime from './stat/hosttime.js';
import StatMemlimit from './stat/memlimit.js';
import StatMemres from './stat/memres.js';
import StatRaw from './stat/raw.js';
import StatSessionid from './stat/sessionid.js';
import StatSpeed from './stat/speed.js';
import StatSwap from './stat/swap.js';
import TcloListen from './tclo/listen.js';
import VsockCat from './vsock/cat.js';
import VsockCid from './vsock/cid.js';

export const COMMANDS = {
  attach: Attach,
  checkvm: CheckVm,
  detach: Detach,
  devices: Devices,
  drvctl: Drvctl,
  gettime: GetTime,
  'info:get': InfoGet,
  'info:set': InfoSet,
  'info:wait': InfoWait,
  report: Report,
  rpc: Rpc,
  sim: Sim,
  'sim:serve': SimServe,
  'stat:balloon': StatBalloon,
  'stat:cpulimit': StatCpulimit,
  'stat:cpures': StatCpures,
  'stat:hosttime': StatHosttime,
  'stat:memlimit': StatMemlimit,
  'stat:memres': StatMemres,
  'stat:raw': StatRaw,
  'stat:sessionid': StatSessionid,
  'stat:speed': StatSpeed,
  'stat:swap': StatSwap,
  'tclo:listen': TcloListen,
  'vsock:cat': VsockCat,
  'vsock:cid': VsockCid,
};
