import { HostTimeCommand } from '../../src/cli/stat.js';

export default HostTimeCommand;
